export { createQueryCache } from './query-cache.js'
export type { QueryCache } from './query-cache.js'
export type { QueryCacheOptions } from './options.js'
export type {
  CommitEvent,
  EntryOptions,
  QueryOptions,
  QueryParams,
  QueryRunner,
  Serializer,
  TransactionListener,
} from './types.js'
export type { CacheTier, QueryCacheEvents } from './events.js'
export type { Listener } from '@duckkit/resilience'
export type { QueryCacheStats } from './stats.js'
export { jsonSerializer } from './serializer.js'
export { normalizeTableName } from './table-name.js'
export { findWriteTargets } from './write-targets.js'
export type { WriteTargets } from './write-targets.js'
export {
  CacheClosedError,
  CacheError,
  CacheErrorCodes,
  CacheRedisTimeoutError,
  CacheSerializationError,
  CacheValueTooLargeError,
  InvalidCacheKeyError,
  isCacheClosedError,
  isCacheError,
  isCacheRedisTimeoutError,
  isCacheSerializationError,
  isCacheValueTooLargeError,
  isInvalidCacheKeyError,
} from './errors.js'
