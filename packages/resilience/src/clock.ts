/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown

/**
 * The source of time and timers for every DuckKit component that waits, so
 * tests can drive time with fake timers.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle
  /** Cancels a timer started with {@link Clock.setTimeout}. */
  clearTimeout(handle: TimerHandle): void
}

/**
 * The real clock. It looks up `Date.now` and the global timer functions on every
 * call, so `vi.useFakeTimers()` installed after import still takes effect.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => {
    globalThis.clearTimeout(
      handle as Parameters<typeof globalThis.clearTimeout>[0],
    )
  },
}
