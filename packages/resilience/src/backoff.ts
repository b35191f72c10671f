/** How random spread is added to backoff delays. */
export type Jitter = 'full' | 'decorrelated' | 'none'

/** Settings of an exponential backoff. */
export interface BackoffSettings {
  /** Base delay before the first retry, in milliseconds. */
  readonly initialDelayMs: number
  /** Upper bound of any delay, in milliseconds. */
  readonly maxDelayMs: number
  /** Growth factor from one retry to the next. */
  readonly multiplier: number
  /** Jitter strategy. */
  readonly jitter: Jitter
  /** Source of uniform random numbers in `[0, 1)`. */
  readonly random: () => number
}

/**
 * Returns a function that yields the delay before each retry (1-based).
 * `none` is `min(max, initial * multiplier^(n-1))`; `full` draws uniformly from
 * `[0, that]` (AWS "full jitter"); `decorrelated` draws from
 * `[initial, min(max, 3 * previous delay)]` (AWS "decorrelated jitter", as in Polly).
 */
export function createBackoff(
  settings: BackoffSettings,
): (retry: number) => number {
  const { initialDelayMs, maxDelayMs, multiplier, jitter, random } = settings
  const exponential = (retry: number): number =>
    Math.min(maxDelayMs, initialDelayMs * multiplier ** (retry - 1))
  switch (jitter) {
    case 'none':
      return exponential
    case 'full':
      return (retry) => random() * exponential(retry)
    case 'decorrelated': {
      let previous = initialDelayMs
      return () => {
        const upper = Math.max(initialDelayMs, previous * 3)
        previous = Math.min(
          maxDelayMs,
          initialDelayMs + random() * (upper - initialDelayMs),
        )
        return previous
      }
    }
  }
}
