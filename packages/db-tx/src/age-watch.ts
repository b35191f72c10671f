import type { Clock, TimerHandle } from '@duckkit/resilience'

interface Watched {
  readonly startedAt: number
  readonly expire: () => void
}

/**
 * Enforces the transaction age limit with one timer for all open attempts
 * (instead of one timer per transaction): the timer is armed for the oldest
 * attempt, expires every attempt past the limit, and re-arms for the next one.
 * The timer is unref'd so it never keeps the process alive.
 */
export class AgeWatch {
  readonly #maxAgeMs: number
  readonly #clock: Clock
  readonly #watched = new Map<number, Watched>()
  #next = 0
  #timer: { readonly handle: TimerHandle } | undefined = undefined

  constructor(maxAgeMs: number, clock: Clock) {
    this.#maxAgeMs = maxAgeMs
    this.#clock = clock
  }

  /** Watches an attempt that starts now; `expire` runs once it is older than the limit. Returns a function that stops watching. */
  watch(expire: () => void): () => void {
    const key = (this.#next += 1)
    this.#watched.set(key, { startedAt: this.#clock.now(), expire })
    if (this.#timer === undefined) this.#arm(this.#maxAgeMs)
    return () => {
      this.#watched.delete(key)
    }
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer.handle)
    this.#timer = undefined
  }

  #arm(delayMs: number): void {
    const handle = this.#clock.setTimeout(
      () => {
        this.#timer = undefined
        this.#sweep()
      },
      Math.max(0, delayMs),
    )
    ;(handle as { unref?: () => void } | undefined)?.unref?.()
    this.#timer = { handle }
  }

  #sweep(): void {
    const now = this.#clock.now()
    for (const [key, entry] of this.#watched) {
      const dueIn = entry.startedAt + this.#maxAgeMs - now
      if (dueIn > 0) {
        this.#arm(dueIn)
        return
      }
      this.#watched.delete(key)
      entry.expire()
    }
  }
}
