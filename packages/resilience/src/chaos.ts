import {
  CHAOS_KINDS,
  type ChaosKind,
  type ChaosOptions,
  type ChaosSettings,
  resolveChaosSettings,
} from './chaos-options.js'
import { type Clock, systemClock } from './clock.js'
import { type DatabaseError } from './database-error.js'
import { delay } from './delay.js'
import { Emitter, type Listener } from './emitter.js'
import {
  FatalDatabaseError,
  IoError,
  QueryTimeoutError,
  TransactionConflictError,
} from './errors.js'
import { seededRandom } from './seeded-random.js'
import { clockOption, numberOption } from './validate.js'

/** What the chaos injector puts as `cause` on the errors it raises. */
export interface ChaosCause {
  /** Always true: the error was injected, not raised by DuckDB. */
  readonly chaos: true
  /** The operation name passed to `maybeInject`. */
  readonly operation: string
  /** The fault that was injected. */
  readonly kind: ChaosKind
}

/** Events of a {@link ChaosInjector}. */
export interface ChaosEvents {
  /** A fault was injected. */
  inject: {
    /** The operation name passed to `maybeInject`. */
    readonly operation: string
    /** The fault. */
    readonly kind: ChaosKind
    /** Added latency in milliseconds (0 unless `kind` is `latency`). */
    readonly latencyMs: number
  }
}

/** Counters of a {@link ChaosInjector}. */
export interface ChaosStats {
  /** Whether injection is on right now. */
  readonly enabled: boolean
  /** Seed of the current random sequence, to replay a run. */
  readonly seed: number
  /** Calls to `maybeInject` while enabled. */
  readonly checks: number
  /** Faults injected. */
  readonly injected: number
  /** Faults injected, by kind. */
  readonly byKind: Readonly<Record<ChaosKind, number>>
}

/** Options of {@link ChaosInjector.enable}. */
export interface ChaosEnableOptions extends ChaosOptions {
  /** Turn injection off again after this many milliseconds. @default undefined (until `disable()`) */
  durationMs?: number | undefined
}

/** Options of {@link createChaosInjector}. */
export interface ChaosInjectorOptions extends ChaosOptions {
  /** Whether injection starts enabled. @default false */
  enabled?: boolean | undefined
}

/** Injects faults and latency into database calls, deterministically for a given seed. */
export interface ChaosInjector {
  /** Whether injection is on right now. */
  readonly enabled: boolean
  /** Turns injection on, optionally changing options (a new `seed` restarts the sequence). */
  enable(options?: ChaosEnableOptions): void
  /** Turns injection off. */
  disable(): void
  /** Maybe delays or rejects with an injected error; resolves at once when disabled. */
  maybeInject(operation: string): Promise<void>
  /** Current counters. */
  stats(): ChaosStats
  /** Adds a listener and returns a function that removes it. */
  on<K extends keyof ChaosEvents>(
    event: K,
    listener: Listener<ChaosEvents[K]>,
  ): () => void
  /** Removes a listener. */
  off<K extends keyof ChaosEvents>(
    event: K,
    listener: Listener<ChaosEvents[K]>,
  ): void
}

const DONE = Promise.resolve()

/**
 * Creates a seeded chaos injector. At the given `rate` it raises the same error
 * classes the taxonomy produces for real faults (conflict, I/O, timeout,
 * fatal) or adds latency. When disabled, `maybeInject` costs one property read.
 *
 * @example
 * ```ts
 * const chaos = createChaosInjector({ seed: 42, rate: 0.05, kinds: ['conflict', 'latency'] })
 * chaos.enable({ durationMs: 60_000 })
 * await chaos.maybeInject('query')
 * ```
 */
export function createChaosInjector(
  options: ChaosInjectorOptions = {},
): ChaosInjector {
  return new SeededChaosInjector(options)
}

/** Whether an error was raised by a chaos injector rather than by DuckDB. */
export function isInjectedByChaos(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const cause = (error as { cause?: unknown }).cause
  return (
    typeof cause === 'object' &&
    cause !== null &&
    (cause as ChaosCause).chaos === true
  )
}

class SeededChaosInjector implements ChaosInjector {
  readonly #clock: Clock
  readonly #events = new Emitter<ChaosEvents>()
  #settings: ChaosSettings
  #seed: number
  #random: () => number
  #on: boolean
  #until = Infinity
  #checks = 0
  #injected = 0
  #byKind = Object.fromEntries(CHAOS_KINDS.map((kind) => [kind, 0])) as Record<
    ChaosKind,
    number
  >

  constructor(options: ChaosInjectorOptions) {
    this.#clock = clockOption(options.clock, systemClock)
    this.#settings = resolveChaosSettings(options, undefined)
    this.#seed = seedOf(options.seed) ?? Math.floor(Math.random() * 2 ** 32)
    this.#random = seededRandom(this.#seed)
    this.#on = options.enabled === true
  }

  get enabled(): boolean {
    if (
      this.#on &&
      this.#until !== Infinity &&
      this.#clock.now() >= this.#until
    ) {
      this.#on = false
    }
    return this.#on
  }

  enable(options: ChaosEnableOptions = {}): void {
    const settings = resolveChaosSettings(options, this.#settings)
    const durationMs = numberOption(
      'durationMs',
      options.durationMs,
      Infinity,
      {
        above: 0,
        allowInfinity: true,
      },
    )
    const seed = seedOf(options.seed)
    this.#settings = settings
    if (seed !== undefined) {
      this.#seed = seed
      this.#random = seededRandom(seed)
    }
    this.#until =
      durationMs === Infinity ? Infinity : this.#clock.now() + durationMs
    this.#on = true
  }

  disable(): void {
    this.#on = false
  }

  maybeInject(operation: string): Promise<void> {
    if (!this.#on || !this.enabled) return DONE
    this.#checks += 1
    const { rate, kinds, latency } = this.#settings
    if (this.#random() >= rate) return DONE
    const kind = kinds[Math.floor(this.#random() * kinds.length)] ?? 'latency'
    const latencyMs =
      kind === 'latency'
        ? latency[0] + (latency[1] - latency[0]) * this.#random()
        : 0
    this.#injected += 1
    this.#byKind[kind] += 1
    this.#events.emit('inject', { operation, kind, latencyMs })
    if (kind === 'latency') return delay(latencyMs, this.#clock, undefined)
    return Promise.reject(injectedError(kind, operation))
  }

  stats(): ChaosStats {
    return {
      enabled: this.enabled,
      seed: this.#seed,
      checks: this.#checks,
      injected: this.#injected,
      byKind: { ...this.#byKind },
    }
  }

  on<K extends keyof ChaosEvents>(
    event: K,
    listener: Listener<ChaosEvents[K]>,
  ): () => void {
    return this.#events.on(event, listener)
  }

  off<K extends keyof ChaosEvents>(
    event: K,
    listener: Listener<ChaosEvents[K]>,
  ): void {
    this.#events.off(event, listener)
  }
}

function injectedError(
  kind: Exclude<ChaosKind, 'latency'>,
  operation: string,
): DatabaseError {
  const cause: ChaosCause = { chaos: true, operation, kind }
  const note = ` [injected by chaos in ${operation}]`
  switch (kind) {
    case 'conflict':
      return new TransactionConflictError(
        `TransactionContext Error: Conflict on update!${note}`,
        {
          exceptionType: 'TransactionContext',
          cause,
        },
      )
    case 'io':
      return new IoError(
        `IO Error: Could not read from file "chaos.duckdb"${note}`,
        {
          exceptionType: 'IO',
          cause,
        },
      )
    case 'timeout':
      return new QueryTimeoutError(`Query timed out${note}`, {
        timeoutMs: 0,
        cause,
      })
    case 'fatal':
      return new FatalDatabaseError(
        `FATAL Error: database has been invalidated because of a previous fatal error${note}`,
        { exceptionType: 'FATAL', cause },
      )
  }
}

function seedOf(seed: number | undefined): number | undefined {
  if (seed === undefined) return undefined
  return numberOption('seed', seed, 0, { integer: true }) >>> 0
}
