import { type ChaosInjector } from './chaos.js'
import {
  type CircuitBreaker,
  type CircuitBreakerStats,
} from './circuit-breaker-types.js'
import { type CircuitBreakerOptions } from './circuit-breaker-options.js'
import { type Clock } from './clock.js'
import { type DatabaseError } from './database-error.js'
import { type Listener } from './emitter.js'
import {
  type RetryContext,
  type RetryEvent,
  type RetryOptions,
} from './retry.js'

/** Options of {@link createPolicy}. */
export interface PolicyOptions {
  /** Name used in events and stats. @default 'default' */
  name?: string | undefined
  /** Retry options, or `false` for a single attempt. @default {} (3 attempts, full jitter) */
  retry?: Omit<RetryOptions, 'signal' | 'onRetry'> | false | undefined
  /** A breaker to share (from a `BreakerRegistry`), options to create one the policy owns, or `false`. @default false */
  breaker?: CircuitBreaker | CircuitBreakerOptions | false | undefined
  /** Deadline of each attempt in milliseconds; `0` or `Infinity` means none. @default 0 */
  timeoutMs?: number | undefined
  /** Chaos injector consulted at the start of every attempt, inside its deadline. @default undefined */
  chaos?: ChaosInjector | undefined
  /** Source of time and timers for deadlines, retry delays and an owned breaker. @default systemClock */
  clock?: Clock | undefined
}

/** Per-call options of {@link Policy.execute}. */
export interface PolicyExecuteOptions<T> {
  /** SQL text (without parameter values) to put on errors. @default undefined */
  sql?: string | undefined
  /** Aborting stops the call with an `InterruptedError`, without retrying. @default undefined */
  signal?: AbortSignal | undefined
  /** Called when an attempt hits its deadline (wire `connection.interrupt()` here). @default undefined */
  onTimeout?: (() => void) | undefined
  /** Value to return instead of failing; receives the final, classified error. @default undefined (rethrow) */
  fallback?: ((error: DatabaseError) => T | Promise<T>) | undefined
  /** Operation name given to the chaos injector. @default 'query' */
  operation?: string | undefined
}

/** What each attempt of {@link Policy.execute} receives. */
export interface PolicyContext extends RetryContext {
  /** Aborted at the attempt's deadline or when the caller aborts; undefined when neither can happen. */
  readonly signal: AbortSignal | undefined
}

/** Events of a {@link Policy}. */
export interface PolicyEvents {
  /** An attempt failed and another one will follow after `delayMs`. */
  retry: RetryEvent & {
    /** Name of the policy. */
    readonly policy: string
  }
  /** An attempt hit its deadline. */
  timeout: {
    /** Name of the policy. */
    readonly policy: string
    /** The deadline, in milliseconds. */
    readonly timeoutMs: number
    /** The attempt that timed out (1-based). */
    readonly attempt: number
  }
  /** The breaker refused an attempt. */
  shortCircuit: {
    /** Name of the policy. */
    readonly policy: string
    /** Milliseconds until the breaker's next probe. */
    readonly retryAfterMs: number
  }
  /** The call failed for good (before any fallback). */
  failure: {
    /** Name of the policy. */
    readonly policy: string
    /** The final, classified error. */
    readonly error: DatabaseError
  }
  /** The fallback produced the result of a failed call. */
  fallback: {
    /** Name of the policy. */
    readonly policy: string
    /** The error the fallback replaced. */
    readonly error: DatabaseError
  }
}

/** Counters of a {@link Policy}. */
export interface PolicyStats {
  /** Name of the policy. */
  readonly name: string
  /** Calls to `execute`. */
  readonly calls: number
  /** Calls that resolved without the fallback. */
  readonly successes: number
  /** Calls that failed after every attempt (whether or not a fallback then answered). */
  readonly failures: number
  /** Final failures by error code. */
  readonly failuresByCode: Readonly<Record<string, number>>
  /** Retries made. */
  readonly retries: number
  /** Retries the budget refused. */
  readonly retriesRefused: number
  /** Attempts that hit their deadline. */
  readonly timeouts: number
  /** Attempts the breaker refused. */
  readonly shortCircuits: number
  /** Failed calls answered by a fallback. */
  readonly fallbacks: number
  /** Stats of the breaker, if the policy has one. */
  readonly breaker: CircuitBreakerStats | undefined
}

/** Fallback, retry, circuit breaker and per-attempt timeout, composed in that order (outermost first). */
export interface Policy {
  /** Name of the policy. */
  readonly name: string
  /** The breaker every attempt passes through, if any. */
  readonly breaker: CircuitBreaker | undefined
  /** Runs `fn` through the policy; failures reject with a classified `DatabaseError`. */
  execute<T>(
    fn: (context: PolicyContext) => Promise<T>,
    options?: PolicyExecuteOptions<T>,
  ): Promise<T>
  /** Current counters. */
  stats(): PolicyStats
  /** Adds a listener and returns a function that removes it. */
  on<K extends keyof PolicyEvents>(
    event: K,
    listener: Listener<PolicyEvents[K]>,
  ): () => void
  /** Removes a listener. */
  off<K extends keyof PolicyEvents>(
    event: K,
    listener: Listener<PolicyEvents[K]>,
  ): void
  /** Removes every listener and shuts down the breaker if the policy created it. */
  shutdown(): void
}
