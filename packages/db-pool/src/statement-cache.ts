import type {
  DuckDBConnection,
  DuckDBMaterializedResult,
  DuckDBPreparedStatement,
} from '@duckdb/node-api'
import { classifyError, ErrorCodes } from '@duckkit/resilience'
import { unknownNames, type DriverParams } from './params.js'

/**
 * Leading keywords of the statements worth keeping prepared: queries, DML and
 * transaction control. Everything else (DDL, session statements, `ATTACH`,
 * `COPY`, `EXPORT`, ...) runs once through the plain path.
 */
const PREPARABLE: ReadonlySet<string> = new Set([
  'select',
  'with',
  'from',
  'values',
  'table',
  'insert',
  'update',
  'delete',
  'merge',
  'begin',
  'start',
  'commit',
  'end',
  'rollback',
  'abort',
])

/** Longer texts are never cached (and never remembered as seen): they are almost always one-off literals. */
const MAX_CACHED_SQL_LENGTH = 4096

interface CachedStatement {
  readonly prepared: DuckDBPreparedStatement
  /** An execution of this statement is running; a second one takes the plain path. */
  busy: boolean
  /** Evicted while running: destroyed once the run settles. */
  dropped: boolean
}

/** Counters of the pool-wide statement cache, summed over connections. */
export interface StatementCacheCounters {
  /** Statements run from a kept prepared statement. */
  hits: number
  /** Statements prepared and kept. */
  prepared: number
  /** Kept statements dropped (least recently used, or after an error). */
  evicted: number
}

/**
 * Which SQL texts the pool has seen run without parameters, so that a text is
 * prepared on its second run rather than its first (a one-off statement then
 * costs one driver call, not two). Bounded; the oldest texts are forgotten first.
 */
export class SeenStatements {
  readonly #limit: number
  readonly #texts = new Set<string>()

  constructor(limit: number) {
    this.#limit = limit
  }

  /** Records `sql` and reports whether it had been seen before. */
  check(sql: string): boolean {
    if (this.#texts.has(sql)) return true
    if (this.#texts.size >= this.#limit) {
      const oldest = this.#texts.values().next().value
      if (oldest !== undefined) this.#texts.delete(oldest)
    }
    this.#texts.add(sql)
    return false
  }
}

/**
 * Prepared statements kept on one connection, keyed by SQL text, least
 * recently used evicted first. Repeated statements then skip DuckDB's parser
 * and planner: on this machine a kept prepared `UPDATE` by primary key runs in
 * about half the time of the same text sent with `query`, and a parameterized
 * statement needs one driver call instead of three (extract, prepare,
 * execute). DuckDB re-binds a kept statement by itself when the catalog
 * changes (a column added, a table re-created).
 */
export class StatementCache {
  readonly #raw: DuckDBConnection
  readonly #capacity: number
  readonly #entries = new Map<string, CachedStatement>()
  readonly #counters: StatementCacheCounters
  readonly #seen: SeenStatements

  /**
   * Kept statements of `raw`, which destroys them all when it closes
   * (`closeSync`); `counters` and `seen` are shared by the pool's connections.
   */
  constructor(
    raw: DuckDBConnection,
    capacity: number,
    counters: StatementCacheCounters,
    seen: SeenStatements,
  ) {
    this.#raw = raw
    this.#capacity = capacity
    this.#counters = counters
    this.#seen = seen
  }

  /** Number of statements kept. */
  get size(): number {
    return this.#entries.size
  }

  /**
   * Runs `sql` on the connection: from a kept prepared statement when there
   * is one that is not already running, by preparing and keeping it when the
   * text is cacheable and either has parameters or was seen before, and
   * through the driver's plain `run` otherwise.
   */
  run(
    sql: string,
    params: DriverParams | undefined,
  ): Promise<DuckDBMaterializedResult> {
    if (this.#capacity === 0) return this.#runPlain(sql, params)
    const cached = this.#entries.get(sql)
    if (cached !== undefined) {
      if (cached.busy) return this.#runPlain(sql, params)
      this.#entries.delete(sql)
      this.#entries.set(sql, cached)
      this.#counters.hits += 1
      return this.#execute(sql, cached, params)
    }
    if (
      !cacheable(sql) ||
      (params === undefined && !this.#seen.check(sql)) ||
      sql.length > MAX_CACHED_SQL_LENGTH
    ) {
      return this.#runPlain(sql, params)
    }
    return this.#prepareAndRun(sql, params)
  }

  /** Runs `sql` through the driver's own prepare-bind-run, without keeping it. */
  #runPlain(
    sql: string,
    params: DriverParams | undefined,
  ): Promise<DuckDBMaterializedResult> {
    const running = this.#raw.run(sql, params)
    if (params === undefined || Array.isArray(params)) return running
    return running.catch(async (error: unknown) => {
      // The driver says only "Failed to retrieve bind parameter index";
      // prepare once more (on this error path only) to name the parameters.
      if (!BIND_NAME_FAILED.test(String(error))) throw error
      const prepared = await this.#raw.prepare(sql)
      try {
        throw unknownNames(params, parameterNames(prepared), sql) ?? error
      } finally {
        destroy(prepared)
      }
    })
  }

  async #prepareAndRun(
    sql: string,
    params: DriverParams | undefined,
  ): Promise<DuckDBMaterializedResult> {
    const prepared = await this.#raw.prepare(sql)
    const entry: CachedStatement = { prepared, busy: false, dropped: false }
    // Another call may have kept the same text meanwhile; the newer one wins.
    const previous = this.#entries.get(sql)
    if (previous !== undefined) this.#drop(sql, previous)
    this.#entries.set(sql, entry)
    this.#counters.prepared += 1
    if (this.#entries.size > this.#capacity) {
      const [oldest, value] = this.#entries.entries().next().value as [
        string,
        CachedStatement,
      ]
      this.#drop(oldest, value)
    }
    return this.#execute(sql, entry, params)
  }

  #execute(
    sql: string,
    entry: CachedStatement,
    params: DriverParams | undefined,
  ): Promise<DuckDBMaterializedResult> {
    const { prepared } = entry
    entry.busy = true
    try {
      // Bindings persist between runs: clear them so a missing parameter is
      // an error, never the previous call's value.
      prepared.clearBindings()
      if (params !== undefined) prepared.bind(params)
    } catch (error) {
      entry.busy = false
      return Promise.reject(
        unknownNames(params, parameterNames(prepared), sql) ??
          (error instanceof Error ? error : new Error(String(error))),
      )
    }
    return prepared.run().then(
      (result) => {
        this.#settle(entry)
        return result
      },
      (error: unknown) => {
        this.#settle(entry)
        if (!keepsStatement(error)) this.#drop(sql, entry)
        throw error
      },
    )
  }

  #settle(entry: CachedStatement): void {
    entry.busy = false
    if (entry.dropped) destroy(entry.prepared)
  }

  #drop(sql: string, entry: CachedStatement): void {
    if (entry.dropped) return
    entry.dropped = true
    if (this.#entries.get(sql) === entry) this.#entries.delete(sql)
    this.#counters.evicted += 1
    if (!entry.busy) destroy(entry.prepared)
  }
}

/** A single statement whose leading keyword is in {@link PREPARABLE}. */
function cacheable(sql: string): boolean {
  // A `;` may only end the text: multi-statement text cannot be prepared.
  const semicolon = sql.indexOf(';')
  if (semicolon !== -1 && sql.slice(semicolon + 1).trim() !== '') return false
  let start = 0
  while (start < sql.length && isSpaceOrParen(sql.charCodeAt(start))) start += 1
  let end = start
  while (end < sql.length && isLetter(sql.charCodeAt(end))) end += 1
  return PREPARABLE.has(sql.slice(start, end).toLowerCase())
}

function isSpaceOrParen(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 40
}

function isLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90)
}

/**
 * Errors after which the statement stays usable: conflicts, constraint
 * violations and aborted transactions are about the data or the transaction,
 * not the statement. After anything else the statement is dropped and
 * prepared afresh next time.
 */
function keepsStatement(error: unknown): boolean {
  const { code } = classifyError(error)
  return (
    code === ErrorCodes.transactionConflict ||
    code === ErrorCodes.constraint ||
    code === ErrorCodes.transactionAborted
  )
}

function destroy(prepared: DuckDBPreparedStatement): void {
  try {
    prepared.destroySync()
  } catch {
    // Already destroyed with its connection.
  }
}

/** What the driver says when a named parameter is not in the statement. */
const BIND_NAME_FAILED = /Failed to retrieve bind parameter index/

/** The statement's parameter names (`'1'`, `'2'`, ... for positional ones). */
function parameterNames(prepared: DuckDBPreparedStatement): string[] {
  const names: string[] = []
  for (let index = 1; index <= prepared.parameterCount; index += 1)
    names.push(prepared.parameterName(index))
  return names
}
