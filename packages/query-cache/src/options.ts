import {
  type Clock,
  InvalidOptionError,
  type Logger,
  clockOption,
  loggerOption,
} from '@duckkit/resilience'
import { type Cluster, type Redis, type RedisOptions } from 'ioredis'
import { jsonSerializer } from './serializer.js'
import { type Serializer } from './types.js'

/** Options of `createQueryCache`. */
export interface QueryCacheOptions {
  /** Prefix of every Redis key and channel; instances that share a namespace share entries, versions and the bus. @default 'duckkit' */
  namespace?: string | undefined
  /** Redis for L2 and the bus: an ioredis client (single node or Cluster), a URL or ioredis options; without it the cache is in-process only. @default undefined */
  redis?: Redis | Cluster | string | RedisOptions | undefined
  /** Time to live of entries in milliseconds. @default 60000 */
  defaultTtlMs?: number | undefined
  /** Window after the TTL in which the old value is served while one refresh runs, in milliseconds. @default 0 */
  staleWhileRevalidateMs?: number | undefined
  /** Most entries L1 holds; 0 disables L1. @default 10000 */
  l1MaxEntries?: number | undefined
  /** Most serialized bytes L1 holds. @default 67108864 (64 MiB) */
  l1MaxBytes?: number | undefined
  /** Largest serialized value the cache stores, in bytes. @default 4194304 (4 MiB) */
  maxEntryBytes?: number | undefined
  /** Serialized values larger than this many bytes are deflated in Redis; `Infinity` never compresses. @default 1024 */
  compressAboveBytes?: number | undefined
  /** Encodes values for Redis and for L1 size accounting. @default jsonSerializer (tagged JSON: bigint, Date, Buffer, Map, Set, nested lists and structs) */
  serializer?: Serializer | undefined
  /** Deadline of each Redis command in milliseconds; a call never waits longer on Redis. @default 250 */
  redisCommandTimeoutMs?: number | undefined
  /** How long the L2 breaker stays open before it lets a probe through, in milliseconds. @default 5000 */
  breakerResetTimeoutMs?: number | undefined
  /** Bus lease in milliseconds: an instance whose heartbeat did not echo within it stops serving L1, and a commit waits at most this long for a silent instance. @default 2000 */
  busLeaseMs?: number | undefined
  /** While the bus is not trusted, L1 may still serve entries younger than this many milliseconds (0: bypass L1 and read Redis or the database). @default 0 */
  busDownL1MaxAgeMs?: number | undefined
  /** Most distinct tables and tags whose versions are tracked in process before the tracking is reset. @default 100000 */
  maxTrackedVersions?: number | undefined
  /** Most distinct SQL texts whose parse (tables read, volatility) is remembered. @default 1000 */
  parseCacheSize?: number | undefined
  /** Source of time and timers. @default systemClock */
  clock?: Clock | undefined
  /** Receives warnings (Redis trouble, deferred invalidations); pino's method shape. @default undefined */
  logger?: Logger | undefined
}

/** Options with every default filled in. */
export interface QueryCacheSettings {
  readonly namespace: string
  readonly redis: Redis | Cluster | string | RedisOptions | undefined
  readonly defaultTtlMs: number
  readonly staleWhileRevalidateMs: number
  readonly l1MaxEntries: number
  readonly l1MaxBytes: number
  readonly maxEntryBytes: number
  readonly compressAboveBytes: number
  readonly serializer: Serializer
  readonly redisCommandTimeoutMs: number
  readonly breakerResetTimeoutMs: number
  readonly busLeaseMs: number
  readonly busDownL1MaxAgeMs: number
  readonly maxTrackedVersions: number
  readonly parseCacheSize: number
  readonly clock: Clock
  readonly logger: Logger | undefined
}

const MAX_TIMER = 2 ** 31 - 1

/** Fills in defaults and validates; throws an `InvalidOptionError` naming the field. */
export function resolveOptions(options: QueryCacheOptions): QueryCacheSettings {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', options, 'an object')
  }
  const namespace = options.namespace ?? 'duckkit'
  if (
    typeof namespace !== 'string' ||
    namespace.length === 0 ||
    namespace.length > 200 ||
    /[{}\s]/.test(namespace)
  ) {
    throw new InvalidOptionError(
      'namespace',
      namespace,
      'a non-empty string of at most 200 characters without braces or whitespace',
    )
  }
  const redis = options.redis
  if (
    redis !== undefined &&
    typeof redis !== 'string' &&
    (typeof redis !== 'object' || redis === null)
  ) {
    throw new InvalidOptionError(
      'redis',
      redis,
      'an ioredis client, a redis:// URL or ioredis options',
    )
  }
  if (typeof redis === 'string' && !/^rediss?:\/\//.test(redis)) {
    throw new InvalidOptionError('redis', redis, 'a redis:// or rediss:// URL')
  }
  const serializer = options.serializer ?? jsonSerializer
  if (
    typeof serializer !== 'object' ||
    serializer === null ||
    typeof serializer.serialize !== 'function' ||
    typeof serializer.deserialize !== 'function'
  ) {
    throw new InvalidOptionError(
      'serializer',
      serializer,
      'an object with serialize and deserialize functions',
    )
  }
  const clock = clockOption(options.clock)
  const logger = loggerOption(options.logger)
  return {
    namespace,
    redis,
    defaultTtlMs: int(
      'defaultTtlMs',
      options.defaultTtlMs,
      60_000,
      1,
      MAX_TIMER,
    ),
    staleWhileRevalidateMs: int(
      'staleWhileRevalidateMs',
      options.staleWhileRevalidateMs,
      0,
      0,
      MAX_TIMER,
    ),
    l1MaxEntries: int('l1MaxEntries', options.l1MaxEntries, 10_000, 0, 2 ** 30),
    l1MaxBytes: int('l1MaxBytes', options.l1MaxBytes, 64 * 2 ** 20, 1, 2 ** 40),
    maxEntryBytes: int(
      'maxEntryBytes',
      options.maxEntryBytes,
      4 * 2 ** 20,
      1,
      512 * 2 ** 20,
    ),
    compressAboveBytes: compressAbove(options.compressAboveBytes),
    serializer,
    redisCommandTimeoutMs: int(
      'redisCommandTimeoutMs',
      options.redisCommandTimeoutMs,
      250,
      1,
      60_000,
    ),
    breakerResetTimeoutMs: int(
      'breakerResetTimeoutMs',
      options.breakerResetTimeoutMs,
      5_000,
      1,
      MAX_TIMER,
    ),
    busLeaseMs: int('busLeaseMs', options.busLeaseMs, 2_000, 20, 600_000),
    busDownL1MaxAgeMs: int(
      'busDownL1MaxAgeMs',
      options.busDownL1MaxAgeMs,
      0,
      0,
      MAX_TIMER,
    ),
    maxTrackedVersions: int(
      'maxTrackedVersions',
      options.maxTrackedVersions,
      100_000,
      16,
      2 ** 30,
    ),
    parseCacheSize: int(
      'parseCacheSize',
      options.parseCacheSize,
      1000,
      1,
      2 ** 24,
    ),
    clock,
    logger,
  }
}

function int(
  field: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > max
  ) {
    throw new InvalidOptionError(
      field,
      value,
      `an integer >= ${min} and <= ${max}`,
    )
  }
  return value
}

function compressAbove(value: unknown): number {
  if (value === undefined) return 1024
  if (value === Infinity) return Infinity
  return int('compressAboveBytes', value, 1024, 0, 2 ** 31)
}

/** Checks per-call entry options; throws an `InvalidOptionError` naming the field. */
export function checkTtl(field: string, value: unknown): void {
  if (
    value !== undefined &&
    (typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < (field === 'ttlMs' ? 1 : 0) ||
      value > MAX_TIMER)
  ) {
    throw new InvalidOptionError(
      field,
      value,
      `an integer of milliseconds >= ${field === 'ttlMs' ? 1 : 0}`,
    )
  }
}
