const BRAND = Symbol.for('@duckkit/resilience/DatabaseError')

/** How long the SQL text kept on an error may be; longer text is cut. */
const MAX_SQL_LENGTH = 2000

/** Options every {@link DatabaseError} accepts. */
export interface DatabaseErrorOptions {
  /** Stable machine-readable code, such as `'E_TX_CONFLICT'`. */
  code?: string
  /** Whether running the same work again may succeed. */
  retryable?: boolean
  /** DuckDB's `exception_type` (`'Constraint'`, `'TransactionContext'`, ...) when known. */
  exceptionType?: string | undefined
  /** DuckDB's `error_subtype` when it gave one. */
  errorSubtype?: string | undefined
  /** SQL text of the failed statement, never with parameter values. */
  sql?: string | undefined
  /** The original error. */
  cause?: unknown
}

/**
 * Base class of every error DuckKit raises for database work. Each error has a
 * stable `code` and says whether it is `retryable`.
 */
export class DatabaseError extends Error {
  /** Stable machine-readable code. */
  readonly code: string
  /** Whether running the same work again may succeed (a transient error). */
  readonly retryable: boolean
  /** DuckDB's exception type, when the error came from DuckDB. */
  readonly exceptionType: string | undefined
  /** DuckDB's error subtype, when it gave one. */
  readonly errorSubtype: string | undefined
  /** SQL text of the failed statement (without parameter values), when known. */
  readonly sql: string | undefined
  /** Marks instances so guards work across copies of this package. */
  readonly [BRAND] = true

  constructor(message: string, options: DatabaseErrorOptions = {}) {
    super(
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.name = 'DatabaseError'
    this.code = options.code ?? 'E_DATABASE'
    this.retryable = options.retryable ?? false
    this.exceptionType = options.exceptionType
    this.errorSubtype = options.errorSubtype
    this.sql =
      options.sql === undefined || options.sql.length <= MAX_SQL_LENGTH
        ? options.sql
        : `${options.sql.slice(0, MAX_SQL_LENGTH)}…`
  }
}

/** Whether a value is a {@link DatabaseError}, from any copy of this package. */
export function isDatabaseError(value: unknown): value is DatabaseError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  )
}

/** Whether a value is a {@link DatabaseError} that may succeed if the work is run again. */
export function isRetryable(value: unknown): boolean {
  return isDatabaseError(value) && value.retryable
}
