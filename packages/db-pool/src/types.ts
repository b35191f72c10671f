import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import type { PoolEventListener, PoolEventName } from './pool-events.js'

/** One result row: column name to mapped value (see the README's type-mapping table). */
export type Row = Record<string, unknown>

/** Statement parameters: an array for `?` / `$1` placeholders, an object for `$name` placeholders. */
export type QueryParams = readonly unknown[] | Readonly<Record<string, unknown>>

/** How result values are turned into JavaScript values. */
export type RowMode = 'json' | 'native'

/** Per-statement options. */
export interface StatementOptions {
  /** Deadline for this statement in milliseconds (`0` disables it); overrides the pool's `statementTimeoutMs`. */
  timeoutMs?: number
  /** Aborting this signal interrupts the statement and rejects with an `InterruptedError`. */
  signal?: AbortSignal
  /** Row mapping for this statement; overrides the pool's `rowMode`. */
  rowMode?: RowMode
}

/** What a statement run with `execute` reports. */
export interface ExecuteResult {
  /** Number of rows inserted, updated or deleted. */
  rowsChanged: number
}

/** Options of {@link PooledConnection.release}. */
export interface ReleaseOptions {
  /** Close the connection instead of returning it to the pool. */
  destroy?: boolean
  /** Why the connection is destroyed, reported in the `connectionDestroyed` event. */
  reason?: string
}

/**
 * A connection borrowed from the pool. Release it exactly once (later calls are
 * no-ops), or borrow it with `await using` so it is released automatically.
 */
export interface PooledConnection extends AsyncDisposable {
  /** Identifier of the underlying DuckDB connection, stable for its lifetime. */
  readonly id: number
  /** Runs a statement and returns its rows mapped to plain objects. */
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
  /** The driver connection; statements run on it directly bypass dirty-state tracking, timeouts and error mapping. */
  readonly raw: DuckDBConnection
  /** Whether a transaction opened through this connection is still open, as far as the pool has tracked. */
  readonly inTransaction: boolean
  /** Whether a statement failed inside the open transaction (DuckDB then rolls back on `COMMIT`). */
  readonly transactionFailed: boolean
  /** Gives the connection back to the pool; idempotent. */
  release(options?: ReleaseOptions): Promise<void>
}

/** Which pool call an acquire hook is running for. */
export type AcquireOperation =
  'acquire' | 'withConnection' | 'query' | 'execute'

/** What an acquire hook is told about the call that is about to acquire a connection. */
export interface AcquireHookInfo {
  /** The pool method that is acquiring. */
  operation: AcquireOperation
  /** SQL text, for `query` and `execute`. */
  sql?: string
}

/** Runs synchronously before every acquire; throwing rejects that call with the thrown error. */
export type AcquireHook = (info: AcquireHookInfo) => void

/** Options of {@link Pool.acquire} and {@link Pool.withConnection}. */
export interface AcquireOptions {
  /** Aborting this signal gives up waiting and rejects with a `PoolAcquireAbortedError`. */
  signal?: AbortSignal
}

/** Options of {@link Pool.close}. */
export interface CloseOptions {
  /** How long to wait for borrowed connections to come back before interrupting their statements. */
  timeoutMs?: number
}

/** Lifecycle state of a pool. */
export type PoolState = 'open' | 'down' | 'closing' | 'closed'

/** Percentiles of the time callers waited for a connection, over the most recent acquires. */
export interface AcquireWaitStats {
  /** Median wait in milliseconds. */
  p50: number
  /** 95th percentile wait in milliseconds. */
  p95: number
  /** 99th percentile wait in milliseconds. */
  p99: number
  /** Longest wait in the window in milliseconds. */
  max: number
  /** Number of acquires in the window (at most 1024). */
  samples: number
}

/** A plain snapshot of the pool's gauges and counters. */
export interface PoolStats {
  /** Lifecycle state. */
  state: PoolState
  /** Open connections (idle + in use). */
  size: number
  /** Connections waiting in the pool. */
  idle: number
  /** Connections lent out or being cleaned. */
  inUse: number
  /** Callers waiting for a connection. */
  waiting: number
  /** Connections being opened. */
  pending: number
  /** Configured minimum. */
  min: number
  /** Configured maximum. */
  max: number
  /** Total connections lent out. */
  acquired: number
  /** Total connections given back. */
  released: number
  /** Total connections opened. */
  created: number
  /** Total connections closed. */
  destroyed: number
  /** Acquires that gave up after `acquireTimeoutMs`. */
  timeouts: number
  /** Acquires rejected because `maxWaiting` callers were already waiting. */
  queueFull: number
  /** Acquires given up through an abort signal. */
  aborted: number
  /** Connections reported as held longer than `leakDetectionMs`. */
  leaks: number
  /** Statements cancelled by their deadline. */
  statementTimeouts: number
  /** Statements that failed with a database error. */
  statementErrors: number
  /** The prepared statements kept on connections (see `statementCacheSize`). */
  statementCache: StatementCacheStats
  /** Wait-time percentiles of recent acquires. */
  acquireWaitMs: AcquireWaitStats
}

/** Counters of the prepared statements the pool keeps on its connections. */
export interface StatementCacheStats {
  /** Statements kept now, summed over open connections. */
  size: number
  /** Statements run from a kept prepared statement. */
  hits: number
  /** Statements prepared and kept. */
  prepared: number
  /** Kept statements dropped (least recently used, after an error other than a conflict or constraint violation). */
  evicted: number
}

/** Overall health verdict. */
export type HealthStatus = 'ok' | 'degraded' | 'down'

/** Result of {@link Pool.health}. */
export interface PoolHealth {
  /** `ok`, `degraded` (works, but something needs attention) or `down`. */
  status: HealthStatus
  /** Round-trip time of the `SELECT 1` probe in milliseconds, when it ran. */
  latencyMs: number | undefined
  /** Human-readable reasons for a status other than `ok`. */
  reasons: string[]
  /** The pool statistics at the time of the check. */
  stats: PoolStats
}

/** A fault injector (such as the resilience chaos injector) consulted before acquires and statements. */
export interface ChaosHook {
  /** Resolves, delays or rejects, as the injector decides for this operation. */
  maybeInject(operation: string): Promise<void>
}

/**
 * A pool of DuckDB connections over one `DuckDBInstance`. Create it with
 * `createPool`.
 */
export interface Pool extends AsyncDisposable {
  /** The DuckDB instance every connection belongs to. */
  readonly instance: DuckDBInstance
  /** Borrows a connection; release it, or use `await using`. Waits (FIFO) when all are in use. */
  acquire(options?: AcquireOptions): Promise<PooledConnection>
  /** Borrows a connection for the duration of `fn` and gives it back afterwards, also when `fn` throws. */
  withConnection<T>(
    fn: (connection: PooledConnection) => Promise<T>,
    options?: AcquireOptions,
  ): Promise<T>
  /** Runs one statement on any free connection and returns its rows. */
  query<T extends Row = Row>(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<T[]>
  /** Runs one statement on any free connection and returns how many rows it changed. */
  execute(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<ExecuteResult>
  /** Adds a hook run synchronously before every acquire; returns a function that removes it. */
  addAcquireHook(hook: AcquireHook): () => void
  /** A snapshot of gauges, counters and acquire-wait percentiles. */
  stats(): PoolStats
  /** Probes the database with `SELECT 1` and reports `ok`, `degraded` or `down` with reasons. */
  health(): Promise<PoolHealth>
  /** Adds an event listener. */
  on<E extends PoolEventName>(event: E, listener: PoolEventListener<E>): this
  /** Removes an event listener. */
  off<E extends PoolEventName>(event: E, listener: PoolEventListener<E>): this
  /** Rejects waiters and new calls, waits up to `timeoutMs` for borrowed connections, then closes everything. Idempotent. */
  close(options?: CloseOptions): Promise<void>
  /** Configuration warnings raised at start-up (also logged and emitted as `warning` events). */
  readonly warnings: readonly PoolWarning[]
}

/** A configuration warning. */
export interface PoolWarning {
  /** Stable code, such as `'DUCKKIT_POOL_THREADPOOL'`. */
  code: string
  /** What is wrong and what to do about it. */
  message: string
}
