import { DuckDBInstance } from '@duckdb/node-api'
import { onTestFinished } from 'vitest'
import { createPool, type Pool } from '@duckkit/db-pool'
import type {
  StatementOptions,
  TransactionConnection,
  TransactionPool,
} from '../src/index.js'

/** A pool for one test (single-threaded DuckDB), closed when the test finishes. */
export async function openPool(
  options: { path?: string; max?: number } = {},
): Promise<Pool> {
  const pool = await createPool({
    path: options.path ?? ':memory:',
    max: options.max ?? 4,
    config: { threads: 1 },
  })
  onTestFinished(() => pool.close())
  return pool
}

/** Creates the `accounts` table with `count` rows holding `balance` each. */
export async function seedAccounts(
  pool: TransactionPool,
  count: number,
  balance: number,
): Promise<void> {
  await pool.execute(
    'CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)',
  )
  await pool.execute(
    `INSERT INTO accounts SELECT i, ${balance} FROM range(${count}) r(i)`,
  )
}

/** A promise with its resolve function exposed. */
export function deferred<T = void>(): {
  promise: Promise<T>
  resolve: (value: T) => void
} {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** Every SQL text (and its options) a pool's connections were asked to run, in order: an observer around a real pool. */
export function recordStatements(
  pool: TransactionPool,
  { hideRaw = false }: { hideRaw?: boolean } = {},
): {
  pool: TransactionPool
  sent: string[]
  options: (StatementOptions | undefined)[]
} {
  const sent: string[] = []
  const options: (StatementOptions | undefined)[] = []
  const wrap = (connection: TransactionConnection): TransactionConnection => {
    const observed: TransactionConnection = {
      query: (sql, params, statementOptions) => {
        sent.push(sql)
        options.push(statementOptions)
        return connection.query(sql, params, statementOptions)
      },
      execute: (sql, params, statementOptions) => {
        sent.push(sql)
        options.push(statementOptions)
        return connection.execute(sql, params, statementOptions)
      },
      release: (releaseOptions) => connection.release(releaseOptions),
    }
    const raw = connection.raw
    return raw === undefined || hideRaw ? observed : { ...observed, raw }
  }
  return {
    sent,
    options,
    pool: {
      acquire: async (acquireOptions) =>
        wrap(await pool.acquire(acquireOptions)),
      query: (sql, params) => pool.query(sql, params),
      execute: (sql, params) => pool.execute(sql, params),
    },
  }
}

/** Opens a second, independent DuckDB instance on a file (after the first one is closed). */
export async function reopen(path: string): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(path)
  onTestFinished(() => instance.closeSync())
  return instance
}
