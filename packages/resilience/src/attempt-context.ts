/**
 * What one attempt of a policy sees: its number and an abort signal that is
 * created only when the attempt reads it (an `AbortController` per call is a
 * large share of the cost of a fast query).
 */
export class AttemptContext {
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  readonly attempt: number
  #controller: AbortController | undefined
  #aborted = false
  #reason: unknown

  constructor(attempt: number) {
    this.attempt = attempt
  }

  /** Aborted at the attempt's deadline or when the caller aborts. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  /** Aborts the signal (now, or when it is first read) with `reason`. */
  abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    this.#controller?.abort(reason)
  }
}
