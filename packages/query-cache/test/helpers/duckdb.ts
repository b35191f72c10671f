import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
} from '@duckdb/node-api'
import {
  type QueryParams,
  type QueryRunner,
  type TransactionListener,
} from '../../src/index.js'

/** A QueryRunner over one DuckDB connection that counts the statements it ran. */
export interface CountingRunner extends QueryRunner {
  /** Statements run so far (the cache's parse queries included). */
  readonly calls: string[]
}

/** Opens an in-memory DuckDB instance. */
export async function openDatabase(): Promise<DuckDBInstance> {
  return DuckDBInstance.create(':memory:', { threads: '1' })
}

/** Wraps a connection as a runner returning plain JavaScript rows. */
export function runnerFor(connection: DuckDBConnection): CountingRunner {
  const calls: string[] = []
  return {
    calls,
    async query(sql: string, params?: QueryParams) {
      calls.push(sql)
      const reader = await connection.runAndReadAll(
        sql,
        params as DuckDBValue[] | Record<string, DuckDBValue> | undefined,
      )
      return reader.getRowObjectsJS()
    },
  }
}

/** The runner a transaction hands its work: it knows whether it has written. */
export interface TxRunner extends QueryRunner {
  readonly inTransaction: true
  readonly hasWrites: boolean
}

/**
 * A minimal stand-in for db-tx: BEGIN, the work, COMMIT, then the listeners'
 * afterCommit (awaited before it resolves); ROLLBACK and afterRollback on error.
 */
export async function transaction<T>(
  connection: DuckDBConnection,
  listeners: readonly TransactionListener[],
  work: (tx: TxRunner) => Promise<T>,
): Promise<T> {
  const statements: string[] = []
  let hasWrites = false
  const inner = runnerFor(connection)
  const tx: TxRunner = {
    inTransaction: true,
    get hasWrites() {
      return hasWrites
    },
    async query(sql, params) {
      statements.push(sql)
      const rows = await inner.query(sql, params)
      if (!/^\s*(select|with|from)\b/i.test(sql)) hasWrites = true
      return rows
    },
  }
  await connection.run('BEGIN TRANSACTION')
  let result: T
  try {
    result = await work(tx)
    await connection.run('COMMIT')
  } catch (error) {
    await connection.run('ROLLBACK')
    for (const listener of listeners)
      await listener.afterRollback?.({ statements })
    throw error
  }
  for (const listener of listeners) await listener.afterCommit?.({ statements })
  return result
}
