import { type Clock, type TimerHandle } from './clock.js'

/** One pending deadline in a {@link DeadlineQueue}. */
export interface Deadline {
  /** Time (on the queue's clock) at which `expire` runs. */
  readonly at: number
  /** Called once when the deadline passes, unless removed before. */
  readonly expire: () => void
  /** Previous entry (earlier deadline), or undefined at the head. */
  prev: Deadline | undefined
  /** Next entry (later deadline), or undefined at the tail. */
  next: Deadline | undefined
  /** Whether the entry is still in the queue. */
  queued: boolean
}

/**
 * Deadlines that are added in time order (one fixed timeout per queue), kept
 * in a doubly linked list and served by a single timer armed for the earliest
 * one. Adding and removing are O(1) and touch no timer in the common case, which
 * makes a per-attempt deadline far cheaper than a `setTimeout` per call. The
 * timer is re-armed lazily when it fires, so at most one timer is pending per
 * queue, and none once the queue has drained and the last timer has fired.
 */
export class DeadlineQueue {
  readonly #clock: Clock
  #head: Deadline | undefined
  #tail: Deadline | undefined
  #timer: TimerHandle
  #armedAt: number | undefined

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** Adds a deadline `ms` from now; `expire` runs when it passes unless the entry is removed first. */
  add(ms: number, expire: () => void): Deadline {
    const entry: Deadline = {
      at: this.#clock.now() + ms,
      expire,
      prev: this.#tail,
      next: undefined,
      queued: true,
    }
    if (this.#tail === undefined) this.#head = entry
    else this.#tail.next = entry
    this.#tail = entry
    if (this.#armedAt === undefined || entry.at < this.#armedAt)
      this.#arm(entry.at)
    return entry
  }

  /** Removes a deadline that is no longer needed (its work settled). */
  remove(entry: Deadline): void {
    if (!entry.queued) return
    entry.queued = false
    if (entry.prev === undefined) this.#head = entry.next
    else entry.prev.next = entry.next
    if (entry.next === undefined) this.#tail = entry.prev
    else entry.next.prev = entry.prev
    entry.prev = undefined
    entry.next = undefined
  }

  /** Drops every deadline without running it and cancels the timer. */
  clear(): void {
    if (this.#armedAt !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#armedAt = undefined
    this.#head = undefined
    this.#tail = undefined
  }

  #arm(at: number): void {
    if (this.#armedAt !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#armedAt = at
    this.#timer = this.#clock.setTimeout(
      this.#fire,
      Math.max(0, at - this.#clock.now()),
    )
  }

  readonly #fire = (): void => {
    this.#armedAt = undefined
    const now = this.#clock.now()
    while (this.#head !== undefined && this.#head.at <= now) {
      const entry = this.#head
      this.remove(entry)
      entry.expire()
    }
    if (this.#head !== undefined) this.#arm(this.#head.at)
  }
}
