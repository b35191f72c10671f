import { TransactionAbortedError } from '@duckkit/resilience'
import type { PooledConnection } from './types.js'

/**
 * Runs `fn` as one transaction on `connection`. The hook point of
 * `DuckDBClient.transaction`: `@duckkit/db-tx` plugs in its own runner.
 */
export type TransactionRunner = <T>(
  connection: PooledConnection,
  fn: (connection: PooledConnection) => Promise<T>,
) => Promise<T>

/**
 * The built-in runner: `BEGIN`, `fn`, then `COMMIT`; `ROLLBACK` when `fn`
 * throws. Because DuckDB's `COMMIT` after a failed statement silently rolls
 * back, it throws a `TransactionAbortedError` instead of committing when a
 * statement failed inside the transaction.
 */
export const defaultTransactionRunner: TransactionRunner = async (
  connection,
  fn,
) => {
  await connection.execute('BEGIN TRANSACTION')
  let result
  try {
    result = await fn(connection)
  } catch (error) {
    await rollbackQuietly(connection)
    throw error
  }
  if (connection.transactionFailed) {
    await rollbackQuietly(connection)
    throw new TransactionAbortedError(
      'A statement failed inside the transaction, so it was rolled back instead of committed',
    )
  }
  await connection.execute('COMMIT')
  return result
}

async function rollbackQuietly(connection: PooledConnection): Promise<void> {
  try {
    await connection.execute('ROLLBACK')
  } catch {
    // The pool rolls back again (or replaces the connection) when it is released.
  }
}
