import type { Clock, TimerHandle } from '@duckkit/resilience'
import { type QueueEntry, WaiterQueue } from './waiter-queue.js'

/** What the pool knows about a caller waiting for a connection. */
export interface Waiting {
  /** When it started waiting, on the pool's clock. */
  readonly enqueuedAt: number
  /** Where it called `acquire`, when leak detection is on. */
  readonly origin: Error | undefined
  /** Its abort signal, if any. */
  readonly signal: AbortSignal | undefined
}

/** Why a waiter stopped waiting without being served. */
export type GiveUpReason = 'timeout' | 'abort'

interface Waiter<T> extends QueueEntry, Waiting {
  readonly resolve: (value: T) => void
  readonly reject: (error: Error) => void
  timer: TimerHandle
  onAbort: (() => void) | undefined
}

/**
 * Callers waiting for a connection, served first in, first out. Each waits
 * at most `timeoutMs` and stops at once when its signal aborts; `giveUp`
 * supplies the error it then gets (after it has left the queue).
 */
export class AcquireQueue<T> {
  readonly #queue = new WaiterQueue<Waiter<T>>()
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #giveUp: (reason: GiveUpReason, waiting: Waiting) => Error

  constructor(
    clock: Clock,
    timeoutMs: number,
    giveUp: (reason: GiveUpReason, waiting: Waiting) => Error,
  ) {
    this.#clock = clock
    this.#timeoutMs = timeoutMs
    this.#giveUp = giveUp
  }

  /** Callers waiting. */
  get size(): number {
    return this.#queue.size
  }

  /** Queues a caller; the promise settles when it is served, times out or aborts. */
  wait(waiting: Waiting): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        ...waiting,
        done: false,
        resolve,
        reject,
        timer: undefined,
        onAbort: undefined,
      }
      waiter.timer = this.#clock.setTimeout(
        () => this.#stop(waiter, 'timeout'),
        this.#timeoutMs,
      )
      if (waiting.signal !== undefined) {
        waiter.onAbort = () => this.#stop(waiter, 'abort')
        waiting.signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
      this.#queue.push(waiter)
    })
  }

  /** Serves the oldest waiter with what `produce` makes for it; false when nobody waits. */
  serve(produce: (waiting: Waiting) => T): boolean {
    const waiter = this.#queue.shift()
    if (waiter === undefined) return false
    this.#forget(waiter)
    waiter.resolve(produce(waiter))
    return true
  }

  /** Rejects the oldest waiter; false when nobody waits. */
  failOldest(error: Error): boolean {
    const waiter = this.#queue.shift()
    if (waiter === undefined) return false
    this.#forget(waiter)
    waiter.reject(error)
    return true
  }

  /** Rejects every waiter with a fresh error each. */
  failAll(error: () => Error): void {
    for (const waiter of this.#queue.drain()) {
      this.#forget(waiter)
      waiter.reject(error())
    }
  }

  #stop(waiter: Waiter<T>, reason: GiveUpReason): void {
    if (waiter.done) return
    this.#queue.cancel(waiter)
    this.#forget(waiter)
    waiter.reject(this.#giveUp(reason, waiter))
  }

  #forget(waiter: Waiter<T>): void {
    if (waiter.timer !== undefined) this.#clock.clearTimeout(waiter.timer)
    if (waiter.onAbort !== undefined)
      waiter.signal?.removeEventListener('abort', waiter.onAbort)
  }
}
