import type { AcquireWaitStats } from './types.js'

/** How many recent acquire waits the percentiles are computed over. */
const WINDOW = 1024

/** A ring buffer of the most recent acquire waits, summarised on demand. */
export class WaitSamples {
  readonly #values = new Float64Array(WINDOW)
  #count = 0
  #next = 0

  /** Records one wait in milliseconds. */
  record(ms: number): void {
    this.#values[this.#next] = ms
    this.#next = (this.#next + 1) % WINDOW
    if (this.#count < WINDOW) this.#count += 1
  }

  /** Percentiles of the recorded waits (all zero when nothing was recorded). */
  summary(): AcquireWaitStats {
    const count = this.#count
    if (count === 0) return { p50: 0, p95: 0, p99: 0, max: 0, samples: 0 }
    const sorted = this.#values.slice(0, count).sort()
    const at = (q: number): number =>
      sorted[Math.min(count - 1, Math.ceil(q * count) - 1)] ?? 0
    return {
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      max: sorted[count - 1] ?? 0,
      samples: count,
    }
  }
}
