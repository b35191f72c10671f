import {
  type ChaosInjector,
  type ChaosKind,
  type ChaosStats,
} from '@duckkit/resilience'

/** What `/admin/chaos` turns on. */
export interface ChaosRequest {
  /** Share of database operations that get a fault, in [0, 1]. */
  readonly rate: number
  /** Faults to choose from. */
  readonly kinds: readonly ChaosKind[]
  /** Added latency in milliseconds (kind `latency`): a fixed value or `[min, max]`. */
  readonly latencyMs?: number | readonly [number, number]
  /** How long injection stays on, in milliseconds. */
  readonly durationMs: number
  /** Seed of the random sequence, to replay a run. */
  readonly seed?: number
}

/** What `GET /admin/chaos` shows. */
export interface ChaosState extends ChaosStats {
  /** The settings of the last `enable`, or null before the first. */
  readonly settings: ChaosRequest | null
  /** When injection turns itself off (ISO 8601), or null when it is off. */
  readonly until: string | null
}

/** Wraps the chaos injector with the settings it was last given, for display. */
export class ChaosControl {
  readonly #injector: ChaosInjector
  readonly #now: () => number
  #settings: ChaosRequest | null = null
  #until = 0

  /** Wraps `injector`; `now` is the wall clock used for `until`. */
  constructor(injector: ChaosInjector, now: () => number = Date.now) {
    this.#injector = injector
    this.#now = now
  }

  /** Turns injection on for `durationMs`. */
  enable(request: ChaosRequest): ChaosState {
    this.#injector.enable({
      rate: request.rate,
      kinds: request.kinds,
      durationMs: request.durationMs,
      ...(request.latencyMs === undefined
        ? {}
        : { latencyMs: request.latencyMs }),
      ...(request.seed === undefined ? {} : { seed: request.seed }),
    })
    this.#settings = request
    this.#until = this.#now() + request.durationMs
    return this.state()
  }

  /** Turns injection off. */
  disable(): ChaosState {
    this.#injector.disable()
    return this.state()
  }

  /** Counters and settings. */
  state(): ChaosState {
    const stats = this.#injector.stats()
    return {
      ...stats,
      settings: this.#settings,
      until: stats.enabled ? new Date(this.#until).toISOString() : null,
    }
  }
}
