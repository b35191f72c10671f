export { createPool } from './create-pool.js'
export { DuckDBClient, resolveClientMode } from './duckdb-client.js'
export type { DuckDBClientMode, DuckDBClientOptions } from './duckdb-client.js'
export {
  GET_CLIENT_DEPRECATION_CODE,
  getDuckDBClient,
  setDuckDBClient,
} from './get-duckdb-client.js'
export { defaultTransactionRunner } from './transaction-runner.js'
export type { TransactionRunner } from './transaction-runner.js'
export { defaultMax, threadpoolSizeFromEnv } from './threadpool.js'
export type { ConnectionInit, PoolOptions } from './options.js'
export {
  ConnectionReleasedError,
  isConnectionReleasedError,
  isPoolAcquireAbortedError,
  isPoolAcquireTimeoutError,
  isPoolClosedError,
  isPoolDownError,
  isPoolOptionsError,
  isPoolQueueFullError,
  PoolAcquireAbortedError,
  PoolAcquireTimeoutError,
  PoolClosedError,
  PoolDownError,
  PoolErrorCodes,
  PoolOptionsError,
  PoolQueueFullError,
} from './pool-errors.js'
export type {
  AcquireTimeoutEvent,
  ConnectionCreatedEvent,
  ConnectionDestroyedEvent,
  ConnectionErrorEvent,
  DestroyReason,
  DownEvent,
  LeakEvent,
  StatementTimeoutEvent,
  PoolEventListener,
  PoolEventName,
  PoolEvents,
  PoolListeners,
} from './pool-events.js'
export { jsonValueConverter } from './row-mapping.js'
export type {
  AcquireHook,
  AcquireHookInfo,
  AcquireOperation,
  AcquireOptions,
  AcquireWaitStats,
  ChaosHook,
  CloseOptions,
  ExecuteResult,
  HealthStatus,
  Pool,
  PooledConnection,
  PoolHealth,
  PoolState,
  PoolStats,
  PoolWarning,
  QueryParams,
  ReleaseOptions,
  Row,
  RowMode,
  StatementCacheStats,
  StatementOptions,
} from './types.js'
