/** Counters of a query cache since it was created (see `cache.stats()`). */
export interface QueryCacheStats {
  /** The namespace. */
  readonly namespace: string
  /** Id of this instance on the bus. */
  readonly instanceId: string
  /** In-process tier. */
  readonly l1: {
    /** Values served from L1. */
    readonly hits: number
    /** Lookups L1 could not serve. */
    readonly misses: number
    /** Entries held. */
    readonly entries: number
    /** Serialized bytes held. */
    readonly bytes: number
  }
  /** Redis tier. */
  readonly l2: {
    /** Whether a Redis is configured. */
    readonly enabled: boolean
    /** Values served from L2. */
    readonly hits: number
    /** Lookups L2 could not serve. */
    readonly misses: number
    /** Redis commands that failed, timed out or were refused by the breaker. */
    readonly errors: number
    /** State of the L2 circuit breaker (`none` without Redis). */
    readonly breaker: 'closed' | 'open' | 'half-open' | 'none'
  }
  /** Values served from any tier. */
  readonly hits: number
  /** Factory runs (cache misses). */
  readonly misses: number
  /** `hits / (hits + misses)`, 0 before the first lookup. */
  readonly hitRate: number
  /** Callers that joined a running factory of the same key instead of starting one. */
  readonly singleFlightJoins: number
  /** TTL-expired values served inside the stale-while-revalidate window. */
  readonly staleServed: number
  /** Calls that went straight to the factory or database (volatile SQL, writes in the transaction, deferred invalidations). */
  readonly bypassed: number
  /** Values returned uncached because they were too large or not serializable. */
  readonly uncacheable: number
  /** Invalidations made or received. */
  readonly invalidations: {
    /** Per normalised table. */
    readonly tables: Readonly<Record<string, number>>
    /** Per tag. */
    readonly tags: Readonly<Record<string, number>>
    /** Namespace-wide invalidations (`clear`, unknown write targets). */
    readonly all: number
  }
  /** The Redis pub/sub bus. */
  readonly bus: {
    /** Whether a bus is running (with Redis). */
    readonly enabled: boolean
    /** Whether L1 may be trusted now (bus in sync and lease held). */
    readonly trusted: boolean
    /** Messages received. */
    readonly messages: number
    /** Sequence gaps detected (each dropped L1). */
    readonly gaps: number
    /** Times the whole L1 was dropped. */
    readonly l1Flushes: number
    /** Bumps that waited out a silent instance's lease. */
    readonly ackTimeouts: number
    /** Invalidations waiting for Redis to come back (the cache is bypassed meanwhile). */
    readonly deferred: boolean
  }
  /** Estimated database time saved: the factory duration of every value served from cache, in milliseconds. */
  readonly dbMsSaved: number
}

const MAX_NAMES = 1000

/** Mutable counters behind {@link QueryCacheStats}. */
export class StatsCounters {
  l1Hits = 0
  l1Misses = 0
  l2Hits = 0
  l2Misses = 0
  l2Errors = 0
  misses = 0
  joins = 0
  staleServed = 0
  bypassed = 0
  uncacheable = 0
  invalidateAll = 0
  busMessages = 0
  busGaps = 0
  l1Flushes = 0
  ackTimeouts = 0
  dbMsSaved = 0
  readonly tables = new Map<string, number>()
  readonly tags = new Map<string, number>()

  /** Counts one invalidation of each name. */
  count(map: Map<string, number>, names: readonly string[]): void {
    for (const name of names) {
      const known = map.get(name)
      if (known !== undefined) map.set(name, known + 1)
      else if (map.size < MAX_NAMES) map.set(name, 1)
      else map.set('(other)', (map.get('(other)') ?? 0) + 1)
    }
  }
}
