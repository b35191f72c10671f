/** Percentiles of recent durations, in milliseconds. */
export interface DurationPercentiles {
  /** Number of durations the percentiles are computed over (the most recent ones). */
  readonly count: number
  /** Median. */
  readonly p50: number
  /** 95th percentile. */
  readonly p95: number
  /** 99th percentile. */
  readonly p99: number
  /** Largest recent duration. */
  readonly max: number
}

/** A ring buffer of the most recent durations with percentile queries. */
export class DurationWindow {
  #samples: number[] = []
  #next = 0
  readonly #size: number

  constructor(size: number) {
    this.#size = size
  }

  /** Records one duration. */
  add(ms: number): void {
    if (this.#samples.length < this.#size) this.#samples.push(ms)
    else this.#samples[this.#next] = ms
    this.#next = (this.#next + 1) % this.#size
  }

  /** Percentiles over the recorded window (all zero when empty). */
  percentiles(): DurationPercentiles {
    const sorted = [...this.#samples].sort((a, b) => a - b)
    const at = (q: number): number =>
      sorted.length === 0
        ? 0
        : (sorted[
            Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)
          ] ?? 0)
    return {
      count: sorted.length,
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      max: sorted.at(-1) ?? 0,
    }
  }
}
