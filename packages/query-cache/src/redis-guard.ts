import { type CircuitBreaker, type Clock } from '@duckkit/resilience'
import { CacheRedisTimeoutError } from './errors.js'

/**
 * Runs every Redis command through the L2 circuit breaker and a deadline, so
 * a slow or dead Redis costs a caller at most `timeoutMs` (and nothing while
 * the breaker is open). Failures are reported, then rethrown for the caller
 * to degrade on.
 */
export class RedisGuard {
  readonly #breaker: CircuitBreaker
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #onError: (operation: string, error: unknown) => void
  readonly #clientTimeoutMs: number

  /**
   * `clientTimeoutMs` is the command timeout the client enforces itself
   * (ioredis `commandTimeout`); when it is within the deadline no extra timer
   * is armed per command.
   */
  constructor(
    breaker: CircuitBreaker,
    clock: Clock,
    timeoutMs: number,
    onError: (operation: string, error: unknown) => void,
    clientTimeoutMs = Infinity,
  ) {
    this.#breaker = breaker
    this.#clock = clock
    this.#timeoutMs = timeoutMs
    this.#onError = onError
    this.#clientTimeoutMs = clientTimeoutMs
  }

  /** The breaker's state. */
  get state(): CircuitBreaker['state'] {
    return this.#breaker.state
  }

  /** Runs `fn` (one Redis command) with the breaker and the deadline. */
  run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return this.#breaker
      .execute(() => this.#deadline(operation, fn))
      .catch((error: unknown) => {
        this.#onError(operation, error)
        throw error
      })
  }

  /** Stops the breaker. */
  shutdown(): void {
    this.#breaker.shutdown()
  }

  #deadline<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.#clientTimeoutMs <= this.#timeoutMs) return invoke(fn)
    return new Promise<T>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        reject(new CacheRedisTimeoutError(operation, this.#timeoutMs))
      }, this.#timeoutMs)
      invoke(fn)
        .finally(() => {
          this.#clock.clearTimeout(timer)
        })
        .then(resolve, reject)
    })
  }
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
async function invoke<T>(fn: () => Promise<T>): Promise<T> {
  return fn()
}
