export { createTransactionManager } from './transaction-manager.js'
export type { TransactionManager } from './transaction-manager-api.js'
export type { PoolAccessGuard, TransactionManagerOptions } from './options.js'
export type {
  AcquireInfo,
  AfterCommitHook,
  AfterRollbackHook,
  CommitEvent,
  ConflictRetryOptions,
  ExecuteResult,
  InterruptibleConnection,
  NestedOptions,
  Propagation,
  QueryRunner,
  ReleaseOptions,
  StatementOptions,
  Transaction,
  TransactionConnection,
  TransactionListener,
  TransactionOptions,
  TransactionPool,
} from './types.js'
export type {
  ConflictSource,
  RetryReason,
  TransactionEvents,
  TransactionStats,
} from './events.js'
export type { DurationPercentiles } from './duration-stats.js'
export type { Listener as EventListener } from '@duckkit/resilience'
export {
  isNestedTransactionError,
  isPoolAccessInTransactionError,
  isReadOnlyTransactionError,
  isReplayDivergenceError,
  isTransactionManagerClosedError,
  isTransactionRollbackOnlyError,
  isTransactionStateError,
  isTransactionTimeoutError,
  NestedTransactionError,
  PoolAccessInTransactionError,
  ReadOnlyTransactionError,
  ReplayDivergenceError,
  TransactionErrorCodes,
  TransactionManagerClosedError,
  TransactionRollbackOnlyError,
  TransactionStateError,
  TransactionTimeoutError,
} from './errors.js'
export type {
  TimeoutReason,
  TransactionErrorOptions,
  TransactionStateReason,
} from './errors.js'
export { statementKind } from './statement-kind.js'
export type { StatementKind } from './statement-kind.js'
