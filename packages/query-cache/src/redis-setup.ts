import { createCircuitBreaker } from '@duckkit/resilience'
import { type Cluster, type Redis } from 'ioredis'
import { type Emitter } from '@duckkit/resilience'
import { CacheSerializationError } from './errors.js'
import { type QueryCacheEvents } from './events.js'
import { L2Store } from './l2-store.js'
import { type QueryCacheSettings } from './options.js'
import { connectRedis } from './redis-client.js'
import { type CoherenceHooks, RedisCoherence } from './redis-coherence.js'
import { RedisGuard } from './redis-guard.js'
import { RedisKeys } from './redis-keys.js'
import { type StatsCounters } from './stats.js'

/** The Redis side of a cache: L2, the versions and the bus. */
export interface RedisTier {
  /** Command connection. */
  readonly client: Redis | Cluster
  /** Whether the cache created the client (and closes it). */
  readonly ownsClient: boolean
  /** Breaker and deadline around every command. */
  readonly guard: RedisGuard
  /** Entries in Redis. */
  readonly l2: L2Store
  /** Versions in Redis, mirrored and kept current by the bus. */
  readonly coherence: RedisCoherence
}

/** Connects to Redis and builds L2, the L2 breaker and the bus. */
export function setUpRedis(
  settings: QueryCacheSettings,
  redis: NonNullable<QueryCacheSettings['redis']>,
  instanceId: string,
  stats: StatsCounters,
  events: Emitter<QueryCacheEvents>,
  hooks: () => CoherenceHooks,
): RedisTier {
  const prefix = settings.namespace.endsWith(':')
    ? settings.namespace
    : `${settings.namespace}:`
  const keys = new RedisKeys(prefix)
  const { client, subscriber, ownsClient, clientTimeoutMs } = connectRedis(
    redis,
    settings.redisCommandTimeoutMs,
  )
  const breaker = createCircuitBreaker({
    name: `query-cache:${settings.namespace}`,
    resetTimeoutMs: settings.breakerResetTimeoutMs,
    volumeThreshold: 3,
    isFailure: () => true,
    clock: settings.clock,
    logger: settings.logger,
  })
  const guard = new RedisGuard(
    breaker,
    settings.clock,
    settings.redisCommandTimeoutMs,
    (operation, error) => {
      stats.l2Errors += 1
      if (events.has('l2Error')) events.emit('l2Error', { operation, error })
    },
    clientTimeoutMs,
  )
  const l2 = new L2Store(
    client,
    keys,
    guard,
    settings.serializer,
    settings.compressAboveBytes,
    (key, error) => {
      events.emit('l2Error', {
        operation: 'decode',
        error: new CacheSerializationError(key, 'deserialize', error),
      })
    },
  )
  const coherence = new RedisCoherence({
    client,
    subscriber,
    keys,
    guard,
    clock: settings.clock,
    instanceId,
    leaseMs: settings.busLeaseMs,
    maxTracked: settings.maxTrackedVersions,
    hooks: hooks(),
  })
  return { client, ownsClient, guard, l2, coherence }
}
