import { type Clock, type TimerHandle, systemClock } from './clock.js'
import { InterruptedError, QueryTimeoutError } from './errors.js'
import { InvalidOptionError } from './invalid-option-error.js'

/** Options of {@link withTimeout}. */
export interface WithTimeoutOptions {
  /** Deadline in milliseconds; `0`, a negative number or `Infinity` means no deadline. */
  timeoutMs: number
  /** Called once at the deadline, before the promise rejects (wire `connection.interrupt()` here); errors it throws are ignored. @default undefined */
  onTimeout?: (() => void) | undefined
  /** Aborting this signal rejects at once with an {@link InterruptedError}. @default undefined */
  signal?: AbortSignal | undefined
  /** Source of time and timers. @default systemClock */
  clock?: Clock | undefined
  /** SQL text (without parameter values) to put on the errors. @default undefined */
  sql?: string | undefined
}

/**
 * Runs `fn` with a deadline. At the deadline it calls `onTimeout`, aborts the
 * signal handed to `fn` and rejects with a {@link QueryTimeoutError}, without
 * waiting for `fn` to settle. If `options.signal` is (or becomes) aborted it
 * rejects with an {@link InterruptedError} whose `cause` is the abort reason.
 * Errors thrown by `fn` pass through unchanged.
 *
 * @example
 * ```ts
 * const rows = await withTimeout(() => connection.runAndReadAll(sql), {
 *   timeoutMs: 5_000,
 *   onTimeout: () => connection.interrupt(),
 *   sql,
 * })
 * ```
 */
export function withTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  options: WithTimeoutOptions,
): Promise<T> {
  const { timeoutMs, onTimeout, signal, sql } = options
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) {
    return Promise.reject(
      new InvalidOptionError(
        'timeoutMs',
        timeoutMs,
        'a number of milliseconds',
      ),
    )
  }
  if (signal?.aborted === true) {
    return Promise.reject(interrupted(signal.reason, sql))
  }
  const clock = options.clock ?? systemClock
  const hasDeadline = timeoutMs > 0 && timeoutMs !== Infinity
  const controller = new AbortController()

  return new Promise<T>((resolve, reject) => {
    let settled = false
    let timer: TimerHandle
    const finish = (): boolean => {
      if (settled) return false
      settled = true
      if (hasDeadline) clock.clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      return true
    }
    function onAbort(): void {
      if (!finish()) return
      const error = interrupted(signal?.reason, sql)
      controller.abort(error)
      reject(error)
    }
    if (hasDeadline) {
      timer = clock.setTimeout(() => {
        if (!finish()) return
        const error = new QueryTimeoutError(
          `Query timed out after ${timeoutMs} ms`,
          {
            timeoutMs,
            sql,
          },
        )
        try {
          onTimeout?.()
        } catch {
          // The hook is best effort: the caller gets the timeout either way.
        }
        controller.abort(error)
        reject(error)
      }, timeoutMs)
    }
    signal?.addEventListener('abort', onAbort, { once: true })

    const result = invoke(fn, controller.signal)
    // Adopting the settled promise passes its value or error through unchanged.
    const settle = (): void => {
      if (finish()) resolve(result)
    }
    result.then(settle, settle)
  })
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
async function invoke<A, T>(
  fn: (argument: A) => Promise<T>,
  argument: A,
): Promise<T> {
  return fn(argument)
}

function interrupted(
  reason: unknown,
  sql: string | undefined,
): InterruptedError {
  return new InterruptedError('Operation was aborted', { cause: reason, sql })
}
