import { type CircuitBreaker, type Clock } from '@duckkit/resilience'
import { CacheRedisTimeoutError } from './errors.js'

/**
 * Runs every Redis command through the L2 circuit breaker and a deadline, so
 * a slow or dead Redis costs a caller at most `timeoutMs` (and nothing while
 * the breaker is open). Failures are reported, then rethrown for the caller
 * to degrade on (or, for {@link RedisGuard.attempt}, turned into `undefined`).
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
      .execute(() => this.#send(operation, fn))
      .catch((error: unknown) => {
        this.#onError(operation, error)
        throw error
      })
  }

  /**
   * Runs `fn` like {@link run} and hands its result to `onValue`; a failure
   * is reported and resolves `undefined`. For the reads on the hot path: a
   * closed breaker runs every command, so then the command is sent at once,
   * `onValue` gets the reply first and the breaker records the success after
   * it (a failure resolves once the breaker has counted and reported it).
   */
  attempt<T, R>(
    operation: string,
    fn: () => Promise<T>,
    onValue: (value: T) => R,
  ): Promise<R | undefined> {
    const breaker = this.#breaker
    const report = (error: unknown): undefined => {
      this.#onError(operation, error)
      return undefined
    }
    if (breaker.state !== 'closed' || breaker.isShutdown) {
      return breaker
        .execute(() => this.#send(operation, fn))
        .then(onValue, report)
    }
    const sent = this.#send(operation, fn)
    // A failure resolves once the breaker has counted and reported it.
    const result = sent.then(onValue, () => accounted)
    // A reply reaches the breaker only after it has been handed on, so the
    // breaker's bookkeeping runs after the caller's continuation.
    const handedOn = (value: T): Promise<T> =>
      result.then(
        () => value,
        () => value,
      )
    const accounted = breaker
      .execute(() => sent.then(handedOn))
      .then(miss, report)
    return result
  }

  /** Stops the breaker. */
  shutdown(): void {
    this.#breaker.shutdown()
  }

  /** Sends the command, with a timer unless the client enforces the deadline itself. */
  #send<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return this.#clientTimeoutMs <= this.#timeoutMs
      ? invoke(fn)
      : this.#deadline(operation, fn)
  }

  #deadline<T>(operation: string, fn: () => Promise<T>): Promise<T> {
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

/** Calls `fn`, turning a synchronous throw into a rejection (without an async wrapper's extra ticks). */
function invoke<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn()
  } catch (error) {
    return Promise.resolve().then(() => {
      throw error
    })
  }
}

function miss(): undefined {
  return undefined
}
