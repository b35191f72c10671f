import { type ChaosInjector } from './chaos.js'
import { AttemptContext } from './attempt-context.js'
import { createCircuitBreaker } from './circuit-breaker.js'
import { type CircuitBreaker } from './circuit-breaker-types.js'
import { type CircuitBreakerOptions } from './circuit-breaker-options.js'
import { classifyError } from './classify-error.js'
import { type Deadline, DeadlineQueue } from './deadline-queue.js'
import { Emitter, type Listener } from './emitter.js'
import {
  InterruptedError,
  isCircuitOpenError,
  QueryTimeoutError,
} from './errors.js'
import { FailureCounts } from './failure-counts.js'
import { InvalidOptionError } from './invalid-option-error.js'
import {
  type Policy,
  type PolicyContext,
  type PolicyEvents,
  type PolicyExecuteOptions,
  type PolicyOptions,
  type PolicyStats,
} from './policy-types.js'
import {
  resolveRetryOptions,
  type RetryContext,
  type RetrySettings,
  runWithRetry,
} from './retry.js'
import { numberOption } from './validate.js'

/**
 * Composes the resilience strategies for database calls, outermost first:
 * **fallback → retry → circuit breaker → per-attempt timeout → (chaos) → fn**.
 * The deadline restarts for each attempt; every attempt passes through the
 * breaker, so an open breaker ends retrying at once (a `CircuitOpenError` is
 * not retryable); the fallback sees the final, classified error.
 *
 * @example
 * ```ts
 * const policy = createPolicy({ breaker: breakers.get('main'), timeoutMs: 5_000, retry: { budget } })
 * const rows = await policy.execute(({ signal }) => connection.runAndReadAll(sql), {
 *   sql,
 *   onTimeout: () => connection.interrupt(),
 * })
 * ```
 */
export function createPolicy(options: PolicyOptions = {}): Policy {
  return new ComposedPolicy(options)
}

class ComposedPolicy implements Policy {
  readonly name: string
  readonly breaker: CircuitBreaker | undefined
  readonly #ownsBreaker: boolean
  readonly #timeoutMs: number
  readonly #deadlines: DeadlineQueue | undefined
  readonly #chaos: ChaosInjector | undefined
  readonly #retry: RetrySettings
  readonly #events = new Emitter<PolicyEvents>()
  readonly #failuresByCode = new FailureCounts()
  #calls = 0
  #successes = 0
  #failures = 0
  #retries = 0
  #retriesRefused = 0
  #timeouts = 0
  #shortCircuits = 0
  #fallbacks = 0

  constructor(options: PolicyOptions) {
    if (
      options.name !== undefined &&
      (typeof options.name !== 'string' || options.name === '')
    ) {
      throw new InvalidOptionError('name', options.name, 'a non-empty string')
    }
    this.name = options.name ?? 'default'
    this.#timeoutMs = numberOption('timeoutMs', options.timeoutMs, 0, {
      min: 0,
      allowInfinity: true,
    })
    this.#chaos = options.chaos
    const retry =
      options.retry === false ? { maxAttempts: 1 } : (options.retry ?? {})
    const userRefused = retry.onBudgetExhausted
    this.#retry = resolveRetryOptions({
      clock: options.clock,
      ...retry,
      onRetry: (event) => {
        this.#retries += 1
        if (this.#events.has('retry'))
          this.#events.emit('retry', { ...event, policy: this.name })
      },
      onBudgetExhausted: (event) => {
        this.#retriesRefused += 1
        userRefused?.(event)
      },
    })
    this.#deadlines =
      this.#timeoutMs > 0 && this.#timeoutMs !== Infinity
        ? new DeadlineQueue(this.#retry.clock)
        : undefined
    const breaker = options.breaker ?? false
    if (breaker === false) {
      this.breaker = undefined
      this.#ownsBreaker = false
    } else if (isBreaker(breaker)) {
      this.breaker = breaker
      this.#ownsBreaker = false
    } else {
      this.breaker = createCircuitBreaker({ clock: options.clock, ...breaker })
      this.#ownsBreaker = true
    }
  }

  execute<T>(
    fn: (context: PolicyContext) => Promise<T>,
    options: PolicyExecuteOptions<T> = {},
  ): Promise<T> {
    this.#calls += 1
    const settings =
      options.signal === undefined
        ? this.#retry
        : { ...this.#retry, signal: options.signal }
    return runWithRetry(
      (context) => this.#attempt(fn, context, options),
      settings,
    ).then(this.#succeeded as (value: T) => T, (thrown: unknown) =>
      this.#failed(thrown, options),
    )
  }

  readonly #succeeded = (value: unknown): unknown => {
    this.#successes += 1
    return value
  }

  async #failed<T>(
    thrown: unknown,
    options: PolicyExecuteOptions<T>,
  ): Promise<T> {
    const error = classifyError(thrown, { sql: options.sql })
    this.#failures += 1
    this.#failuresByCode.add(error)
    this.#events.emit('failure', { policy: this.name, error })
    if (options.fallback === undefined) throw error
    this.#fallbacks += 1
    this.#events.emit('fallback', { policy: this.name, error })
    return options.fallback(error)
  }

  stats(): PolicyStats {
    return {
      name: this.name,
      calls: this.#calls,
      successes: this.#successes,
      failures: this.#failures,
      failuresByCode: this.#failuresByCode.toJSON(),
      retries: this.#retries,
      retriesRefused: this.#retriesRefused,
      timeouts: this.#timeouts,
      shortCircuits: this.#shortCircuits,
      fallbacks: this.#fallbacks,
      breaker: this.breaker?.stats(),
    }
  }

  on<K extends keyof PolicyEvents>(
    event: K,
    listener: Listener<PolicyEvents[K]>,
  ): () => void {
    return this.#events.on(event, listener)
  }

  off<K extends keyof PolicyEvents>(
    event: K,
    listener: Listener<PolicyEvents[K]>,
  ): void {
    this.#events.off(event, listener)
  }

  shutdown(): void {
    this.#events.clear()
    this.#deadlines?.clear()
    if (this.#ownsBreaker) this.breaker?.shutdown()
  }

  /** One attempt: breaker around timeout around (chaos, fn); errors leave classified. */
  #attempt<T>(
    fn: (context: PolicyContext) => Promise<T>,
    { attempt }: RetryContext,
    options: PolicyExecuteOptions<T>,
  ): Promise<T> {
    const guarded = (): Promise<T> => this.#timed(fn, attempt, options)
    const run =
      this.breaker === undefined ? guarded() : this.breaker.execute(guarded)
    return run.catch((error: unknown) => {
      if (isCircuitOpenError(error)) {
        this.#shortCircuits += 1
        this.#events.emit('shortCircuit', {
          policy: this.name,
          retryAfterMs: error.retryAfterMs,
        })
      }
      throw error
    })
  }

  /** Runs (chaos, fn) under the per-attempt deadline and the caller's signal; errors leave classified. */
  #timed<T>(
    fn: (context: PolicyContext) => Promise<T>,
    attempt: number,
    options: PolicyExecuteOptions<T>,
  ): Promise<T> {
    const { sql, signal } = options
    const chaos = this.#chaos
    const body =
      chaos === undefined || !chaos.enabled
        ? fn
        : (context: PolicyContext) =>
            chaos
              .maybeInject(options.operation ?? 'query')
              .then(() => fn(context))
    const deadlines = this.#deadlines
    if (deadlines === undefined && signal === undefined) {
      return callSafely(body, { attempt, signal: undefined }).catch(
        (error: unknown) => {
          throw classifyError(error, { sql })
        },
      )
    }
    if (signal?.aborted === true) {
      return Promise.reject(
        new InterruptedError('Operation was aborted', {
          cause: signal.reason,
          sql,
        }),
      )
    }
    const context = new AttemptContext(attempt)
    return new Promise<T>((resolve, reject) => {
      let settled = false
      let deadline: Deadline | undefined
      const finish = (): boolean => {
        if (settled) return false
        settled = true
        if (deadline !== undefined) deadlines?.remove(deadline)
        signal?.removeEventListener('abort', onAbort)
        return true
      }
      function onAbort(): void {
        if (!finish()) return
        const error = new InterruptedError('Operation was aborted', {
          cause: signal?.reason,
          sql,
        })
        context.abort(error)
        reject(error)
      }
      if (deadlines !== undefined) {
        deadline = deadlines.add(this.#timeoutMs, () => {
          if (!finish()) return
          const error = new QueryTimeoutError(
            `Query timed out after ${this.#timeoutMs} ms`,
            {
              timeoutMs: this.#timeoutMs,
              sql,
            },
          )
          this.#timeouts += 1
          this.#events.emit('timeout', {
            policy: this.name,
            timeoutMs: this.#timeoutMs,
            attempt,
          })
          try {
            options.onTimeout?.()
          } catch {
            // The hook is best effort: the caller gets the timeout either way.
          }
          context.abort(error)
          reject(error)
        })
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      const fail = (error: unknown): void => {
        if (finish()) reject(classifyError(error, { sql }))
      }
      let result: Promise<T>
      try {
        result = Promise.resolve(body(context))
      } catch (error) {
        fail(error)
        return
      }
      result.then((value) => {
        if (finish()) resolve(value)
      }, fail)
    })
  }
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
async function callSafely<T>(
  fn: (context: PolicyContext) => Promise<T>,
  context: PolicyContext,
): Promise<T> {
  return fn(context)
}

function isBreaker(
  value: CircuitBreaker | CircuitBreakerOptions,
): value is CircuitBreaker {
  return typeof (value as CircuitBreaker).execute === 'function'
}
