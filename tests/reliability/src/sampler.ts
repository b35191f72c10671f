/** One sample taken by a {@link Sampler}. */
export interface Sample<T> {
  /** When it was taken (`performance.now()`, after the answer came). */
  readonly at: number
  /** The value. */
  readonly value: T
}

/** Takes a sample every `intervalMs` (one at a time) until stopped; failed samples are counted and skipped. */
export class Sampler<T> {
  readonly #take: () => Promise<T>
  readonly #intervalMs: number
  readonly #samples: Sample<T>[] = []
  #failures = 0
  #running: Promise<void> | undefined
  #stopped = false

  /** Samples `take()` every `intervalMs` once started. */
  constructor(take: () => Promise<T>, intervalMs: number) {
    this.#take = take
    this.#intervalMs = intervalMs
  }

  /** Starts sampling. */
  start(): void {
    this.#running ??= this.#loop()
  }

  /** Stops and resolves once the last sample is in. */
  async stop(): Promise<void> {
    this.#stopped = true
    await this.#running
  }

  /** Samples so far, oldest first. */
  get samples(): readonly Sample<T>[] {
    return this.#samples
  }

  /** Samples that failed (no answer or an error). */
  get failures(): number {
    return this.#failures
  }

  /** The last sample taken at or before `time`, or the first one. */
  at(time: number): Sample<T> | undefined {
    let found = this.#samples[0]
    for (const sample of this.#samples) {
      if (sample.at > time) break
      found = sample
    }
    return found
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const began = performance.now()
      try {
        const value = await this.#take()
        this.#samples.push({ at: performance.now(), value })
      } catch {
        this.#failures += 1
      }
      const rest = this.#intervalMs - (performance.now() - began)
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest))
    }
  }
}
