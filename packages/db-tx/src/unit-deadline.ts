import {
  InterruptedError,
  type Clock,
  type TimerHandle,
} from '@duckkit/resilience'
import type { Deadline } from './deadline.js'
import { TransactionTimeoutError } from './errors.js'
import type { Unit } from './unit.js'

/**
 * The deadline of a nested unit: its parent's, plus its own `timeoutMs` and
 * `signal` when given. When either fires, the attempt is marked aborted, the
 * unit's deadline aborts and the running statement is interrupted.
 */
export function unitDeadline(
  parent: Unit,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  clock: Clock,
  onTimeout: () => void,
): { deadline: Deadline; dispose: () => void } {
  if (timeoutMs <= 0 && signal === undefined) {
    return { deadline: parent.deadline, dispose: () => undefined }
  }
  const child = parent.deadline.child()
  const state = parent.state
  const stop = (error: unknown): void => {
    if (state.closed || child.deadline.aborted) return
    state.abort(error)
    child.deadline.abort(error)
    state.interrupt()
  }
  let timer: { readonly handle: TimerHandle } | undefined
  if (timeoutMs > 0) {
    const handle = clock.setTimeout(() => {
      timer = undefined
      if (state.closed || child.deadline.aborted) return
      onTimeout()
      stop(new TransactionTimeoutError(timeoutMs, 'timeout'))
    }, timeoutMs)
    timer = { handle }
  }
  const onAbort = (): void => {
    stop(
      new InterruptedError('Transaction was aborted by its caller', {
        cause: signal?.reason,
      }),
    )
  }
  if (signal?.aborted === true) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  return {
    deadline: child.deadline,
    dispose: () => {
      if (timer !== undefined) clock.clearTimeout(timer.handle)
      timer = undefined
      signal?.removeEventListener('abort', onAbort)
      child.dispose()
    },
  }
}
