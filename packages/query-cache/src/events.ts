/** Tier that served a hit. */
export type CacheTier = 'l1' | 'l2'

/** Events a query cache emits (subscribe with `cache.on`). */
export interface QueryCacheEvents {
  /** A value was served from the cache. */
  hit: {
    /** The cache key. */
    readonly key: string
    /** Which tier served it. */
    readonly tier: CacheTier
    /** True when a TTL-expired value was served inside the stale-while-revalidate window. */
    readonly stale: boolean
  }
  /** The factory ran because no tier had a servable value. */
  miss: {
    /** The cache key. */
    readonly key: string
    /** How long the factory took, in milliseconds. */
    readonly durationMs: number
  }
  /** Tables, tags or the whole namespace were invalidated. */
  invalidate: {
    /** Normalised tables whose versions moved. */
    readonly tables: readonly string[]
    /** Tags whose versions moved. */
    readonly tags: readonly string[]
    /** True when the namespace epoch moved (everything invalidated). */
    readonly all: boolean
    /** `local` for invalidations made here, `remote` for ones received on the bus. */
    readonly origin: 'local' | 'remote'
  }
  /** The bus started or stopped being trusted (L1 is served only while it is). */
  busState: {
    /** Whether the bus is in sync and the lease holds. */
    readonly trusted: boolean
  }
  /** Bus messages were missed; L1 was dropped. */
  busGap: {
    /** The sequence number that was expected. */
    readonly expected: number
    /** The sequence number that arrived. */
    readonly received: number
  }
  /** The whole L1 was dropped. */
  l1Flush: {
    /** Why. */
    readonly reason: 'gap' | 'reconnect' | 'reset' | 'clear'
  }
  /** A Redis command failed or timed out; the call went on without L2. */
  l2Error: {
    /** The operation (`get`, `set`, `versions`, `bump`, ...). */
    readonly operation: string
    /** The error. */
    readonly error: unknown
  }
  /** A bump could not reach Redis; it is replayed when Redis answers, and the cache is bypassed until then. */
  invalidationDeferred: {
    /** Version keys that were to be bumped. */
    readonly deps: readonly string[]
    /** Whether it was a namespace reset. */
    readonly all: boolean
    /** The Redis error. */
    readonly error: unknown
  }
  /** Deferred invalidations reached Redis; the cache is used again. */
  invalidationReplayed: {
    /** Version keys bumped. */
    readonly deps: readonly string[]
    /** Whether it was a namespace reset. */
    readonly all: boolean
  }
  /** Some instances did not acknowledge a bump; the bump waited out their lease. */
  ackTimeout: {
    /** Ids of the silent instances. */
    readonly instances: readonly string[]
  }
  /** A value could not be cached (too large or not serializable); it was returned uncached. */
  uncacheable: {
    /** The cache key. */
    readonly key: string
    /** Why (a `CacheValueTooLargeError` or `CacheSerializationError`). */
    readonly error: unknown
  }
  /** A background stale-while-revalidate refresh failed; the stale value stays until its window ends. */
  refreshError: {
    /** The cache key. */
    readonly key: string
    /** The factory's error. */
    readonly error: unknown
  }
}
