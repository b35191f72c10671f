import {
  isPoolAcquireTimeoutError,
  isPoolQueueFullError,
} from '@duckkit/db-pool'
import {
  isCircuitOpenError,
  isDatabaseError,
  isTransactionConflictError,
} from '@duckkit/resilience'
import { isModelExistsError, isModelNotFoundError } from './errors.js'

// #region status
/** The HTTP status of any error the store (or DuckKit below it) throws. */
export function statusOf(error: unknown): number {
  if (isModelNotFoundError(error)) return 404
  if (isModelExistsError(error) || isTransactionConflictError(error)) return 409
  if (isPoolAcquireTimeoutError(error) || isPoolQueueFullError(error)) {
    return 503 // every connection busy: shed load, ask to retry
  }
  if (isCircuitOpenError(error)) return 503 // retry after error.retryAfterMs
  if (isDatabaseError(error) && error.retryable) return 503
  return 500
}
// #endregion status
