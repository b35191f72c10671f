/**
 * A cheap, one-shot cancellation flag for a unit: listeners run once when it
 * is aborted; an `AbortSignal` is only created if someone asks for one.
 */
export class Deadline {
  #aborted = false
  #reason: unknown = undefined
  #listeners: (() => void)[] = []
  #controller: AbortController | undefined = undefined

  /** Whether the deadline has passed (or the work was cancelled). */
  get aborted(): boolean {
    return this.#aborted
  }

  /** Why it was aborted. */
  get reason(): unknown {
    return this.#reason
  }

  /** An `AbortSignal` that aborts with this deadline (created on first use). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  /** Runs `listener` once when the deadline aborts; returns a function that removes it. */
  onAbort(listener: () => void): () => void {
    this.#listeners.push(listener)
    return () => {
      const index = this.#listeners.indexOf(listener)
      if (index !== -1) this.#listeners.splice(index, 1)
    }
  }

  /** Aborts with `reason` (only the first call counts) and runs the listeners. */
  abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    const listeners = this.#listeners
    this.#listeners = []
    for (const listener of listeners) listener()
    this.#controller?.abort(reason)
  }

  /** A deadline that aborts when this one does, or on its own. */
  child(): { deadline: Deadline; dispose: () => void } {
    const deadline = new Deadline()
    if (this.#aborted) {
      deadline.abort(this.#reason)
      return { deadline, dispose: () => undefined }
    }
    const dispose = this.onAbort(() => {
      deadline.abort(this.#reason)
    })
    return { deadline, dispose }
  }
}
