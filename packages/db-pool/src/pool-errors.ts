import { DatabaseError, databaseErrorGuard } from '@duckkit/resilience'

/** Every stable code a pool error carries. */
export const PoolErrorCodes = {
  /** {@link PoolAcquireTimeoutError}. */
  acquireTimeout: 'E_POOL_ACQUIRE_TIMEOUT',
  /** {@link PoolAcquireAbortedError}. */
  acquireAborted: 'E_POOL_ACQUIRE_ABORTED',
  /** {@link PoolQueueFullError}. */
  queueFull: 'E_POOL_QUEUE_FULL',
  /** {@link PoolClosedError}. */
  closed: 'E_POOL_CLOSED',
  /** {@link PoolDownError}. */
  down: 'E_POOL_DOWN',
  /** {@link PoolOptionsError}. */
  options: 'E_POOL_OPTIONS',
  /** {@link ConnectionReleasedError}. */
  released: 'E_POOL_RELEASED',
} as const

/** No connection became free within `acquireTimeoutMs`. Retryable (the service maps it to 503). */
export class PoolAcquireTimeoutError extends DatabaseError {
  /** The wait that was exceeded, in milliseconds. */
  readonly timeoutMs: number
  /** Callers still waiting when this one gave up. */
  readonly waiting: number
  constructor(timeoutMs: number, waiting: number, inUse: number) {
    super(
      `Timed out after ${timeoutMs} ms waiting for a connection (${inUse} in use, ${waiting} waiting)`,
      { code: PoolErrorCodes.acquireTimeout, retryable: true },
    )
    this.name = 'PoolAcquireTimeoutError'
    this.timeoutMs = timeoutMs
    this.waiting = waiting
  }
}

/** The caller's abort signal fired while it waited for a connection; `cause` is the abort reason. */
export class PoolAcquireAbortedError extends DatabaseError {
  constructor(reason: unknown) {
    super('Gave up waiting for a connection: the signal was aborted', {
      code: PoolErrorCodes.acquireAborted,
      retryable: false,
      cause: reason,
    })
    this.name = 'PoolAcquireAbortedError'
  }
}

/** `maxWaiting` callers were already waiting, so this acquire was refused at once. Retryable. */
export class PoolQueueFullError extends DatabaseError {
  /** The configured bound on waiting callers. */
  readonly maxWaiting: number
  constructor(maxWaiting: number) {
    super(
      `Too many callers waiting for a connection (maxWaiting = ${maxWaiting})`,
      {
        code: PoolErrorCodes.queueFull,
        retryable: true,
      },
    )
    this.name = 'PoolQueueFullError'
    this.maxWaiting = maxWaiting
  }
}

/** The pool is closing or closed and takes no new work. */
export class PoolClosedError extends DatabaseError {
  constructor(message = 'The pool is closed') {
    super(message, { code: PoolErrorCodes.closed, retryable: false })
    this.name = 'PoolClosedError'
  }
}

/** The database was invalidated by a fatal error; `cause` is that error. The instance must be reopened. */
export class PoolDownError extends DatabaseError {
  constructor(cause: unknown) {
    super(
      'The pool is down: the database hit a fatal error and must be reopened',
      {
        code: PoolErrorCodes.down,
        retryable: false,
        cause,
      },
    )
    this.name = 'PoolDownError'
  }
}

/** A pool option has a value the pool does not accept. */
export class PoolOptionsError extends DatabaseError {
  /** Name of the offending option, such as `'max'`. */
  readonly field: string
  /** The value that was passed. */
  readonly value: unknown
  /** What the option accepts, in words. */
  readonly allowed: string
  constructor(field: string, value: unknown, allowed: string) {
    super(
      `Invalid pool option ${field}: ${show(value)} (expected ${allowed})`,
      {
        code: PoolErrorCodes.options,
        retryable: false,
      },
    )
    this.name = 'PoolOptionsError'
    this.field = field
    this.value = value
    this.allowed = allowed
  }
}

/** A pooled connection was used after it was released. */
export class ConnectionReleasedError extends DatabaseError {
  /** Identifier of the connection that was used. */
  readonly connectionId: number
  constructor(connectionId: number) {
    super(
      `Connection ${connectionId} was used after it was released to the pool`,
      {
        code: PoolErrorCodes.released,
        retryable: false,
      },
    )
    this.name = 'ConnectionReleasedError'
    this.connectionId = connectionId
  }
}

const guard = databaseErrorGuard

/** Whether a value is a {@link PoolAcquireTimeoutError}, from any copy of this package. */
export const isPoolAcquireTimeoutError = guard<PoolAcquireTimeoutError>(
  PoolErrorCodes.acquireTimeout,
)
/** Whether a value is a {@link PoolAcquireAbortedError}, from any copy of this package. */
export const isPoolAcquireAbortedError = guard<PoolAcquireAbortedError>(
  PoolErrorCodes.acquireAborted,
)
/** Whether a value is a {@link PoolQueueFullError}, from any copy of this package. */
export const isPoolQueueFullError = guard<PoolQueueFullError>(
  PoolErrorCodes.queueFull,
)
/** Whether a value is a {@link PoolClosedError}, from any copy of this package. */
export const isPoolClosedError = guard<PoolClosedError>(PoolErrorCodes.closed)
/** Whether a value is a {@link PoolDownError}, from any copy of this package. */
export const isPoolDownError = guard<PoolDownError>(PoolErrorCodes.down)
/** Whether a value is a {@link PoolOptionsError}, from any copy of this package. */
export const isPoolOptionsError = guard<PoolOptionsError>(
  PoolErrorCodes.options,
)
/** Whether a value is a {@link ConnectionReleasedError}, from any copy of this package. */
export const isConnectionReleasedError = guard<ConnectionReleasedError>(
  PoolErrorCodes.released,
)

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value)
    } catch {
      return 'an object'
    }
  }
  return String(value)
}
