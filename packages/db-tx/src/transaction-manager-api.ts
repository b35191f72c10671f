import type { QueryParams, Row } from '@duckkit/db-pool'
import type { Listener as EventListener } from '@duckkit/resilience'
import type { TransactionEvents, TransactionStats } from './events.js'
import type {
  ExecuteResult,
  QueryRunner,
  Transaction,
  TransactionListener,
  TransactionOptions,
} from './types.js'

/** Runs units of work in DuckDB transactions; create one with `createTransactionManager`. */
export interface TransactionManager extends QueryRunner, AsyncDisposable {
  /**
   * Runs `fn` in a transaction and returns its result: BEGIN (sent with the
   * first statement), `fn(tx)` on one pooled connection, COMMIT; ROLLBACK when
   * `fn` throws. Inside an open transaction it starts a nested unit instead.
   */
  transaction<T>(
    fn: (tx: Transaction) => Promise<T> | T,
    options?: TransactionOptions,
  ): Promise<T>
  /** The innermost unit open in the current async context, if any. */
  current(): Transaction | undefined
  /** Runs a statement in the current transaction, or in autocommit mode on the pool when there is none. */
  query<T extends Row = Row>(sql: string, params?: QueryParams): Promise<T[]>
  /** Like {@link TransactionManager.query} for statements whose changed-row count matters. */
  execute(sql: string, params?: QueryParams): Promise<ExecuteResult>
  /** True when the current transaction has run a statement that writes; false outside transactions. */
  readonly hasWrites: boolean
  /** True when a transaction is open in the current async context. */
  readonly inTransaction: boolean
  /** Runs `fn` outside the ambient transaction, so it may use the pool (or start an independent transaction) on purpose. */
  outside<T>(fn: () => T): T
  /** Adds a listener of final commits and rollbacks; returns a function that removes it. */
  addListener(listener: TransactionListener): () => void
  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof TransactionEvents>(
    event: K,
    listener: EventListener<TransactionEvents[K]>,
  ): () => void
  /** Counters and duration percentiles. */
  stats(): TransactionStats
  /** Refuses new transactions, waits for open ones to finish and removes the pool hook. */
  close(): Promise<void>
}
