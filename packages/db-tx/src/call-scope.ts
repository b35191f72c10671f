import {
  InterruptedError,
  type Clock,
  type TimerHandle,
} from '@duckkit/resilience'
import { TransactionTimeoutError } from './errors.js'

/** The deadline and cancellation of one `transaction()` call, across its attempts. */
export interface CallScope {
  /** Aborted at the deadline (reason: a TransactionTimeoutError) or when the caller aborts (an InterruptedError); undefined when neither can happen. */
  readonly signal: AbortSignal | undefined
  /** Stops the timer and the listener. */
  dispose(): void
}

const NONE: CallScope = { signal: undefined, dispose: () => undefined }

/** Builds the scope of a call with an optional overall `timeoutMs` and caller `signal`. */
export function createCallScope(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  clock: Clock,
  onTimeout: () => void,
): CallScope {
  if (timeoutMs <= 0 && signal === undefined) return NONE
  const controller = new AbortController()
  let timer: { readonly handle: TimerHandle } | undefined
  const onAbort = (): void => {
    controller.abort(
      new InterruptedError('Transaction was aborted by its caller', {
        cause: signal?.reason,
      }),
    )
  }
  if (timeoutMs > 0) {
    const handle = clock.setTimeout(() => {
      timer = undefined
      if (controller.signal.aborted) return
      onTimeout()
      controller.abort(new TransactionTimeoutError(timeoutMs, 'timeout'))
    }, timeoutMs)
    timer = { handle }
  }
  if (signal !== undefined) {
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  }
  return {
    signal: controller.signal,
    dispose: () => {
      if (timer !== undefined) clock.clearTimeout(timer.handle)
      signal?.removeEventListener('abort', onAbort)
    },
  }
}
