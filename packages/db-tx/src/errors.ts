import {
  DatabaseError,
  TransactionConflictError,
  databaseErrorGuard,
  isDatabaseError,
  type DatabaseErrorOptions,
} from '@duckkit/resilience'

/** Options of a db-tx error: everything but the code and retryability, which each class fixes. */
export type TransactionErrorOptions = Omit<
  DatabaseErrorOptions,
  'code' | 'retryable'
>

/** Every stable code a db-tx error carries (conflicts and aborts use resilience's codes). */
export const TransactionErrorCodes = {
  /** {@link TransactionTimeoutError}. */
  timeout: 'E_TX_TIMEOUT',
  /** {@link ReadOnlyTransactionError}. */
  readOnly: 'E_TX_READ_ONLY',
  /** {@link TransactionRollbackOnlyError}. */
  rollbackOnly: 'E_TX_ROLLBACK_ONLY',
  /** {@link NestedTransactionError}. */
  nested: 'E_TX_NESTED',
  /** {@link PoolAccessInTransactionError}. */
  poolAccess: 'E_TX_POOL_ACCESS',
  /** {@link TransactionStateError}. */
  state: 'E_TX_STATE',
  /** {@link TransactionManagerClosedError}. */
  closed: 'E_TX_MANAGER_CLOSED',
} as const

/** Why a transaction ran out of time. */
export type TimeoutReason = 'timeout' | 'max-age'

/**
 * The transaction ran past its `timeoutMs` or the manager's `maxAgeMs`; its
 * running statement was interrupted and it was rolled back. Not retried.
 */
export class TransactionTimeoutError extends DatabaseError {
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number
  /** Whether the unit's own `timeoutMs` or the manager-wide age limit fired. */
  readonly reason: TimeoutReason
  constructor(
    timeoutMs: number,
    reason: TimeoutReason,
    options: TransactionErrorOptions = {},
  ) {
    super(
      reason === 'timeout'
        ? `Transaction timed out after ${timeoutMs} ms and was rolled back`
        : `Transaction was open longer than the age limit of ${timeoutMs} ms and was rolled back`,
      { ...options, retryable: false, code: TransactionErrorCodes.timeout },
    )
    this.name = 'TransactionTimeoutError'
    this.timeoutMs = timeoutMs
    this.reason = reason
  }
}

/** A read-only unit tried to write. */
export class ReadOnlyTransactionError extends DatabaseError {
  constructor(message: string, options: TransactionErrorOptions = {}) {
    super(message, {
      ...options,
      retryable: false,
      code: TransactionErrorCodes.readOnly,
    })
    this.name = 'ReadOnlyTransactionError'
  }
}

/**
 * A unit joined with `propagation: 'join'` failed, so the whole transaction can
 * only roll back; thrown by the outer commit. The `cause` is the inner failure.
 */
export class TransactionRollbackOnlyError extends DatabaseError {
  constructor(options: TransactionErrorOptions = {}) {
    super(
      'Transaction was marked rollback-only because a joined unit failed; it was rolled back',
      {
        ...options,
        retryable: false,
        code: TransactionErrorCodes.rollbackOnly,
      },
    )
    this.name = 'TransactionRollbackOnlyError'
  }
}

/** A unit with `propagation: 'fail'` was started while a transaction was already open. */
export class NestedTransactionError extends DatabaseError {
  constructor(options: TransactionErrorOptions = {}) {
    super(
      "A transaction with propagation 'fail' was started inside an open transaction",
      { ...options, retryable: false, code: TransactionErrorCodes.nested },
    )
    this.name = 'NestedTransactionError'
  }
}

/**
 * Code running inside a transaction asked the pool for another connection to
 * write. That write would not be part of the transaction, and when the pool is
 * exhausted the call waits for the connection the transaction itself holds.
 */
export class PoolAccessInTransactionError extends DatabaseError {
  /** The pool operation that was refused. */
  readonly operation: string
  constructor(operation: string, options: TransactionErrorOptions = {}) {
    super(
      `pool.${operation}() was called inside an open transaction. It would run on a second ` +
        'connection, outside the transaction, and can deadlock when the pool is exhausted. ' +
        'Use the transaction handle (or tm.query / tm.execute, which join the current ' +
        'transaction), or wrap deliberate outside work in tm.outside(fn).',
      { ...options, retryable: false, code: TransactionErrorCodes.poolAccess },
    )
    this.name = 'PoolAccessInTransactionError'
    this.operation = operation
  }
}

/** Why a transaction handle refused a call. */
export type TransactionStateReason =
  'closed' | 'inner-unit-open' | 'transaction-control'

/** A transaction handle was used when it cannot run statements. */
export class TransactionStateError extends DatabaseError {
  /** What was wrong: the unit had ended, a nested unit was open, or the SQL was BEGIN/COMMIT/ROLLBACK. */
  readonly reason: TransactionStateReason
  constructor(
    reason: TransactionStateReason,
    options: TransactionErrorOptions = {},
  ) {
    super(STATE_MESSAGES[reason], {
      ...options,
      retryable: false,
      code: TransactionErrorCodes.state,
    })
    this.name = 'TransactionStateError'
    this.reason = reason
  }
}

const STATE_MESSAGES: Record<TransactionStateReason, string> = {
  closed:
    'The transaction unit has already ended; its handle cannot run statements',
  'inner-unit-open':
    'A nested unit of this transaction is open; run statements through the innermost unit',
  'transaction-control':
    'BEGIN, COMMIT, ROLLBACK and SAVEPOINT cannot run inside a managed transaction',
}

/** The transaction manager was closed and accepts no new work. */
export class TransactionManagerClosedError extends DatabaseError {
  constructor() {
    super('The transaction manager is closed', {
      retryable: false,
      code: TransactionErrorCodes.closed,
    })
    this.name = 'TransactionManagerClosedError'
  }
}

const DIVERGENCE = Symbol.for('@duckkit/db-tx/ReplayDivergenceError')

/**
 * Rolling back to a savepoint replayed the statements before it and one
 * returned something else (or failed): another writer changed the data, or a
 * non-deterministic result was observed. It is a conflict, so the outermost
 * unit retries as a whole.
 */
export class ReplayDivergenceError extends TransactionConflictError {
  /** Position of the diverging statement in the transaction (0-based). */
  readonly statementIndex: number
  /** Marks instances so the guard works across copies of this package. */
  readonly [DIVERGENCE] = true
  constructor(statementIndex: number, sql: string, cause?: unknown) {
    super(
      `Savepoint replay diverged at statement ${statementIndex + 1}: ` +
        (cause === undefined ? 'it returned a different result' : 'it failed'),
      { sql, phase: 'statement', ...(cause === undefined ? {} : { cause }) },
    )
    this.name = 'ReplayDivergenceError'
    this.statementIndex = statementIndex
  }
}

const guard = databaseErrorGuard

/** Whether a value is a {@link TransactionTimeoutError}, from any copy of this package. */
export const isTransactionTimeoutError = guard<TransactionTimeoutError>(
  TransactionErrorCodes.timeout,
)
/** Whether a value is a {@link ReadOnlyTransactionError}, from any copy of this package. */
export const isReadOnlyTransactionError = guard<ReadOnlyTransactionError>(
  TransactionErrorCodes.readOnly,
)
/** Whether a value is a {@link TransactionRollbackOnlyError}, from any copy of this package. */
export const isTransactionRollbackOnlyError =
  guard<TransactionRollbackOnlyError>(TransactionErrorCodes.rollbackOnly)
/** Whether a value is a {@link NestedTransactionError}, from any copy of this package. */
export const isNestedTransactionError = guard<NestedTransactionError>(
  TransactionErrorCodes.nested,
)
/** Whether a value is a {@link PoolAccessInTransactionError}, from any copy of this package. */
export const isPoolAccessInTransactionError =
  guard<PoolAccessInTransactionError>(TransactionErrorCodes.poolAccess)
/** Whether a value is a {@link TransactionStateError}, from any copy of this package. */
export const isTransactionStateError = guard<TransactionStateError>(
  TransactionErrorCodes.state,
)
/** Whether a value is a {@link TransactionManagerClosedError}, from any copy of this package. */
export const isTransactionManagerClosedError =
  guard<TransactionManagerClosedError>(TransactionErrorCodes.closed)
/** Whether a value is a {@link ReplayDivergenceError}, from any copy of this package. */
export function isReplayDivergenceError(
  value: unknown,
): value is ReplayDivergenceError {
  return (
    isDatabaseError(value) &&
    (value as unknown as Record<symbol, unknown>)[DIVERGENCE] === true
  )
}
