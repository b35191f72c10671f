/** Stable codes of the errors this package raises. */
export const CacheErrorCodes = {
  /** {@link InvalidCacheKeyError}. */
  invalidKey: 'E_CACHE_INVALID_KEY',
  /** {@link CacheValueTooLargeError}. */
  valueTooLarge: 'E_CACHE_VALUE_TOO_LARGE',
  /** {@link CacheSerializationError}. */
  serialization: 'E_CACHE_SERIALIZATION',
  /** {@link CacheClosedError}. */
  closed: 'E_CACHE_CLOSED',
  /** {@link CacheRedisTimeoutError}. */
  redisTimeout: 'E_CACHE_REDIS_TIMEOUT',
} as const

const BRAND = Symbol.for('@duckkit/query-cache/CacheError')

/** Base class of the errors this package raises; each has a stable `code`. */
export class CacheError extends Error {
  /** Stable machine-readable code. */
  readonly code: string
  /** Marks instances so guards work across copies of this package. */
  readonly [BRAND] = true

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(
      message,
      options?.cause === undefined ? undefined : { cause: options.cause },
    )
    this.name = 'CacheError'
    this.code = code
  }
}

/** A cache key is empty, not a string or too long. */
export class InvalidCacheKeyError extends CacheError {
  /** The key that was passed. */
  readonly key: unknown
  /** Why the key was refused. */
  readonly reason: string

  constructor(key: unknown, reason: string) {
    super(CacheErrorCodes.invalidKey, `Invalid cache key: ${reason}`)
    this.name = 'InvalidCacheKeyError'
    this.key = key
    this.reason = reason
  }
}

/** A value is larger, once serialized, than `maxEntryBytes` allows. */
export class CacheValueTooLargeError extends CacheError {
  /** The key of the value. */
  readonly key: string
  /** Serialized size of the value in bytes. */
  readonly bytes: number
  /** The `maxEntryBytes` limit. */
  readonly limit: number

  constructor(key: string, bytes: number, limit: number) {
    super(
      CacheErrorCodes.valueTooLarge,
      `Value for cache key "${key}" is ${bytes} bytes serialized; maxEntryBytes is ${limit}`,
    )
    this.name = 'CacheValueTooLargeError'
    this.key = key
    this.bytes = bytes
    this.limit = limit
  }
}

/** A value could not be serialized or a stored entry could not be read back. */
export class CacheSerializationError extends CacheError {
  /** The key of the value or entry. */
  readonly key: string
  /** Whether writing (`serialize`) or reading (`deserialize`) failed. */
  readonly direction: 'serialize' | 'deserialize'

  constructor(
    key: string,
    direction: 'serialize' | 'deserialize',
    cause: unknown,
  ) {
    super(
      CacheErrorCodes.serialization,
      `Could not ${direction} the value of cache key "${key}": ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    )
    this.name = 'CacheSerializationError'
    this.key = key
    this.direction = direction
  }
}

/** The cache was closed; it accepts no more calls. */
export class CacheClosedError extends CacheError {
  constructor() {
    super(CacheErrorCodes.closed, 'The query cache is closed')
    this.name = 'CacheClosedError'
  }
}

/** A Redis command did not answer within `redisCommandTimeoutMs` (reported in `l2Error` events, never thrown to callers). */
export class CacheRedisTimeoutError extends CacheError {
  /** The operation that timed out, such as `'get'` or `'bump'`. */
  readonly operation: string
  /** The deadline in milliseconds. */
  readonly timeoutMs: number

  constructor(operation: string, timeoutMs: number) {
    super(
      CacheErrorCodes.redisTimeout,
      `Redis ${operation} did not answer within ${timeoutMs} ms`,
    )
    this.name = 'CacheRedisTimeoutError'
    this.operation = operation
    this.timeoutMs = timeoutMs
  }
}

/** Whether a value is a {@link CacheError}, from any copy of this package. */
export function isCacheError(value: unknown): value is CacheError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  )
}

function guard<T extends CacheError>(code: string) {
  return (value: unknown): value is T =>
    isCacheError(value) && value.code === code
}

/** Whether a value is an {@link InvalidCacheKeyError}, from any copy of this package. */
export const isInvalidCacheKeyError = guard<InvalidCacheKeyError>(
  CacheErrorCodes.invalidKey,
)
/** Whether a value is a {@link CacheValueTooLargeError}, from any copy of this package. */
export const isCacheValueTooLargeError = guard<CacheValueTooLargeError>(
  CacheErrorCodes.valueTooLarge,
)
/** Whether a value is a {@link CacheSerializationError}, from any copy of this package. */
export const isCacheSerializationError = guard<CacheSerializationError>(
  CacheErrorCodes.serialization,
)
/** Whether a value is a {@link CacheClosedError}, from any copy of this package. */
export const isCacheClosedError = guard<CacheClosedError>(
  CacheErrorCodes.closed,
)
/** Whether a value is a {@link CacheRedisTimeoutError}, from any copy of this package. */
export const isCacheRedisTimeoutError = guard<CacheRedisTimeoutError>(
  CacheErrorCodes.redisTimeout,
)
