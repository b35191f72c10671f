import type { Clock } from '@duckkit/resilience'
import { createPool } from './create-pool.js'
import { probeHealth } from './health.js'
import { type PoolOptions, resolvePoolOptions } from './options.js'
import { PoolClosedError, PoolOptionsError } from './pool-errors.js'
import {
  defaultTransactionRunner,
  type TransactionRunner,
} from './transaction-runner.js'
import type {
  ExecuteResult,
  Pool,
  PooledConnection,
  PoolHealth,
  PoolState,
  PoolStats,
  QueryParams,
  Row,
  StatementOptions,
} from './types.js'

/** `singleton`: one shared connection for everything (the old behaviour); `pool`: a connection pool. */
export type DuckDBClientMode = 'singleton' | 'pool'

/** Options of {@link DuckDBClient}: the pool options plus the mode and the transaction hook. */
export interface DuckDBClientOptions extends PoolOptions {
  /** `singleton` or `pool`. @default the DUCKKIT_POOL environment flag (`1`/`true`/`pool` for pool), else 'singleton' */
  mode?: DuckDBClientMode
  /** Runs `transaction(fn)`; `@duckkit/db-tx` provides a richer one. @default BEGIN / COMMIT, ROLLBACK on error */
  transaction?: TransactionRunner
  /**
   * An open pool to run on instead of opening one (implies `pool` mode; the
   * other pool options are then ignored). `close()` leaves a borrowed pool open.
   * @default undefined (the client opens its own pool)
   */
  pool?: Pool
}

const POOL_FLAGS = new Set(['1', 'true', 'on', 'yes', 'pool'])
const SINGLETON_FLAGS = new Set(['0', 'false', 'off', 'no', 'singleton'])

/** The mode an option or, without one, the `DUCKKIT_POOL` environment flag selects. */
export function resolveClientMode(
  mode: unknown,
  env: Readonly<Record<string, string | undefined>> = process.env,
): DuckDBClientMode {
  if (mode !== undefined) {
    if (mode === 'singleton' || mode === 'pool') return mode
    throw new PoolOptionsError('mode', mode, "'singleton' or 'pool'")
  }
  const flag = env.DUCKKIT_POOL?.trim().toLowerCase()
  if (flag === undefined || flag === '' || SINGLETON_FLAGS.has(flag))
    return 'singleton'
  if (POOL_FLAGS.has(flag)) return 'pool'
  throw new PoolOptionsError(
    'DUCKKIT_POOL',
    env.DUCKKIT_POOL,
    '1, true, on, yes, pool, 0, false, off, no or singleton',
  )
}

/**
 * The backward-compatible client: the familiar `query` / `execute` /
 * `transaction` / `health` / `stats` / `close` surface, over one shared
 * connection (`singleton`, the old behaviour, where concurrent transactions
 * interleave) or over a pool (`pool`, where each transaction gets its own
 * connection). The pool opens on first use.
 *
 * @example
 * ```ts
 * const client = new DuckDBClient({ mode: 'pool', path: 'app.duckdb' })
 * await client.transaction(async (tx) => {
 *   await tx.execute('INSERT INTO orders VALUES (?, ?)', [1, 'open'])
 * })
 * const rows = await client.query('SELECT * FROM orders')
 * await client.close()
 * ```
 */
export class DuckDBClient {
  /** Which mode this client runs in. */
  readonly mode: DuckDBClientMode
  readonly #poolOptions: PoolOptions
  readonly #limits: { min: number; max: number }
  readonly #clock: Clock
  readonly #healthTimeoutMs: number
  readonly #runner: TransactionRunner
  #pool: Promise<Pool> | undefined = undefined
  #opened: Pool | undefined = undefined
  #shared: Promise<PooledConnection> | undefined = undefined
  #closed = false
  readonly #ownsPool: boolean

  constructor(options: DuckDBClientOptions = {}) {
    const { mode, transaction, pool, ...poolOptions } = options
    if (
      pool !== undefined &&
      (typeof pool !== 'object' ||
        pool === null ||
        typeof pool.withConnection !== 'function')
    ) {
      throw new PoolOptionsError('pool', pool, 'a Pool from createPool()')
    }
    if (pool !== undefined && mode === 'singleton') {
      throw new PoolOptionsError(
        'mode',
        mode,
        "'pool' (or unset) when a pool is given",
      )
    }
    this.mode = pool === undefined ? resolveClientMode(mode) : 'pool'
    this.#ownsPool = pool === undefined
    if (pool !== undefined) {
      this.#pool = Promise.resolve(pool)
      this.#opened = pool
    }
    if (transaction !== undefined && typeof transaction !== 'function') {
      throw new PoolOptionsError('transaction', transaction, 'a function')
    }
    this.#runner = transaction ?? defaultTransactionRunner
    this.#poolOptions =
      this.mode === 'singleton'
        ? {
            ...poolOptions,
            min: 1,
            max: 1,
            leakDetectionMs: 0,
            idleTimeoutMs: 0,
            maxLifetimeMs: 0,
          }
        : poolOptions
    const { min, max, clock, healthTimeoutMs } = resolvePoolOptions(
      this.#poolOptions,
    )
    this.#limits =
      pool === undefined
        ? { min, max }
        : { min: pool.stats().min, max: pool.stats().max }
    this.#clock = clock
    this.#healthTimeoutMs = healthTimeoutMs
  }

  /** The pool behind this client, once it has opened. */
  get pool(): Pool | undefined {
    return this.#opened
  }

  /** Whether {@link DuckDBClient.close} was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** Runs one statement and returns its rows. */
  async query<T extends Row = Row>(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<T[]> {
    if (this.mode === 'singleton')
      return (await this.#sharedConnection()).query<T>(sql, params, options)
    return (await this.#getPool()).query<T>(sql, params, options)
  }

  /** Runs one statement and returns how many rows it changed. */
  async execute(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<ExecuteResult> {
    if (this.mode === 'singleton')
      return (await this.#sharedConnection()).execute(sql, params, options)
    return (await this.#getPool()).execute(sql, params, options)
  }

  /**
   * Runs `fn` in a transaction through the configured runner. In `pool` mode
   * the transaction has a connection to itself; in `singleton` mode it shares
   * the one connection with every other caller.
   */
  async transaction<T>(
    fn: (connection: PooledConnection) => Promise<T>,
  ): Promise<T> {
    if (this.mode === 'singleton')
      return this.#runner(await this.#sharedConnection(), fn)
    return (await this.#getPool()).withConnection((connection) =>
      this.#runner(connection, fn),
    )
  }

  /** Health of the underlying pool (opening it if needed); in `singleton` mode the probe runs on the shared connection. */
  async health(): Promise<PoolHealth> {
    const pool = await this.#getPool()
    if (this.mode === 'pool' || pool.stats().state !== 'open')
      return pool.health()
    // The one connection is always borrowed, so probe through it.
    const shared = await this.#sharedConnection()
    return probeHealth({
      state: 'open',
      fatal: undefined,
      stats: () => pool.stats(),
      clock: this.#clock,
      timeoutMs: this.#healthTimeoutMs,
      lastAcquireTimeoutAt: undefined,
      probe: async (signal) => {
        await shared.query('SELECT 1', undefined, {
          signal,
          timeoutMs: this.#healthTimeoutMs,
        })
      },
    })
  }

  /** Statistics of the underlying pool (all zero before it opens). */
  stats(): PoolStats {
    return (
      this.#opened?.stats() ??
      emptyStats(this.#closed ? 'closed' : 'open', this.#limits)
    )
  }

  /** Closes the pool (and the shared connection); later calls fail with `PoolClosedError`. A pool given as the `pool` option is left open. */
  async close(): Promise<void> {
    this.#closed = true
    if (!this.#ownsPool) {
      this.#pool = undefined
      return
    }
    const pool = this.#pool
    if (pool === undefined) return
    const opened = await pool.catch(() => undefined)
    if (opened === undefined) return
    const shared = await this.#shared?.catch(() => undefined)
    await shared?.release()
    await opened.close()
  }

  #getPool(): Promise<Pool> {
    if (this.#pool === undefined) {
      if (this.#closed) return Promise.reject(new PoolClosedError())
      const opening = createPool(this.#poolOptions)
      this.#pool = opening
      opening.then(
        (pool) => {
          this.#opened = pool
        },
        () => {
          if (this.#pool === opening) this.#pool = undefined
        },
      )
    }
    return this.#pool
  }

  #sharedConnection(): Promise<PooledConnection> {
    if (this.#shared === undefined) {
      const acquiring = this.#getPool().then((pool) => pool.acquire())
      this.#shared = acquiring
      acquiring.catch(() => {
        if (this.#shared === acquiring) this.#shared = undefined
      })
    }
    return this.#shared
  }
}

function emptyStats(
  state: PoolState,
  limits: { min: number; max: number },
): PoolStats {
  return {
    state,
    size: 0,
    idle: 0,
    inUse: 0,
    waiting: 0,
    pending: 0,
    ...limits,
    acquired: 0,
    released: 0,
    created: 0,
    destroyed: 0,
    timeouts: 0,
    queueFull: 0,
    aborted: 0,
    leaks: 0,
    statementTimeouts: 0,
    statementErrors: 0,
    statementCache: { size: 0, hits: 0, prepared: 0, evicted: 0 },
    acquireWaitMs: { p50: 0, p95: 0, p99: 0, max: 0, samples: 0 },
  }
}
