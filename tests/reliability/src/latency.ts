/** Percentiles of a set of latencies, in milliseconds. */
export interface LatencySummary {
  /** Number of samples. */
  readonly count: number
  /** Smallest sample. */
  readonly min: number
  /** Median. */
  readonly p50: number
  /** 95th percentile. */
  readonly p95: number
  /** 99th percentile. */
  readonly p99: number
  /** Largest sample. */
  readonly max: number
}

/** Collects latency samples and summarizes them (nearest-rank percentiles). */
export class LatencyRecorder {
  readonly #samples: number[] = []

  /** Adds one sample in milliseconds. */
  add(ms: number): void {
    this.#samples.push(ms)
  }

  /** Number of samples so far. */
  get count(): number {
    return this.#samples.length
  }

  /** Percentiles, rounded to 0.1 ms (all 0 without samples). */
  summary(): LatencySummary {
    const sorted = Float64Array.from(this.#samples).sort()
    const rank = (p: number): number => {
      if (sorted.length === 0) return 0
      const index = Math.min(
        sorted.length - 1,
        Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
      )
      return round(sorted[index] ?? 0)
    }
    return {
      count: sorted.length,
      min: round(sorted[0] ?? 0),
      p50: rank(50),
      p95: rank(95),
      p99: rank(99),
      max: round(sorted[sorted.length - 1] ?? 0),
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10
}
