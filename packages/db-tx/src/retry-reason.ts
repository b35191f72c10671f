import {
  isInterruptedError,
  isTransactionAbortedError,
  isTransactionConflictError,
} from '@duckkit/resilience'
import { isReplayDivergenceError } from './errors.js'
import type { RetryReason } from './events.js'
import type { Unit } from './unit.js'

/**
 * Why an attempt that ended with `error` should run again, if it should: it
 * hit a conflict (at a statement, at COMMIT or in a savepoint replay), or the
 * error it ended with is a conflict (one a nested unit let through after its
 * savepoint rollback). Anything else is never retried.
 */
export function retryReason(
  root: Unit | undefined,
  error: unknown,
): RetryReason | undefined {
  if (root === undefined) return undefined
  if (root.conflict !== undefined) return root.conflict
  const conflict = isTransactionAbortedError(error) ? error.cause : error
  if (!isTransactionConflictError(conflict)) return undefined
  if (isReplayDivergenceError(conflict)) return 'replay-divergence'
  return conflict.phase === 'commit' ? 'commit-conflict' : 'statement-conflict'
}

/** Turns the InterruptedError of an aborted backoff delay back into the scope's own reason. */
export function unwrapAbort(
  error: unknown,
  signal: AbortSignal | undefined,
): unknown {
  if (
    signal?.aborted === true &&
    isInterruptedError(error) &&
    error.cause === signal.reason
  ) {
    return signal.reason
  }
  return error
}
