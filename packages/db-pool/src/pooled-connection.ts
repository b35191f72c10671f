import type { DuckDBConnection } from '@duckdb/node-api'
import type { DatabaseError } from '@duckkit/resilience'
import {
  type ConnectionSlot,
  type SlotBorrower,
  TX_NONE,
} from './connection-slot.js'
import { ConnectionReleasedError } from './pool-errors.js'
import type {
  ExecuteResult,
  PooledConnection,
  QueryParams,
  ReleaseOptions,
  Row,
  StatementOptions,
} from './types.js'

/** What a lease needs from the pool that lent it. */
export interface LeaseHost {
  /** Runs a statement and maps its rows. */
  queryOn(
    slot: ConnectionSlot,
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<Row[]>
  /** Runs a statement and reports the rows it changed. */
  executeOn(
    slot: ConnectionSlot,
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<ExecuteResult>
  /** Takes the connection back. */
  giveBack(
    slot: ConnectionSlot,
    options: ReleaseOptions | undefined,
  ): Promise<void>
}

/** The {@link PooledConnection} handed to one borrower; unusable once released. */
export class Lease implements PooledConnection, SlotBorrower {
  readonly id: number
  readonly acquiredAt: number
  readonly origin: Error | undefined
  leakReported = false
  readonly #slot: ConnectionSlot
  readonly #host: LeaseHost
  #released = false
  #revoked: DatabaseError | undefined = undefined

  constructor(
    host: LeaseHost,
    slot: ConnectionSlot,
    acquiredAt: number,
    origin: Error | undefined,
  ) {
    this.#host = host
    this.#slot = slot
    this.id = slot.id
    this.acquiredAt = acquiredAt
    this.origin = origin
  }

  /** Whether this lease may still be used. */
  get active(): boolean {
    return !this.#released && this.#revoked === undefined
  }

  get raw(): DuckDBConnection {
    if (!this.active) throw this.#unusable()
    return this.#slot.raw
  }

  get inTransaction(): boolean {
    return this.active && this.#slot.tx !== TX_NONE
  }

  get transactionFailed(): boolean {
    return this.active && this.#slot.txFailed
  }

  query<T extends Row = Row>(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<T[]> {
    if (!this.active) return Promise.reject(this.#unusable())
    return this.#host.queryOn(this.#slot, sql, params, options) as Promise<T[]>
  }

  execute(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<ExecuteResult> {
    if (!this.active) return Promise.reject(this.#unusable())
    return this.#host.executeOn(this.#slot, sql, params, options)
  }

  release(options?: ReleaseOptions): Promise<void> {
    if (this.#released || this.#revoked !== undefined) return Promise.resolve()
    this.#released = true
    return this.#host.giveBack(this.#slot, options)
  }

  /** Makes the lease unusable without giving the connection back (the pool is taking it). */
  revoke(error: DatabaseError): void {
    this.#revoked ??= error
  }

  #unusable(): DatabaseError {
    return this.#revoked ?? new ConnectionReleasedError(this.id)
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release()
  }
}
