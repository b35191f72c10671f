import { type Clock, type TimerHandle } from './clock.js'
import { InterruptedError } from './errors.js'

/** Waits `ms` on `clock`; rejects with an {@link InterruptedError} if `signal` aborts first. */
export function delay(
  ms: number,
  clock: Clock,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(aborted(signal))
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer)
      reject(aborted(signal))
    }
    const timer: TimerHandle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function aborted(signal: AbortSignal | undefined): InterruptedError {
  return new InterruptedError('Operation was aborted', {
    cause: signal?.reason,
  })
}
