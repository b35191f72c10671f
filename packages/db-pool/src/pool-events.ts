import type { DatabaseError } from '@duckkit/resilience'
import type { PoolWarning } from './types.js'

/** Why a connection was closed. */
export type DestroyReason =
  | 'idle'
  | 'lifetime'
  | 'session'
  | 'reset-failed'
  | 'released'
  | 'broken'
  | 'closing'
  | (string & {})

/** Payload of `connectionCreated`. */
export interface ConnectionCreatedEvent {
  /** Identifier of the new connection. */
  connectionId: number
  /** How long opening and initialising it took, in milliseconds. */
  durationMs: number
}

/** Payload of `connectionDestroyed`. */
export interface ConnectionDestroyedEvent {
  /** Identifier of the closed connection. */
  connectionId: number
  /** Why it was closed. */
  reason: DestroyReason
}

/** Payload of `connectionError`. */
export interface ConnectionErrorEvent {
  /** `create` (opening or the init hook failed) or `reset` (the clean-up on release failed). */
  phase: 'create' | 'reset'
  /** The classified error. */
  error: DatabaseError
}

/** Payload of `leak`. */
export interface LeakEvent {
  /** Identifier of the connection held too long. */
  connectionId: number
  /** How long it has been held, in milliseconds. */
  heldMs: number
  /** When it was acquired, on the pool's clock. */
  acquiredAt: number
  /** Stack trace of the `acquire` call. */
  stack: string
}

/** Payload of `acquireTimeout`. */
export interface AcquireTimeoutEvent {
  /** The wait that was exceeded, in milliseconds. */
  timeoutMs: number
  /** Callers still waiting. */
  waiting: number
}

/** Payload of `statementTimeout`. */
export interface StatementTimeoutEvent {
  /** Identifier of the connection that was interrupted. */
  connectionId: number
  /** The deadline that was exceeded, in milliseconds. */
  timeoutMs: number
  /** SQL text of the statement (never its parameters). */
  sql: string
}

/** Payload of `down`. */
export interface DownEvent {
  /** The fatal error that invalidated the database. */
  error: DatabaseError
}

/** Every event a pool emits, with its payload. */
export interface PoolEvents {
  /** A connection was opened and initialised. */
  connectionCreated: ConnectionCreatedEvent
  /** A connection was closed. */
  connectionDestroyed: ConnectionDestroyedEvent
  /** Opening, initialising or cleaning a connection failed. */
  connectionError: ConnectionErrorEvent
  /** A connection was held longer than `leakDetectionMs`; `stack` shows where it was acquired. */
  leak: LeakEvent
  /** A caller gave up waiting after `acquireTimeoutMs`. */
  acquireTimeout: AcquireTimeoutEvent
  /** A statement ran past its deadline and was interrupted. */
  statementTimeout: StatementTimeoutEvent
  /** The database hit a fatal error; the pool refuses new work until it is recreated. */
  down: DownEvent
  /** A configuration problem worth attention (such as `max` against `UV_THREADPOOL_SIZE`). */
  warning: PoolWarning
}

/** Name of a pool event. */
export type PoolEventName = keyof PoolEvents

/** Every event name, for validating listener maps. */
export const POOL_EVENT_NAMES: readonly PoolEventName[] = [
  'connectionCreated',
  'connectionDestroyed',
  'connectionError',
  'leak',
  'acquireTimeout',
  'statementTimeout',
  'down',
  'warning',
]

/** Listener of one pool event. */
export type PoolEventListener<E extends PoolEventName> = (
  payload: PoolEvents[E],
) => void

/** Listeners to attach before the pool opens its first connection. */
export type PoolListeners = { [E in PoolEventName]?: PoolEventListener<E> }

/**
 * A minimal typed event emitter. A listener that throws is reported to
 * `onListenerError` and never disturbs the pool or other listeners.
 */
export class PoolEmitter {
  readonly #listeners = new Map<PoolEventName, Set<(payload: never) => void>>()
  readonly #onListenerError: (error: unknown, event: PoolEventName) => void

  constructor(onListenerError: (error: unknown, event: PoolEventName) => void) {
    this.#onListenerError = onListenerError
  }

  /** Adds a listener. */
  on<E extends PoolEventName>(event: E, listener: PoolEventListener<E>): void {
    let set = this.#listeners.get(event)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    set.add(listener)
  }

  /** Removes a listener. */
  off<E extends PoolEventName>(event: E, listener: PoolEventListener<E>): void {
    this.#listeners.get(event)?.delete(listener)
  }

  /** Whether anyone listens to an event. */
  has(event: PoolEventName): boolean {
    const set = this.#listeners.get(event)
    return set !== undefined && set.size > 0
  }

  /** Calls every listener of an event with the payload. */
  emit<E extends PoolEventName>(event: E, payload: PoolEvents[E]): void {
    const set = this.#listeners.get(event)
    if (set === undefined) return
    for (const listener of [...set]) {
      try {
        ;(listener as PoolEventListener<E>)(payload)
      } catch (error) {
        this.#onListenerError(error, event)
      }
    }
  }
}
