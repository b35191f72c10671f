import type { DuckDBConnection } from '@duckdb/node-api'
import type { StatementCache } from './statement-cache.js'

/** Transaction state of a connection as tracked from the statements run through the pool. */
export const TX_NONE = 0
/** A transaction is known to be open. */
export const TX_OPEN = 1
/** A transaction may be open (a transaction statement failed, or a multi-statement text touched one). */
export const TX_MAYBE = 2

/** Minimal view of a borrower the pool keeps on a slot for leak detection. */
export interface SlotBorrower {
  /** When the connection was lent, on the pool's clock. */
  readonly acquiredAt: number
  /** Where it was acquired, when leak detection is on. */
  readonly origin: Error | undefined
  /** Set once a leak was reported for this borrow. */
  leakReported: boolean
}

/**
 * One DuckDB connection owned by the pool, with the session state the pool
 * tracks for it and the driver calls still running on it.
 */
export class ConnectionSlot {
  /** Pool-wide identifier. */
  readonly id: number
  /** The driver connection. */
  readonly raw: DuckDBConnection
  /** Prepared statements kept on this connection. */
  readonly statements: StatementCache
  /** When it was opened, on the pool's clock. */
  readonly createdAt: number
  /** When it last went idle, on the pool's clock. */
  idleSince: number
  /** {@link TX_NONE}, {@link TX_OPEN} or {@link TX_MAYBE}. */
  tx = TX_NONE
  /** A statement failed inside the open transaction, so DuckDB will roll it back. */
  txFailed = false
  /** A borrower changed session state (settings, search path, prepared statements, temporary objects). */
  sessionDirty = false
  /** The connection must not be reused (a fatal error, or a failed clean-up). */
  broken = false
  /** A statement on this connection is being interrupted; new statements wait until it settles. */
  cancelling = false
  /** The current borrower, while lent out. */
  borrower: SlotBorrower | undefined = undefined
  #inflight = 0
  #onSettled: (() => void)[] = []

  constructor(
    id: number,
    raw: DuckDBConnection,
    statements: StatementCache,
    createdAt: number,
  ) {
    this.id = id
    this.raw = raw
    this.statements = statements
    this.createdAt = createdAt
    this.idleSince = createdAt
  }

  /** Whether a driver call is still running (for instance one whose caller already got a timeout). */
  get busy(): boolean {
    return this.#inflight > 0
  }

  /** Whether releasing this connection needs work before it can be lent again. */
  get dirty(): boolean {
    return this.tx !== TX_NONE || this.sessionDirty || this.broken
  }

  /** Counts a driver call as running; pair with {@link ConnectionSlot.end}. */
  begin(): void {
    this.#inflight += 1
  }

  /** Counts a driver call as finished. */
  end(): void {
    this.#inflight -= 1
    if (this.#inflight === 0 && this.#onSettled.length > 0) {
      const callbacks = this.#onSettled
      this.#onSettled = []
      for (const callback of callbacks) callback()
    }
  }

  /** Counts a driver call as running until it settles. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.begin()
    const done = (): void => this.end()
    promise.then(done, done)
    return promise
  }

  /** Resolves once no driver call is running. */
  settled(): Promise<void> {
    if (this.#inflight === 0) return Promise.resolve()
    return new Promise((resolve) => this.#onSettled.push(resolve))
  }

  /** Closes the driver connection (and with it every kept statement); call only when not {@link busy} (closing mid-query can hang). */
  close(): void {
    try {
      this.raw.closeSync()
    } catch {
      // Already closed or the instance is gone: nothing left to free.
    }
  }
}
