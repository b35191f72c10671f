import type { QueryParams, Row } from '@duckkit/db-pool'

/** Per-statement options a pooled connection accepts. */
export interface StatementOptions {
  /** Deadline of the statement in milliseconds (`0`: none). */
  timeoutMs?: number
  /** Aborting interrupts the running statement. */
  signal?: AbortSignal
}

/** What a `release` call on a pooled connection accepts. */
export interface ReleaseOptions {
  /** Close the connection instead of returning it to the pool. */
  destroy?: boolean
  /** Why the connection is destroyed, for the pool's logs. */
  reason?: string
}

/** What a statement run with `execute` reports. */
export interface ExecuteResult {
  /** Number of rows inserted, updated or deleted. */
  rowsChanged: number
}

/** A driver connection that can interrupt its running statement. */
export interface InterruptibleConnection {
  /** Interrupts the statement running on the connection, if any. */
  interrupt(): void
}

/** The part of a pooled connection a transaction uses (db-pool's `PooledConnection` satisfies it). */
export interface TransactionConnection {
  /** Runs a statement and returns its rows. */
  query<T extends Row = Row>(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<T[]>
  /** Runs a statement and returns how many rows it changed. */
  execute(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<ExecuteResult>
  /** Returns the connection to the pool, or closes it. */
  release(options?: ReleaseOptions): Promise<void>
  /** The driver connection, used only to interrupt a running statement at a deadline (a signal is passed instead when absent). */
  readonly raw?: InterruptibleConnection
}

/** The pool operation an acquire hook is told about. */
export interface AcquireInfo {
  /** Which pool method asked for a connection. */
  operation: 'acquire' | 'withConnection' | 'query' | 'execute'
  /** SQL text of `query` and `execute` calls. */
  sql?: string
}

/** The part of a pool a transaction manager uses (db-pool's `Pool` satisfies it). */
export interface TransactionPool {
  /** Borrows a connection. */
  acquire(options?: { signal?: AbortSignal }): Promise<TransactionConnection>
  /** Runs one statement in autocommit mode and returns its rows. */
  query(sql: string, params?: QueryParams): Promise<Row[]>
  /** Runs one statement in autocommit mode and returns how many rows it changed. */
  execute(sql: string, params?: QueryParams): Promise<ExecuteResult>
  /** Registers a synchronous check that runs before the pool hands out a connection; throwing refuses the call. */
  addAcquireHook?(hook: (info: AcquireInfo) => void): () => void
}

/** Something that runs queries and says whether it has written (the query cache's runner shape). */
export interface QueryRunner {
  /** Runs a statement and returns its rows. */
  query<T extends Row = Row>(sql: string, params?: QueryParams): Promise<T[]>
  /** True once the current transaction has run a statement that writes. */
  readonly hasWrites: boolean
  /** True while the statements run inside a transaction (a cache must not store what it reads there). */
  readonly inTransaction: boolean
}

/** What listeners learn about a finished transaction. */
export interface CommitEvent {
  /**
   * SQL text of the transaction's statements in order (final attempt only,
   * after savepoint rollbacks and replays), never parameters; without BEGIN/COMMIT.
   */
  readonly statements: readonly string[]
}

/** Observes the final outcome of every transaction (the query cache implements it). */
export interface TransactionListener {
  /** Runs after COMMIT succeeded and is awaited before `transaction()` resolves; errors are reported, never thrown. */
  afterCommit?(event: CommitEvent): Promise<void> | void
  /** Runs after the final attempt rolled back; errors are reported, never thrown. */
  afterRollback?(event: CommitEvent): Promise<void> | void
}

/** How a unit started inside an open transaction relates to it. */
export type Propagation = 'nested' | 'join' | 'fail'

/** A callback run after the final outcome of a unit. */
export type AfterCommitHook = () => unknown
/** A callback run after a unit's work was rolled back; receives the reason. */
export type AfterRollbackHook = (reason: unknown) => unknown

/** The handle a unit of work receives; also what `tm.current()` returns. */
export interface Transaction extends QueryRunner {
  /** Identifier of the outermost transaction (the same across its nested units and retries). */
  readonly id: number
  /** Which attempt of the outermost unit is running (1 for the first). */
  readonly attempt: number
  /** Nesting depth: 0 for the outermost unit. */
  readonly depth: number
  /** Whether the unit refuses writes. */
  readonly readOnly: boolean
  /** Whether a statement failed, so only a rollback (of this unit or an outer one) is possible. */
  readonly aborted: boolean
  /** Aborted when the unit times out or its caller's signal aborts. */
  readonly signal: AbortSignal
  /** Runs a statement in the transaction and returns how many rows it changed. */
  execute(sql: string, params?: QueryParams): Promise<ExecuteResult>
  /** Starts a unit inside this one (same as `tm.transaction` called from inside). */
  transaction<T>(
    fn: (tx: Transaction) => Promise<T> | T,
    options?: NestedOptions,
  ): Promise<T>
  /** Registers a side effect that runs once after the outermost transaction commits this unit's work. */
  afterCommit(hook: AfterCommitHook): void
  /** Registers a side effect that runs once after this unit's work is finally rolled back. */
  afterRollback(hook: AfterRollbackHook): void
}

/** Options a nested unit accepts (a subset of the transaction options). */
export interface NestedOptions {
  /** How the unit relates to the open transaction. @default 'nested' */
  propagation?: Propagation
  /** Refuse writes in this unit. @default the enclosing unit's setting */
  readOnly?: boolean
  /** Deadline of the unit in milliseconds, across all its attempts, backoff and waits; at the deadline its running statement is interrupted and the unit rolls back. @default undefined (none) */
  timeoutMs?: number
  /** Write lanes held from before BEGIN until after COMMIT (in-process FIFO locks keyed by, say, a table name), so writers in one lane never conflict; a nested unit may only name lanes its outermost unit holds. @default undefined */
  lane?: string | readonly string[]
  /** A short name for logs and events. @default undefined */
  label?: string
  /** Aborting interrupts the running statement and rolls the unit back. @default undefined */
  signal?: AbortSignal
}

/** Conflict-retry settings of a unit (backoff and jitter from `@duckkit/resilience`). */
export interface ConflictRetryOptions {
  /** Total attempts, the first included. @default 8 */
  maxAttempts?: number
  /** Base delay before the first retry, in milliseconds. @default 2 */
  initialDelayMs?: number
  /** Upper bound of any delay, in milliseconds. @default 100 */
  maxDelayMs?: number
  /** Jitter strategy of the backoff. @default 'full' */
  jitter?: 'full' | 'decorrelated' | 'none'
}

/** Options of `tm.transaction(fn, options)`. */
export interface TransactionOptions extends NestedOptions {
  /** Conflict retry for this unit, or `false` to opt out (an outermost unit's setting; nested units follow it). @default the manager's `retry` */
  retry?: ConflictRetryOptions | false
}
