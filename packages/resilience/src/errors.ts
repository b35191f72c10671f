import {
  DatabaseError,
  type DatabaseErrorOptions,
  isDatabaseError,
} from './database-error.js'

/** Options of a {@link DatabaseError} subclass: everything but the code, which the class fixes. */
export type DatabaseErrorSubclassOptions = Omit<DatabaseErrorOptions, 'code'>

/** Every stable code a DuckKit resilience error carries. */
export const ErrorCodes = {
  /** Any database error without a more specific class. */
  database: 'E_DATABASE',
  /** {@link ConnectionError}. */
  connection: 'E_DB_CONNECTION',
  /** {@link TransactionConflictError}. */
  transactionConflict: 'E_TX_CONFLICT',
  /** {@link TransactionAbortedError}. */
  transactionAborted: 'E_TX_ABORTED',
  /** {@link ConstraintViolationError}. */
  constraint: 'E_CONSTRAINT',
  /** {@link SqlSyntaxError}. */
  syntax: 'E_SQL_SYNTAX',
  /** {@link CatalogError}. */
  catalog: 'E_CATALOG',
  /** {@link DataError}. */
  data: 'E_DATA',
  /** {@link QueryTimeoutError}. */
  queryTimeout: 'E_QUERY_TIMEOUT',
  /** {@link InterruptedError}. */
  interrupted: 'E_INTERRUPTED',
  /** {@link OutOfMemoryError}. */
  outOfMemory: 'E_OUT_OF_MEMORY',
  /** {@link IoError}. */
  io: 'E_IO',
  /** {@link FatalDatabaseError}. */
  fatal: 'E_DB_FATAL',
  /** {@link CircuitOpenError}. */
  circuitOpen: 'E_CIRCUIT_OPEN',
} as const

/** The database, instance or connection could not be reached or opened. Retryable. */
export class ConnectionError extends DatabaseError {
  constructor(message: string, options: DatabaseErrorSubclassOptions = {}) {
    super(message, { retryable: true, ...options, code: ErrorCodes.connection })
    this.name = 'ConnectionError'
  }
}

/** Where a transaction conflict surfaced. */
export type ConflictPhase = 'statement' | 'commit'

/** Another transaction wrote the same rows first (optimistic concurrency). Retryable. */
export class TransactionConflictError extends DatabaseError {
  /** Whether the conflict surfaced at a statement or at `COMMIT`. */
  readonly phase: ConflictPhase
  constructor(
    message: string,
    options: DatabaseErrorSubclassOptions & { phase?: ConflictPhase } = {},
  ) {
    super(message, {
      retryable: true,
      ...options,
      code: ErrorCodes.transactionConflict,
    })
    this.name = 'TransactionConflictError'
    this.phase = options.phase ?? 'statement'
  }
}

/**
 * The transaction was aborted by an earlier error and can only be rolled back;
 * the `cause` is that first error. Not retryable by itself.
 */
export class TransactionAbortedError extends DatabaseError {
  constructor(message: string, options: DatabaseErrorSubclassOptions = {}) {
    super(message, {
      retryable: false,
      ...options,
      code: ErrorCodes.transactionAborted,
    })
    this.name = 'TransactionAbortedError'
  }
}

/** Which kind of constraint a write violated. */
export type ConstraintKind =
  'primary_key' | 'unique' | 'foreign_key' | 'not_null' | 'check' | 'unknown'

/** A write violated a constraint. Never retryable. */
export class ConstraintViolationError extends DatabaseError {
  /** The kind of constraint that was violated. */
  readonly kind: ConstraintKind
  constructor(
    message: string,
    options: DatabaseErrorSubclassOptions & { kind?: ConstraintKind } = {},
  ) {
    super(message, {
      ...options,
      retryable: false,
      code: ErrorCodes.constraint,
    })
    this.name = 'ConstraintViolationError'
    this.kind = options.kind ?? 'unknown'
  }
}

/** The SQL could not be parsed or bound. Never retryable. */
export class SqlSyntaxError extends DatabaseError {
  constructor(message: string, options: DatabaseErrorSubclassOptions = {}) {
    super(message, { ...options, retryable: false, code: ErrorCodes.syntax })
    this.name = 'SqlSyntaxError'
  }
}

/** A table, column, schema or other catalog entry is missing or in the way. Never retryable. */
export class CatalogError extends DatabaseError {
  constructor(message: string, options: DatabaseErrorSubclassOptions = {}) {
    super(message, { ...options, retryable: false, code: ErrorCodes.catalog })
    this.name = 'CatalogError'
  }
}

/** A value could not be converted, was out of range or was otherwise invalid input. Never retryable. */
export class DataError extends DatabaseError {
  constructor(message: string, options: DatabaseErrorSubclassOptions = {}) {
    super(message, { ...options, retryable: false, code: ErrorCodes.data })
    this.name = 'DataError'
  }
}

/** A statement ran past its deadline and was cancelled. Retryable. */
export class QueryTimeoutError extends DatabaseError {
  /** The deadline that was exceeded, in milliseconds. */
  readonly timeoutMs: number
  constructor(
    message: string,
    options: DatabaseErrorSubclassOptions & { timeoutMs: number },
  ) {
    super(message, {
      retryable: true,
      ...options,
      code: ErrorCodes.queryTimeout,
    })
    this.name = 'QueryTimeoutError'
    this.timeoutMs = options.timeoutMs
  }
}

/** A statement was interrupted (by `connection.interrupt()` or an abort signal). Not retryable. */
export class InterruptedError extends DatabaseError {
  constructor(message: string, options: DatabaseErrorSubclassOptions = {}) {
    super(message, {
      retryable: false,
      ...options,
      code: ErrorCodes.interrupted,
    })
    this.name = 'InterruptedError'
  }
}

/** DuckDB ran out of memory for a statement. Retryable (memory may be free later). */
export class OutOfMemoryError extends DatabaseError {
  constructor(message: string, options: DatabaseErrorSubclassOptions = {}) {
    super(message, {
      retryable: true,
      ...options,
      code: ErrorCodes.outOfMemory,
    })
    this.name = 'OutOfMemoryError'
  }
}

/** A file could not be read, written or locked. Retryable unless the file does not exist. */
export class IoError extends DatabaseError {
  /** True when another process holds the database file's lock. */
  readonly lockedByOtherProcess: boolean
  constructor(
    message: string,
    options: DatabaseErrorSubclassOptions & {
      lockedByOtherProcess?: boolean
    } = {},
  ) {
    super(message, { retryable: true, ...options, code: ErrorCodes.io })
    this.name = 'IoError'
    this.lockedByOtherProcess = options.lockedByOtherProcess ?? false
  }
}

/**
 * The database instance hit a fatal error and has been invalidated; it must be
 * reopened. Never retryable on the same instance.
 */
export class FatalDatabaseError extends DatabaseError {
  constructor(message: string, options: DatabaseErrorSubclassOptions = {}) {
    super(message, { ...options, retryable: false, code: ErrorCodes.fatal })
    this.name = 'FatalDatabaseError'
  }
}

/** A circuit breaker is open and failed the call fast without running it. */
export class CircuitOpenError extends DatabaseError {
  /** Name of the breaker that is open. */
  readonly breaker: string
  /** Milliseconds until the breaker lets a probe call through (`Infinity` once it is shut down). */
  readonly retryAfterMs: number
  constructor(
    breaker: string,
    retryAfterMs: number,
    options: DatabaseErrorSubclassOptions = {},
  ) {
    const when = Number.isFinite(retryAfterMs)
      ? `next probe in ${Math.max(0, Math.ceil(retryAfterMs))} ms`
      : 'it has been shut down'
    super(`Circuit "${breaker}" is open; ${when}`, {
      ...options,
      retryable: false,
      code: ErrorCodes.circuitOpen,
    })
    this.name = 'CircuitOpenError'
    this.breaker = breaker
    this.retryAfterMs = Math.max(0, retryAfterMs)
  }
}

/**
 * Makes a type guard for one {@link DatabaseError} code: it recognizes errors
 * from any copy of the package that defines them (the check reads the brand
 * and the `code`, never `instanceof`). Packages with their own subclasses use
 * it for their `isX` guards.
 */
export function databaseErrorGuard<T extends DatabaseError>(
  code: string,
): (value: unknown) => value is T {
  return (value: unknown): value is T =>
    isDatabaseError(value) && value.code === code
}

const guard = databaseErrorGuard

/** Whether a value is a {@link ConnectionError}, from any copy of this package. */
export const isConnectionError = guard<ConnectionError>(ErrorCodes.connection)
/** Whether a value is a {@link TransactionConflictError}, from any copy of this package. */
export const isTransactionConflictError = guard<TransactionConflictError>(
  ErrorCodes.transactionConflict,
)
/** Whether a value is a {@link TransactionAbortedError}, from any copy of this package. */
export const isTransactionAbortedError = guard<TransactionAbortedError>(
  ErrorCodes.transactionAborted,
)
/** Whether a value is a {@link ConstraintViolationError}, from any copy of this package. */
export const isConstraintViolationError = guard<ConstraintViolationError>(
  ErrorCodes.constraint,
)
/** Whether a value is a {@link SqlSyntaxError}, from any copy of this package. */
export const isSqlSyntaxError = guard<SqlSyntaxError>(ErrorCodes.syntax)
/** Whether a value is a {@link CatalogError}, from any copy of this package. */
export const isCatalogError = guard<CatalogError>(ErrorCodes.catalog)
/** Whether a value is a {@link DataError}, from any copy of this package. */
export const isDataError = guard<DataError>(ErrorCodes.data)
/** Whether a value is a {@link QueryTimeoutError}, from any copy of this package. */
export const isQueryTimeoutError = guard<QueryTimeoutError>(
  ErrorCodes.queryTimeout,
)
/** Whether a value is an {@link InterruptedError}, from any copy of this package. */
export const isInterruptedError = guard<InterruptedError>(
  ErrorCodes.interrupted,
)
/** Whether a value is an {@link OutOfMemoryError}, from any copy of this package. */
export const isOutOfMemoryError = guard<OutOfMemoryError>(
  ErrorCodes.outOfMemory,
)
/** Whether a value is an {@link IoError}, from any copy of this package. */
export const isIoError = guard<IoError>(ErrorCodes.io)
/** Whether a value is a {@link FatalDatabaseError}, from any copy of this package. */
export const isFatalDatabaseError = guard<FatalDatabaseError>(ErrorCodes.fatal)
/** Whether a value is a {@link CircuitOpenError}, from any copy of this package. */
export const isCircuitOpenError = guard<CircuitOpenError>(
  ErrorCodes.circuitOpen,
)

/**
 * Whether an error says something about the database's health (and so should
 * count toward opening a circuit breaker): transient and fatal errors do;
 * errors in the query or the data (syntax, constraint, catalog, conversion) do
 * not, and neither do transaction conflicts, which mean concurrent writers met
 * on the same rows (a conflict storm is contention, not an unhealthy database).
 */
export function countsAsFailure(value: unknown): boolean {
  if (!isDatabaseError(value)) return true
  if (value.code === ErrorCodes.transactionConflict) return false
  return (
    value.retryable ||
    value.code === ErrorCodes.fatal ||
    value.code === ErrorCodes.connection
  )
}
