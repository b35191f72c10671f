import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  type LabelValues,
  Registry,
} from 'prom-client'
import { type ChaosControl } from './chaos-control.js'
import { type Services } from './services.js'

type Sample<L extends string> = readonly [LabelValues<L>, number]

/**
 * A Prometheus registry of the service: pool, transactions, cache, breakers,
 * chaos and model-config counters read from the packages' `stats()` at scrape
 * time, transaction durations from events, HTTP request durations observed by
 * the app, and the default process metrics.
 */
export class ServiceMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry()
  /** Durations of HTTP requests by method, route template and status code. */
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>
  readonly #unsubscribe: (() => void)[] = []

  /** Registers every metric over `services`. */
  constructor(services: Services, chaos: ChaosControl) {
    const registry = this.registry
    collectDefaultMetrics({ register: registry })
    // Gauges named like counters; the same values are in the names without `_total`.
    for (const name of ['handles', 'requests', 'resources']) {
      registry.removeSingleMetric(`nodejs_active_${name}_total`)
    }
    this.httpDuration = new Histogram({
      name: 'duckkit_http_request_duration_seconds',
      help: 'Duration of HTTP requests by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5,
      ],
      registers: [registry],
    })

    const {
      pool,
      transactionManager: tm,
      queryCache: cache,
      breakers,
    } = services
    const gauge = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      read: () => readonly Sample<L>[],
    ): void => {
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset()
          for (const [labels, value] of read()) this.set(labels, value)
        },
      })
    }
    const counter = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      read: () => readonly Sample<L>[],
    ): void => {
      new Counter<L>({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset()
          for (const [labels, value] of read()) this.inc(labels, value)
        },
      })
    }
    const one = (value: number): readonly Sample<never>[] => [[{}, value]]

    // Pool.
    gauge(
      'duckkit_pool_connections',
      'Open pool connections by state.',
      ['state'],
      () => {
        const s = pool.stats()
        return [
          [{ state: 'idle' }, s.idle],
          [{ state: 'in_use' }, s.inUse],
          [{ state: 'pending' }, s.pending],
        ]
      },
    )
    gauge('duckkit_pool_max_connections', 'Configured pool maximum.', [], () =>
      one(pool.stats().max),
    )
    gauge('duckkit_pool_waiting', 'Callers waiting for a connection.', [], () =>
      one(pool.stats().waiting),
    )
    gauge(
      'duckkit_pool_up',
      'Whether the pool is open (1) or down, closing or closed (0).',
      [],
      () => one(pool.stats().state === 'open' ? 1 : 0),
    )
    const waits = [
      ['p50', 'Median'],
      ['p95', '95th percentile of the'],
      ['p99', '99th percentile of the'],
      ['max', 'Longest'],
    ] as const
    for (const [key, words] of waits) {
      gauge(
        `duckkit_pool_acquire_wait_${key}_seconds`,
        `${words} connection acquire wait over the most recent acquires (at most 1024).`,
        [],
        () => one(pool.stats().acquireWaitMs[key] / 1000),
      )
    }
    counter('duckkit_pool_acquires_total', 'Connections lent out.', [], () =>
      one(pool.stats().acquired),
    )
    counter(
      'duckkit_pool_acquire_timeouts_total',
      'Acquires that timed out.',
      [],
      () => one(pool.stats().timeouts),
    )
    counter(
      'duckkit_pool_queue_full_total',
      'Acquires refused because the wait queue was full.',
      [],
      () => one(pool.stats().queueFull),
    )
    counter(
      'duckkit_pool_leaks_total',
      'Connections held longer than the leak threshold.',
      [],
      () => one(pool.stats().leaks),
    )
    counter(
      'duckkit_pool_connections_created_total',
      'Connections opened.',
      [],
      () => one(pool.stats().created),
    )
    counter(
      'duckkit_pool_connections_destroyed_total',
      'Connections closed.',
      [],
      () => one(pool.stats().destroyed),
    )
    counter(
      'duckkit_pool_statement_timeouts_total',
      'Statements interrupted by their deadline.',
      [],
      () => one(pool.stats().statementTimeouts),
    )
    counter(
      'duckkit_pool_statement_errors_total',
      'Statements that failed with a database error.',
      [],
      () => one(pool.stats().statementErrors),
    )
    counter(
      'duckkit_pool_statement_cache_hits_total',
      'Statements run from a prepared statement the pool kept.',
      [],
      () => one(pool.stats().statementCache.hits),
    )
    counter(
      'duckkit_pool_statement_cache_prepared_total',
      'Statements prepared and kept by the pool.',
      [],
      () => one(pool.stats().statementCache.prepared),
    )

    // Transactions.
    gauge('duckkit_tx_active', 'Transactions in progress.', [], () =>
      one(tm.stats().active),
    )
    counter('duckkit_tx_commits_total', 'Transactions committed.', [], () =>
      one(tm.stats().committed),
    )
    counter(
      'duckkit_tx_rollbacks_total',
      'Transactions finally rolled back.',
      [],
      () => one(tm.stats().rolledBack),
    )
    counter(
      'duckkit_tx_retries_total',
      'Transaction retries by reason.',
      ['reason'],
      () =>
        Object.entries(tm.stats().retries).map(
          ([reason, n]) => [{ reason }, n] as const,
        ),
    )
    counter(
      'duckkit_tx_conflicts_total',
      'Conflicts by where they surfaced.',
      ['source'],
      () =>
        Object.entries(tm.stats().conflicts).map(
          ([source, n]) => [{ source }, n] as const,
        ),
    )
    counter(
      'duckkit_tx_replays_total',
      'Savepoint rollbacks that replayed statements.',
      [],
      () => one(tm.stats().replays),
    )
    counter(
      'duckkit_tx_timeouts_total',
      'Transactions stopped by a timeout or the age limit.',
      [],
      () => {
        const s = tm.stats()
        return one(s.timeouts + s.expired)
      },
    )
    const txDuration = new Histogram({
      name: 'duckkit_tx_duration_seconds',
      help: 'Duration of transactions (first attempt to outcome) by outcome.',
      labelNames: ['outcome'],
      buckets: [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5,
      ],
      registers: [registry],
    })
    this.#unsubscribe.push(
      tm.on('commit', (event) =>
        txDuration.observe({ outcome: 'commit' }, event.durationMs / 1000),
      ),
      tm.on('rollback', (event) =>
        txDuration.observe({ outcome: 'rollback' }, event.durationMs / 1000),
      ),
    )

    // Cache.
    counter(
      'duckkit_cache_hits_total',
      'Values served from the cache by tier.',
      ['tier'],
      () => {
        const s = cache.stats()
        return [
          [{ tier: 'l1' }, s.l1.hits],
          [{ tier: 'l2' }, s.l2.hits],
        ]
      },
    )
    counter(
      'duckkit_cache_misses_total',
      'Lookups a tier could not serve, by tier.',
      ['tier'],
      () => {
        const s = cache.stats()
        return [
          [{ tier: 'l1' }, s.l1.misses],
          [{ tier: 'l2' }, s.l2.misses],
        ]
      },
    )
    counter(
      'duckkit_cache_loads_total',
      'Queries run because no tier could serve them.',
      [],
      () => one(cache.stats().misses),
    )
    counter(
      'duckkit_cache_invalidations_total',
      'Invalidations made or received, by kind.',
      ['kind'],
      () => {
        const { invalidations } = cache.stats()
        const sum = (record: Readonly<Record<string, number>>) =>
          Object.values(record).reduce((total, n) => total + n, 0)
        return [
          [{ kind: 'table' }, sum(invalidations.tables)],
          [{ kind: 'tag' }, sum(invalidations.tags)],
          [{ kind: 'all' }, invalidations.all],
        ]
      },
    )
    counter(
      'duckkit_cache_bus_messages_total',
      'Invalidation bus messages received.',
      [],
      () => one(cache.stats().bus.messages),
    )
    counter(
      'duckkit_cache_bus_gaps_total',
      'Invalidation bus sequence gaps (each dropped L1).',
      [],
      () => one(cache.stats().bus.gaps),
    )
    counter(
      'duckkit_cache_l2_errors_total',
      'Redis commands that failed or timed out.',
      [],
      () => one(cache.stats().l2.errors),
    )
    gauge('duckkit_cache_entries', 'Entries held in the memory tier.', [], () =>
      one(cache.stats().l1.entries),
    )
    gauge(
      'duckkit_cache_bytes',
      'Serialized bytes held in the memory tier.',
      [],
      () => one(cache.stats().l1.bytes),
    )
    gauge(
      'duckkit_cache_bus_trusted',
      'Whether the memory tier may be trusted (bus in sync).',
      [],
      () => one(cache.stats().bus.trusted ? 1 : 0),
    )

    // Breakers (the database ones, plus the cache's Redis breaker when Redis is configured).
    const STATES = ['closed', 'open', 'half-open'] as const
    const breakerStates = (): [string, string][] => {
      const result: [string, string][] = Object.entries(breakers.stats()).map(
        ([name, s]) => [name, s.state],
      )
      const l2 = cache.stats().l2
      if (l2.enabled) result.push(['redis', l2.breaker])
      return result
    }
    gauge(
      'duckkit_breaker_state',
      'Circuit breaker state (1 for the current one).',
      ['breaker', 'state'],
      () =>
        breakerStates().flatMap(([breaker, current]) =>
          STATES.map(
            (state) => [{ breaker, state }, state === current ? 1 : 0] as const,
          ),
        ),
    )
    counter(
      'duckkit_breaker_transitions_total',
      'Circuit breaker transitions by target state.',
      ['breaker', 'to'],
      () =>
        Object.entries(breakers.stats()).flatMap(([breaker, s]) => [
          [{ breaker, to: 'open' }, s.transitions.open] as const,
          [{ breaker, to: 'half-open' }, s.transitions.halfOpen] as const,
          [{ breaker, to: 'closed' }, s.transitions.close] as const,
        ]),
    )
    counter(
      'duckkit_breaker_short_circuits_total',
      'Calls refused by an open breaker.',
      ['breaker'],
      () =>
        Object.entries(breakers.stats()).map(
          ([breaker, s]) => [{ breaker }, s.shortCircuits] as const,
        ),
    )
    counter(
      'duckkit_breaker_failures_total',
      'Failures that counted toward opening.',
      ['breaker'],
      () =>
        Object.entries(breakers.stats()).map(
          ([breaker, s]) => [{ breaker }, s.failures] as const,
        ),
    )

    // Chaos and model-config.
    gauge('duckkit_chaos_enabled', 'Whether fault injection is on.', [], () =>
      one(chaos.state().enabled ? 1 : 0),
    )
    counter(
      'duckkit_chaos_injected_total',
      'Faults injected, by kind.',
      ['kind'],
      () =>
        Object.entries(chaos.state().byKind).map(
          ([kind, n]) => [{ kind }, n] as const,
        ),
    )
    const models = services.modelConfigService
    counter(
      'duckkit_model_config_reads_total',
      'Model-config read calls served.',
      [],
      () => one(models.stats().reads),
    )
    counter(
      'duckkit_model_config_writes_total',
      'Model-config writes committed.',
      [],
      () => one(models.stats().writes),
    )
    counter(
      'duckkit_model_config_validation_errors_total',
      'Model-config calls refused for invalid input.',
      [],
      () => one(models.stats().validationErrors),
    )
  }

  /** The text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics()
  }

  /** Content type of {@link ServiceMetrics.render}. */
  get contentType(): string {
    return this.registry.contentType
  }

  /** Removes the event listeners the metrics added. */
  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
    this.registry.clear()
  }
}
