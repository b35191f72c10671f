import {
  type Clock,
  InterruptedError,
  QueryTimeoutError,
  type TimerHandle,
} from '@duckkit/resilience'

/** One registered deadline. */
interface Deadline {
  /** When it passes, on the clock. */
  readonly at: number
  /** Called once when it passes. */
  readonly fire: () => void
}

/**
 * All statement deadlines of a pool on one (unref'd) timer, armed for the
 * earliest of them. Registering and removing a deadline costs a `Set`
 * insertion and deletion: a timer per statement would cost far more than
 * the rest of the pool's bookkeeping (see README, Benchmarks), and most
 * statements finish long before their deadline.
 */
export class DeadlineTimer {
  readonly #clock: Clock
  readonly #pending = new Set<Deadline>()
  #timer: TimerHandle = undefined
  #armedFor = Infinity

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** Calls `fire` once `ms` milliseconds from now, unless removed first. */
  add(ms: number, fire: () => void): Deadline {
    const deadline = { at: this.#clock.now() + ms, fire }
    this.#pending.add(deadline)
    if (deadline.at < this.#armedFor) this.#arm(deadline.at)
    return deadline
  }

  /** Forgets a deadline (the timer stays armed and finds nothing to do). */
  remove(deadline: Deadline): void {
    this.#pending.delete(deadline)
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#armedFor = Infinity
  }

  #arm(at: number): void {
    this.stop()
    this.#armedFor = at
    this.#timer = this.#clock.setTimeout(
      () => this.#tick(),
      Math.max(0, at - this.#clock.now()),
    )
    ;(this.#timer as { unref?: () => void } | undefined)?.unref?.()
  }

  #tick(): void {
    this.#timer = undefined
    this.#armedFor = Infinity
    const now = this.#clock.now()
    let next = Infinity
    for (const deadline of this.#pending) {
      if (deadline.at <= now) {
        this.#pending.delete(deadline)
        deadline.fire()
      } else if (deadline.at < next) {
        next = deadline.at
      }
    }
    if (next !== Infinity && next < this.#armedFor) this.#arm(next)
  }
}

/** Options of {@link withDeadline}. */
export interface DeadlineOptions {
  /** Deadline in milliseconds; `0` or less means none. */
  timeoutMs: number
  /** Aborting it rejects at once with an `InterruptedError` whose `cause` is the abort reason. */
  signal: AbortSignal | undefined
  /** The pool's deadline timer. */
  timer: DeadlineTimer
  /** SQL text for the errors. */
  sql: string
  /** Called once, before the rejection, when the deadline passes or the signal aborts. */
  onCancel: () => void
  /** Called once when `running` settles, even after a rejection at the deadline. */
  onSettle?: () => void
}

/**
 * Settles like `running`, unless the deadline passes first (rejects with a
 * `QueryTimeoutError`) or the signal aborts (rejects with an
 * `InterruptedError`); either way `onCancel` runs first and `running` is left
 * to settle on its own. The contract of `withTimeout` of
 * `@duckkit/resilience`, on a shared timer and without a per-call
 * `AbortController`.
 */
export function withDeadline<T>(
  running: Promise<T>,
  options: DeadlineOptions,
): Promise<T> {
  const { timeoutMs, signal, timer, sql, onCancel, onSettle } = options
  return new Promise<T>((resolve, reject) => {
    let done = false
    let deadline: Deadline | undefined
    const finish = (): boolean => {
      if (done) return false
      done = true
      if (deadline !== undefined) timer.remove(deadline)
      signal?.removeEventListener('abort', onAbort)
      return true
    }
    function onAbort(): void {
      if (!finish()) return
      onCancel()
      reject(
        new InterruptedError('Statement was aborted', {
          cause: signal?.reason,
          sql,
        }),
      )
    }
    if (timeoutMs > 0) {
      deadline = timer.add(timeoutMs, () => {
        if (!finish()) return
        onCancel()
        reject(
          new QueryTimeoutError(`Query timed out after ${timeoutMs} ms`, {
            timeoutMs,
            sql,
          }),
        )
      })
    }
    if (signal !== undefined) {
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
    }
    running.then(
      (value) => {
        onSettle?.()
        if (finish()) resolve(value)
      },
      (error: Error) => {
        onSettle?.()
        if (finish()) reject(error)
      },
    )
  })
}
