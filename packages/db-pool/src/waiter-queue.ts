/** An entry of a {@link WaiterQueue}; `done` marks one that was served or gave up. */
export interface QueueEntry {
  /** Set once the entry was served, timed out or aborted; the queue then skips it. */
  done: boolean
}

/**
 * A first-in, first-out queue with O(1) push and shift, and O(1) cancellation:
 * a cancelled entry is only marked `done` and skipped when it reaches the head.
 */
export class WaiterQueue<T extends QueueEntry> {
  #items: (T | undefined)[] = []
  #head = 0
  #live = 0

  /** Entries still waiting. */
  get size(): number {
    return this.#live
  }

  /** Appends an entry at the tail. */
  push(entry: T): void {
    this.#items.push(entry)
    this.#live += 1
  }

  /** Marks an entry as no longer waiting (it stays in place until it reaches the head). */
  cancel(entry: T): void {
    if (entry.done) return
    entry.done = true
    this.#live -= 1
  }

  /** Removes and returns the oldest waiting entry, marking it done. */
  shift(): T | undefined {
    while (this.#head < this.#items.length) {
      const entry = this.#items[this.#head]
      this.#items[this.#head] = undefined
      this.#head += 1
      if (entry !== undefined && !entry.done) {
        entry.done = true
        this.#live -= 1
        this.#compact()
        return entry
      }
    }
    this.#compact()
    return undefined
  }

  /** Removes and returns every waiting entry, oldest first. */
  drain(): T[] {
    const entries: T[] = []
    for (let entry = this.shift(); entry !== undefined; entry = this.shift())
      entries.push(entry)
    return entries
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = []
      this.#head = 0
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
  }
}
