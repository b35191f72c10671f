import { createCircuitBreaker } from './circuit-breaker.js'
import {
  type CircuitBreaker,
  type CircuitBreakerEvents,
  type CircuitBreakerStats,
} from './circuit-breaker-types.js'
import {
  type CircuitBreakerOptions,
  resolveCircuitBreakerOptions,
} from './circuit-breaker-options.js'
import { Emitter, type Listener } from './emitter.js'

/** Options shared by every breaker of a {@link BreakerRegistry}. */
export type BreakerDefaults = Omit<CircuitBreakerOptions, 'name'>

/** Events of a {@link BreakerRegistry}: a breaker of the registry changed state. */
export interface BreakerRegistryEvents {
  /** A breaker of the registry moved from one state to another. */
  stateChange: CircuitBreakerEvents['stateChange']
}

/**
 * Circuit breakers keyed by name, one per database. Breakers are created on
 * first use; `close(name)` and `closeAll()` shut them down and forget them,
 * leaving no listeners or timers behind.
 *
 * @example
 * ```ts
 * const breakers = new BreakerRegistry({ resetTimeoutMs: 5_000 })
 * const rows = await breakers.get('analytics').execute(() => connection.runAndReadAll(sql))
 * ```
 */
export class BreakerRegistry {
  readonly #defaults: BreakerDefaults
  readonly #breakers = new Map<string, CircuitBreaker>()
  readonly #events = new Emitter<BreakerRegistryEvents>()
  readonly #forward = (payload: CircuitBreakerEvents['stateChange']): void => {
    this.#events.emit('stateChange', payload)
  }

  /** Validates `defaults` at once, so a bad option fails here rather than at first use. */
  constructor(defaults: BreakerDefaults = {}) {
    resolveCircuitBreakerOptions({ ...defaults, name: 'defaults' })
    this.#defaults = { ...defaults }
  }

  /** Number of live breakers. */
  get size(): number {
    return this.#breakers.size
  }

  /** Returns the breaker called `name`, creating it with the defaults and `options` (used only on creation). */
  get(name: string, options: BreakerDefaults = {}): CircuitBreaker {
    const existing = this.#breakers.get(name)
    if (existing !== undefined) return existing
    const breaker = createCircuitBreaker({
      ...this.#defaults,
      ...options,
      name,
    })
    breaker.on('stateChange', this.#forward)
    this.#breakers.set(name, breaker)
    return breaker
  }

  /** Whether a breaker called `name` exists. */
  has(name: string): boolean {
    return this.#breakers.has(name)
  }

  /** Names of the live breakers. */
  names(): string[] {
    return [...this.#breakers.keys()]
  }

  /** Shuts down the breaker called `name` and forgets it; returns whether it existed. */
  close(name: string): boolean {
    const breaker = this.#breakers.get(name)
    if (breaker === undefined) return false
    this.#breakers.delete(name)
    breaker.shutdown()
    return true
  }

  /** Shuts down and forgets every breaker; the registry stays usable. */
  closeAll(): void {
    for (const name of [...this.#breakers.keys()]) this.close(name)
  }

  /** Shuts down every breaker and removes the registry's own listeners. */
  shutdown(): void {
    this.closeAll()
    this.#events.clear()
  }

  /** Stats of every live breaker, by name. */
  stats(): Record<string, CircuitBreakerStats> {
    const result: Record<string, CircuitBreakerStats> = {}
    for (const [name, breaker] of this.#breakers) result[name] = breaker.stats()
    return result
  }

  /** Adds a listener and returns a function that removes it. */
  on<K extends keyof BreakerRegistryEvents>(
    event: K,
    listener: Listener<BreakerRegistryEvents[K]>,
  ): () => void {
    return this.#events.on(event, listener)
  }

  /** Removes a listener. */
  off<K extends keyof BreakerRegistryEvents>(
    event: K,
    listener: Listener<BreakerRegistryEvents[K]>,
  ): void {
    this.#events.off(event, listener)
  }
}
