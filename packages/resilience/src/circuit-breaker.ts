import { EventEmitter } from 'node:events'
import Opossum from 'opossum'
import {
  type CircuitBreakerOptions,
  type CircuitBreakerSettings,
  resolveCircuitBreakerOptions,
} from './circuit-breaker-options.js'
import {
  type CircuitBreaker,
  type CircuitBreakerEvents,
  type CircuitBreakerStats,
  type CircuitState,
} from './circuit-breaker-types.js'
import { Emitter, type Listener } from './emitter.js'
import { CircuitOpenError } from './errors.js'
import { FailureCounts } from './failure-counts.js'

type Action = () => Promise<unknown>

/**
 * Creates a circuit breaker on opossum. Only errors that say something about
 * the database's health count toward opening (by default `countsAsFailure`:
 * transient and fatal errors, not syntax, constraint, catalog or data errors).
 * After `resetTimeoutMs` one probe call goes through (half-open); its success
 * closes the breaker, its failure opens it again.
 *
 * @example
 * ```ts
 * const breaker = createCircuitBreaker({ name: 'analytics.duckdb' })
 * const rows = await breaker.execute(() => connection.runAndReadAll(sql))
 * ```
 */
export function createCircuitBreaker(
  options: CircuitBreakerOptions,
): CircuitBreaker {
  return new OpossumCircuitBreaker(resolveCircuitBreakerOptions(options))
}

class OpossumCircuitBreaker implements CircuitBreaker {
  readonly name: string
  readonly #settings: CircuitBreakerSettings
  readonly #opossum: Opossum<[Action], unknown>
  readonly #rotator = new EventEmitter()
  readonly #events: Emitter<CircuitBreakerEvents>
  readonly #bucketMs: number
  readonly #failuresByCode = new FailureCounts()
  #bucket: number
  #state: CircuitState = 'closed'
  #openedAt = 0
  #shutdown = false
  #calls = 0
  #successes = 0
  #failures = 0
  #ignored = 0
  #shortCircuits = 0
  #transitions = { open: 0, halfOpen: 0, close: 0 }

  constructor(settings: CircuitBreakerSettings) {
    this.name = settings.name
    this.#settings = settings
    this.#events = new Emitter((error) => {
      settings.logger?.error(
        { err: error, breaker: settings.name },
        'circuit breaker listener threw',
      )
    })
    this.#bucketMs = settings.rollingWindowMs / settings.rollingBuckets
    this.#bucket = Math.floor(settings.clock.now() / this.#bucketMs)
    this.#opossum = new Opossum<[Action], unknown>((action) => action(), {
      name: settings.name,
      timeout: false,
      resetTimeout: settings.resetTimeoutMs,
      errorThresholdPercentage: settings.failureThreshold * 100,
      volumeThreshold: settings.volumeThreshold,
      rollingCountTimeout: settings.rollingWindowMs,
      rollingCountBuckets: settings.rollingBuckets,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      rotateBucketController: this.#rotator,
      errorFilter: (error: unknown) => !this.#counts(error),
    })
    this.#opossum.on('open', () => {
      this.#openedAt = settings.clock.now()
      this.#transition('open')
    })
    this.#opossum.on('halfOpen', () => {
      this.#transition('half-open')
    })
    this.#opossum.on('close', () => {
      this.#transition('closed')
    })
  }

  get state(): CircuitState {
    return this.#state
  }

  get isShutdown(): boolean {
    return this.#shutdown
  }

  execute<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#shutdown)
      return Promise.reject(new CircuitOpenError(this.name, Infinity))
    this.#calls += 1
    this.#rotate()
    return this.#opossum
      .fire(fn)
      .then(this.#onSuccess, this.#onError) as Promise<T>
  }

  retryAfterMs(): number {
    if (this.#state !== 'open') return 0
    return Math.max(
      0,
      this.#openedAt +
        this.#settings.resetTimeoutMs -
        this.#settings.clock.now(),
    )
  }

  stats(): CircuitBreakerStats {
    this.#rotate()
    const window = this.#opossum.stats
    return {
      name: this.name,
      state: this.#state,
      calls: this.#calls,
      successes: this.#successes,
      failures: this.#failures,
      ignoredErrors: this.#ignored,
      shortCircuits: this.#shortCircuits,
      failuresByCode: this.#failuresByCode.toJSON(),
      transitions: { ...this.#transitions },
      retryAfterMs: this.retryAfterMs(),
      window: { calls: window.fires, failures: window.failures },
    }
  }

  on<K extends keyof CircuitBreakerEvents>(
    event: K,
    listener: Listener<CircuitBreakerEvents[K]>,
  ): () => void {
    return this.#events.on(event, listener)
  }

  off<K extends keyof CircuitBreakerEvents>(
    event: K,
    listener: Listener<CircuitBreakerEvents[K]>,
  ): void {
    this.#events.off(event, listener)
  }

  shutdown(): void {
    if (this.#shutdown) return
    this.#shutdown = true
    this.#opossum.shutdown()
    this.#rotator.removeAllListeners()
    this.#events.clear()
  }

  readonly #onSuccess = (value: unknown): unknown => {
    this.#successes += 1
    return value
  }

  readonly #onError = (error: unknown): never => {
    if (isOpossumError(error)) {
      const retryAfterMs =
        error.code === 'EOPENBREAKER' ? this.retryAfterMs() : Infinity
      this.#shortCircuits += 1
      if (this.#events.has('shortCircuit')) {
        this.#events.emit('shortCircuit', { name: this.name, retryAfterMs })
      }
      throw new CircuitOpenError(this.name, retryAfterMs, { cause: error })
    }
    const counted = this.#counts(error)
    if (counted) this.#failures += 1
    else this.#ignored += 1
    this.#failuresByCode.add(error)
    if (this.#events.has('failure')) {
      this.#events.emit('failure', { name: this.name, error, counted })
    }
    throw error
  }

  #counts(error: unknown): boolean {
    try {
      return this.#settings.isFailure(error)
    } catch {
      return true
    }
  }

  /** Advances opossum's rolling window by the buckets that elapsed on our clock (no timers). */
  #rotate(): void {
    const bucket = Math.floor(this.#settings.clock.now() / this.#bucketMs)
    if (bucket <= this.#bucket) return
    const steps = Math.min(bucket - this.#bucket, this.#settings.rollingBuckets)
    this.#bucket = bucket
    for (let step = 0; step < steps; step += 1) this.#rotator.emit('rotate')
  }

  #transition(to: CircuitState): void {
    const from = this.#state
    if (from === to) return
    this.#state = to
    if (to === 'open') this.#transitions.open += 1
    else if (to === 'half-open') this.#transitions.halfOpen += 1
    else this.#transitions.close += 1
    const retryAfterMs = this.retryAfterMs()
    const logger = this.#settings.logger
    if (to === 'open')
      logger?.warn(
        { breaker: this.name, retryAfterMs },
        'circuit breaker opened',
      )
    else if (to === 'closed')
      logger?.info({ breaker: this.name }, 'circuit breaker closed')
    this.#events.emit('stateChange', {
      name: this.name,
      from,
      to,
      retryAfterMs,
    })
  }
}

function isOpossumError(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error) || !Opossum.isOurError(error)) return false
  const code = (error as { code?: unknown }).code
  return code === 'EOPENBREAKER' || code === 'ESHUTDOWN'
}
