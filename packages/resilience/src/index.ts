export { systemClock } from './clock.js'
export type { Clock, TimerHandle } from './clock.js'
export {
  DatabaseError,
  isDatabaseError,
  isRetryable,
} from './database-error.js'
export type { DatabaseErrorOptions } from './database-error.js'
export {
  CatalogError,
  CircuitOpenError,
  ConnectionError,
  ConstraintViolationError,
  countsAsFailure,
  DataError,
  ErrorCodes,
  FatalDatabaseError,
  InterruptedError,
  IoError,
  isCatalogError,
  isCircuitOpenError,
  isConnectionError,
  isConstraintViolationError,
  isDataError,
  isFatalDatabaseError,
  isInterruptedError,
  isIoError,
  isOutOfMemoryError,
  isQueryTimeoutError,
  isSqlSyntaxError,
  isTransactionAbortedError,
  isTransactionConflictError,
  OutOfMemoryError,
  QueryTimeoutError,
  SqlSyntaxError,
  TransactionAbortedError,
  TransactionConflictError,
  databaseErrorGuard,
} from './errors.js'
export type {
  ConflictPhase,
  ConstraintKind,
  DatabaseErrorSubclassOptions,
} from './errors.js'
export { classifyError } from './classify-error.js'
export type { ClassifyContext } from './classify-error.js'
export {
  InvalidOptionError,
  isInvalidOptionError,
} from './invalid-option-error.js'
export { withTimeout } from './with-timeout.js'
export type { WithTimeoutOptions } from './with-timeout.js'
export { Emitter } from './emitter.js'
export { clockOption, loggerOption } from './validate.js'
export type { Listener } from './emitter.js'
export type { Logger, LogMethod } from './logger.js'
export type { Jitter } from './backoff.js'
export { isTransient, retry } from './retry.js'
export type { RetryContext, RetryEvent, RetryOptions } from './retry.js'
export { RetryBudget } from './retry-budget.js'
export type { RetryBudgetOptions, RetryBudgetStats } from './retry-budget.js'
export { createCircuitBreaker } from './circuit-breaker.js'
export type {
  CircuitBreaker,
  CircuitBreakerEvents,
  CircuitBreakerStats,
  CircuitState,
} from './circuit-breaker-types.js'
export type { CircuitBreakerOptions } from './circuit-breaker-options.js'
export { BreakerRegistry } from './breaker-registry.js'
export type {
  BreakerDefaults,
  BreakerRegistryEvents,
} from './breaker-registry.js'
export { CHAOS_KINDS } from './chaos-options.js'
export type { ChaosKind, ChaosOptions } from './chaos-options.js'
export { createChaosInjector, isInjectedByChaos } from './chaos.js'
export type {
  ChaosCause,
  ChaosEnableOptions,
  ChaosEvents,
  ChaosInjector,
  ChaosInjectorOptions,
  ChaosStats,
} from './chaos.js'
export { createPolicy } from './policy.js'
export type {
  Policy,
  PolicyContext,
  PolicyEvents,
  PolicyExecuteOptions,
  PolicyOptions,
  PolicyStats,
} from './policy-types.js'
