import { type Listener } from './emitter.js'

/** State of a circuit breaker. */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** Events a {@link CircuitBreaker} emits. */
export interface CircuitBreakerEvents {
  /** The breaker moved from one state to another. */
  stateChange: {
    /** Name of the breaker. */
    readonly name: string
    /** State before the transition. */
    readonly from: CircuitState
    /** State after the transition. */
    readonly to: CircuitState
    /** Milliseconds until the next probe (0 unless `to` is `open`). */
    readonly retryAfterMs: number
  }
  /** A call failed; `counted` tells whether it counted toward opening. */
  failure: {
    /** Name of the breaker. */
    readonly name: string
    /** The error the call failed with. */
    readonly error: unknown
    /** Whether the error counted toward opening (see `isFailure`). */
    readonly counted: boolean
  }
  /** A call was refused without running because the breaker is open. */
  shortCircuit: {
    /** Name of the breaker. */
    readonly name: string
    /** Milliseconds until the next probe. */
    readonly retryAfterMs: number
  }
}

/** Counters of a {@link CircuitBreaker}, since it was created unless noted. */
export interface CircuitBreakerStats {
  /** Name of the breaker. */
  readonly name: string
  /** Current state. */
  readonly state: CircuitState
  /** Calls made through `execute`, short-circuited ones included. */
  readonly calls: number
  /** Calls that resolved. */
  readonly successes: number
  /** Calls that failed with an error that counted toward opening. */
  readonly failures: number
  /** Calls that failed with an error that did not count (syntax, constraint, ...). */
  readonly ignoredErrors: number
  /** Calls refused because the breaker was open. */
  readonly shortCircuits: number
  /** Failed calls (counted or not) by error code. */
  readonly failuresByCode: Readonly<Record<string, number>>
  /** How often the breaker entered each state. */
  readonly transitions: {
    /** Times the breaker opened. */
    readonly open: number
    /** Times the breaker went half-open. */
    readonly halfOpen: number
    /** Times the breaker closed again. */
    readonly close: number
  }
  /** Milliseconds until the next probe while open, else 0. */
  readonly retryAfterMs: number
  /** Counts in the rolling window that decides about opening. */
  readonly window: {
    /** Calls in the window, short-circuited ones included. */
    readonly calls: number
    /** Calls in the window that failed and counted toward opening. */
    readonly failures: number
  }
}

/** A circuit breaker for one database: fails fast while the database is unhealthy. */
export interface CircuitBreaker {
  /** Name of the breaker. */
  readonly name: string
  /** Current state. */
  readonly state: CircuitState
  /** Whether {@link CircuitBreaker.shutdown} was called. */
  readonly isShutdown: boolean
  /** Runs `fn` through the breaker; rejects with a `CircuitOpenError` without running it while open. */
  execute<T>(fn: () => Promise<T>): Promise<T>
  /** Milliseconds until the breaker lets a probe through (0 unless open). */
  retryAfterMs(): number
  /** Current counters. */
  stats(): CircuitBreakerStats
  /** Adds a listener and returns a function that removes it. */
  on<K extends keyof CircuitBreakerEvents>(
    event: K,
    listener: Listener<CircuitBreakerEvents[K]>,
  ): () => void
  /** Removes a listener. */
  off<K extends keyof CircuitBreakerEvents>(
    event: K,
    listener: Listener<CircuitBreakerEvents[K]>,
  ): void
  /** Stops the breaker: removes every listener and timer; later calls reject with a `CircuitOpenError`. */
  shutdown(): void
}
