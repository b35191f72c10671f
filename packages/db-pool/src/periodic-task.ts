import type { Clock, TimerHandle } from '@duckkit/resilience'

/** Runs a task every `intervalMs` on an unref'd timer of the given clock, until stopped. */
export class PeriodicTask {
  readonly #clock: Clock
  readonly #intervalMs: number
  readonly #task: () => void
  #timer: TimerHandle = undefined
  #running = false

  constructor(clock: Clock, intervalMs: number, task: () => void) {
    this.#clock = clock
    this.#intervalMs = intervalMs
    this.#task = task
  }

  /** Starts the ticks (a no-op for an interval of 0). */
  start(): void {
    if (this.#intervalMs <= 0 || this.#running) return
    this.#running = true
    this.#schedule()
  }

  /** Stops the ticks. */
  stop(): void {
    this.#running = false
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined
      if (!this.#running) return
      this.#task()
      if (this.#running) this.#schedule()
    }, this.#intervalMs)
    ;(this.#timer as { unref?: () => void } | undefined)?.unref?.()
  }
}

/** Run often enough to act within a quarter of the shortest period, at most once a second. */
export function housekeepingInterval(periodsMs: readonly number[]): number {
  const enabled = periodsMs.filter((ms) => ms > 0)
  if (enabled.length === 0) return 0
  return Math.max(1, Math.min(1000, Math.floor(Math.min(...enabled) / 4)))
}

/** Resolves when `promise` settles or after `timeoutMs`, whichever comes first; never rejects. */
export function waitAtMost(
  clock: Clock,
  promise: Promise<unknown>,
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.setTimeout(resolve, timeoutMs)
    const done = (): void => {
      clock.clearTimeout(timer)
      resolve()
    }
    promise.then(done, done)
  })
}
