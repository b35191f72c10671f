import type { QueryParams, Row } from '@duckkit/db-pool'
import {
  TransactionAbortedError,
  classifyError,
  isDatabaseError,
  isTransactionConflictError,
  type DatabaseError,
} from '@duckkit/resilience'
import {
  ReadOnlyTransactionError,
  ReplayDivergenceError,
  TransactionRollbackOnlyError,
  TransactionStateError,
} from './errors.js'
import type { Deadline } from './deadline.js'
import type { ConflictSource } from './events.js'
import { fingerprint } from './fingerprint.js'
import { rejectWith } from './reject.js'
import { statementKind } from './statement-kind.js'
import type {
  ExecuteResult,
  StatementOptions,
  TransactionConnection,
} from './types.js'
import type { Clock, TimerHandle } from '@duckkit/resilience'

/** What the state reports to its manager (stats and events). */
export interface StateReporter {
  /** The transaction entered the aborted state. */
  aborted(state: TransactionState, error: unknown): void
  /** A conflict surfaced. */
  conflict(
    state: TransactionState,
    source: ConflictSource,
    error: unknown,
  ): void
}

/** The part of a unit the state needs to check who runs a statement. */
export interface StatementIssuer {
  /** Whether the unit has ended. */
  readonly closed: boolean
  /** Whether the unit refuses writes. */
  readonly readOnly: boolean
  /** Aborts when the unit's statements must stop. */
  readonly deadline: Deadline
}

/** How statements are sent. */
export interface SendSettings {
  /** Per-statement deadline passed to the pool (`0`: only the transaction's deadline applies). */
  readonly statementTimeoutMs: number
  /** Clock for re-sending interrupts that arrived before DuckDB started the statement. */
  readonly clock: Clock
}

/** How often an interrupt is repeated while the interrupted statement has not settled. */
const REINTERRUPT_MS = 50

type Kind = 'query' | 'execute'
type Outcome = Row[] | ExecuteResult

interface LogEntry {
  readonly kind: Kind
  readonly sql: string
  readonly params: QueryParams | undefined
  readonly write: boolean
  readonly fingerprint: string
}

/** Why the current attempt must be retried, if it must. */
export type ConflictReason =
  'statement-conflict' | 'commit-conflict' | 'replay-divergence'

const NO_TRANSACTION = /no transaction is active/i
const READ_ONLY = /read-only mode|read only transaction|launched in read.only/i

/**
 * One attempt of an outermost transaction on one pooled connection: the
 * statement log used for savepoint replays, the aborted state DuckDB does not
 * enforce on COMMIT, and the serialisation of everything sent on the connection.
 */
export class TransactionState {
  /** Identifier of the outermost unit running (in a lane batch, the member running now). */
  id: number
  /** Its attempt number (1-based). */
  attempt: number
  /** Whether BEGIN is sent READ ONLY. */
  readonly readOnly: boolean
  /** Open units, outermost first. */
  readonly units: StatementIssuer[] = []
  /** First error of the attempt; set means aborted. */
  abortedBy: unknown = undefined
  /** Set when a joined unit failed; COMMIT is then refused. */
  rollbackOnlyBy: unknown = undefined
  /** Set when the attempt hit a conflict, so the outermost unit may retry. */
  conflict: ConflictReason | undefined = undefined
  /** Whether the attempt has ended (committed or rolled back). */
  closed = false

  readonly #connection: TransactionConnection
  readonly #reporter: StateReporter
  readonly #send_: SendSettings
  /** Options of BEGIN, COMMIT and ROLLBACK: the statement deadline, never a signal. */
  readonly #plain: StatementOptions
  #sent = 0
  #running: number | undefined = undefined
  #reinterrupt: { readonly handle: TimerHandle } | undefined = undefined
  readonly #log: LogEntry[] = []
  #writes = 0
  /** `no`: no BEGIN sent; `yes`: open; `maybe`: BEGIN went out with a statement that failed. */
  #begun: 'no' | 'yes' | 'maybe' = 'no'
  #tail: Promise<unknown> = Promise.resolve()
  #queued = 0

  constructor(
    id: number,
    attempt: number,
    readOnly: boolean,
    connection: TransactionConnection,
    reporter: StateReporter,
    send: SendSettings,
  ) {
    this.id = id
    this.attempt = attempt
    this.readOnly = readOnly
    this.#connection = connection
    this.#reporter = reporter
    this.#send_ = send
    this.#plain = { timeoutMs: send.statementTimeoutMs }
  }

  /** Whether a statement that writes is part of the transaction. */
  get hasWrites(): boolean {
    return this.#writes > 0
  }

  /** Number of statements in the log (the position a new savepoint takes). */
  get length(): number {
    return this.#log.length
  }

  /** SQL text of the logged statements, in order. */
  statements(): string[] {
    return this.#log.map((entry) => entry.sql)
  }

  /** Runs a statement for `unit`, or throws why it cannot run. */
  run(
    unit: StatementIssuer,
    kind: 'query',
    sql: string,
    params?: QueryParams,
  ): Promise<Row[]>
  run(
    unit: StatementIssuer,
    kind: 'execute',
    sql: string,
    params?: QueryParams,
  ): Promise<ExecuteResult>
  run(
    unit: StatementIssuer,
    kind: Kind,
    sql: string,
    params?: QueryParams,
  ): Promise<Outcome> {
    try {
      const write = this.#admit(unit, sql)
      const copy = params === undefined ? undefined : copyParams(params)
      return this.#serial(async () => {
        this.#recheck(unit, sql)
        let result: Outcome
        try {
          result = await this.#send(kind, sql, copy, unit.deadline)
        } catch (error) {
          throw this.#fail(error, sql)
        }
        this.#append(kind, sql, copy, write, result)
        return result
      })
    } catch (error) {
      return rejectWith(error)
    }
  }

  /** Sends COMMIT, unless the attempt is aborted or rollback-only (then it throws). */
  commit(): Promise<void> {
    return this.#serial(async () => {
      const refused = this.commitRefusal()
      if (refused !== undefined) throw refused
      if (this.#begun === 'no') return
      try {
        // No signal: an interrupted COMMIT would leave the outcome unknown.
        await this.#connection.execute('COMMIT', undefined, this.#plain)
        this.#begun = 'no'
      } catch (error) {
        this.#begun = 'maybe'
        const classified = classifyError(error, { sql: 'COMMIT' })
        if (isTransactionConflictError(classified)) {
          this.conflict ??= 'commit-conflict'
          this.#reporter.conflict(this, 'commit', classified)
        }
        this.abortedBy ??= classified
        throw classified
      }
    })
  }

  /** The error COMMIT throws without sending anything: the attempt is aborted or rollback-only. */
  commitRefusal(): Error | undefined {
    if (this.abortedBy !== undefined) {
      return new TransactionAbortedError(
        'Transaction was aborted by an earlier error and rolled back (DuckDB would have ' +
          'reported COMMIT as successful and silently discarded the work)',
        { cause: this.abortedBy },
      )
    }
    if (this.rollbackOnlyBy !== undefined)
      return new TransactionRollbackOnlyError({ cause: this.rollbackOnlyBy })
    return undefined
  }

  /** Sends ROLLBACK when a transaction may be open; "no transaction is active" is not an error. */
  rollback(): Promise<void> {
    return this.#serial(() => this.#rollbackNow())
  }

  /**
   * Undoes everything after `savepoint`. Without an error and without writes
   * after it, only the log is cut. Otherwise it rolls back, begins again and
   * replays the statements before the savepoint, comparing each result with
   * the first run; a difference or a failure aborts the attempt with a
   * {@link ReplayDivergenceError}. Resolves with the number of statements
   * replayed, or `undefined` when cutting the log was enough.
   */
  rollbackTo(
    savepoint: number,
    deadline: Deadline,
    onDivergence: (index: number, sql: string) => void,
  ): Promise<number | undefined> {
    return this.#serial(async () => {
      const undone = this.#log.slice(savepoint)
      if (
        this.abortedBy === undefined &&
        undone.every((entry) => !entry.write)
      ) {
        this.#truncate(savepoint)
        return undefined
      }
      const prefix = this.#log.slice(0, savepoint)
      await this.#rollbackNow()
      this.#log.length = 0
      this.#writes = 0
      this.abortedBy = undefined
      this.conflict = undefined
      for (const [index, entry] of prefix.entries()) {
        let result: Outcome | undefined
        let failure: unknown
        try {
          result = await this.#send(
            entry.kind,
            entry.sql,
            entry.params,
            deadline,
          )
        } catch (error) {
          failure = classifyError(error, { sql: entry.sql })
        }
        if (
          failure !== undefined ||
          fingerprint(toPrint(result)) !== entry.fingerprint
        ) {
          const divergence = new ReplayDivergenceError(
            index,
            entry.sql,
            failure,
          )
          this.abortedBy = divergence
          this.conflict = 'replay-divergence'
          onDivergence(index, entry.sql)
          this.#reporter.conflict(this, 'replay', divergence)
          this.#reporter.aborted(this, divergence)
          throw divergence
        }
        this.#log.push(entry)
        if (entry.write) this.#writes += 1
      }
      return prefix.length
    })
  }

  /** Marks the attempt aborted by `error` (a deadline or an abort signal) unless it already is. */
  abort(error: unknown): void {
    if (this.abortedBy !== undefined) return
    this.abortedBy = error
    this.#reporter.aborted(this, error)
  }

  /** Checks that `unit` may issue `sql` now; returns whether it writes. */
  #admit(unit: StatementIssuer, sql: string): boolean {
    this.#recheck(unit, sql)
    const kind = statementKind(sql)
    if (kind === 'control')
      throw this.#fail(
        new TransactionStateError('transaction-control', { sql }),
        sql,
      )
    // A READ ONLY transaction is enforced by DuckDB; a read-only unit inside a
    // read-write transaction can only be enforced here, by the statement's text.
    if (kind === 'write' && unit.readOnly && !this.readOnly) {
      throw this.#fail(
        new ReadOnlyTransactionError('A read-only unit cannot write', { sql }),
        sql,
      )
    }
    return kind === 'write'
  }

  /** Throws when `unit` has ended, is not the innermost unit, or the attempt is aborted. */
  #recheck(unit: StatementIssuer, sql: string): void {
    if (unit.closed || this.closed)
      throw new TransactionStateError('closed', { sql })
    if (this.units.at(-1) !== unit)
      throw new TransactionStateError('inner-unit-open', { sql })
    if (this.abortedBy !== undefined) {
      throw new TransactionAbortedError(
        'Transaction is aborted by an earlier error; roll back (throw) to continue',
        { sql, cause: this.abortedBy },
      )
    }
  }

  async #send(
    kind: Kind,
    sql: string,
    params: QueryParams | undefined,
    deadline: Deadline,
  ): Promise<Outcome> {
    if (deadline.aborted) throw deadline.reason
    const connection = this.#connection
    const options = this.#options(deadline)
    const id = (this.#sent += 1)
    this.#running = id
    try {
      // BEGIN goes out on its own rather than glued to the first statement:
      // both texts then repeat exactly, so the pool keeps them prepared, and
      // a prepared BEGIN plus a prepared statement cost less than one
      // combined text DuckDB has to parse and plan every time.
      if (this.#begun !== 'yes') await this.#beginNow()
      return kind === 'query'
        ? await connection.query(sql, params, options)
        : await connection.execute(sql, params, options)
    } finally {
      this.#running = undefined
    }
  }

  async #beginNow(): Promise<void> {
    this.#begun = 'maybe'
    await this.#connection.execute(this.#beginSql(), undefined, this.#plain)
    this.#begun = 'yes'
  }

  /**
   * Interrupts the statement running on the connection, if any, and repeats
   * the interrupt until it settles (DuckDB drops an interrupt that arrives
   * before it starts the statement).
   */
  interrupt(): void {
    const raw = this.#connection.raw
    const target = this.#running
    if (
      raw === undefined ||
      target === undefined ||
      this.#reinterrupt !== undefined
    )
      return
    const { clock } = this.#send_
    const fire = (): void => {
      this.#reinterrupt = undefined
      if (this.#running !== target || this.closed) return
      try {
        raw.interrupt()
      } catch {
        // The connection is gone; the statement fails on its own.
      }
      this.#reinterrupt = { handle: clock.setTimeout(fire, REINTERRUPT_MS) }
    }
    fire()
  }

  #beginSql(): string {
    return this.readOnly ? 'BEGIN TRANSACTION READ ONLY' : 'BEGIN TRANSACTION'
  }

  /** Stops repeating interrupts (called when the attempt ends). */
  close(): void {
    this.closed = true
    if (this.#reinterrupt !== undefined)
      this.#send_.clock.clearTimeout(this.#reinterrupt.handle)
    this.#reinterrupt = undefined
  }

  /** Statement options: the pool deadline, and the unit's signal when the connection cannot be interrupted directly. */
  #options(deadline: Deadline): StatementOptions {
    const timeoutMs = this.#send_.statementTimeoutMs
    return this.#connection.raw === undefined
      ? { timeoutMs, signal: deadline.signal }
      : { timeoutMs }
  }

  async #rollbackNow(): Promise<void> {
    if (this.#begun === 'no') return
    try {
      await this.#connection.execute('ROLLBACK', undefined, this.#plain)
    } catch (error) {
      if (!NO_TRANSACTION.test(messageOf(error)))
        throw classifyError(error, { sql: 'ROLLBACK' })
    }
    this.#begun = 'no'
  }

  /** Records the first error of the attempt and returns the error to throw. */
  #fail(error: unknown, sql: string): DatabaseError {
    let classified = classifyError(error, { sql })
    if (!isDatabaseError(error) || classified.code === 'E_DATABASE') {
      if (READ_ONLY.test(classified.message)) {
        classified = new ReadOnlyTransactionError(classified.message, {
          sql,
          cause: error,
        })
      }
    }
    if (this.abortedBy === undefined) {
      this.abortedBy = classified
      this.#reporter.aborted(this, classified)
    }
    if (isTransactionConflictError(classified)) {
      this.conflict ??= 'statement-conflict'
      this.#reporter.conflict(this, 'statement', classified)
    }
    return classified
  }

  #append(
    kind: Kind,
    sql: string,
    params: QueryParams | undefined,
    write: boolean,
    result: Outcome,
  ): void {
    this.#log.push({
      kind,
      sql,
      params,
      write,
      fingerprint: fingerprint(toPrint(result)),
    })
    if (write) this.#writes += 1
  }

  #truncate(length: number): void {
    for (const entry of this.#log.splice(length))
      if (entry.write) this.#writes -= 1
  }

  /** Runs `task` after everything queued before it; runs at once when nothing is queued. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queued === 0 ? task() : this.#tail.then(task)
    this.#queued += 1
    const done = (): void => {
      this.#queued -= 1
    }
    this.#tail = result.then(done, done)
    return result
  }
}

function toPrint(result: Outcome | undefined): readonly unknown[] | number {
  if (result === undefined) return -1
  return Array.isArray(result) ? result : result.rowsChanged
}

function copyParams(params: QueryParams): QueryParams {
  return Array.isArray(params)
    ? [...(params as unknown[])]
    : { ...(params as Record<string, unknown>) }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
