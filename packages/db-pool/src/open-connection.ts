import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { classifyError } from '@duckkit/resilience'
import type { ConnectionInit } from './options.js'

/**
 * Opens a connection and prepares it: `SET errors_as_json = true` (so errors
 * classify reliably), then the user's init hook. Failures come back as
 * classified `DatabaseError`s and leave nothing open.
 */
export async function openConnection(
  instance: DuckDBInstance,
  connectionId: number,
  init: ConnectionInit | undefined,
): Promise<DuckDBConnection> {
  let connection: DuckDBConnection
  try {
    connection = await instance.connect()
  } catch (error) {
    throw classifyError(error)
  }
  try {
    await connection.run('SET errors_as_json = true')
    await init?.(connection, { connectionId })
  } catch (error) {
    connection.closeSync()
    throw classifyError(error)
  }
  return connection
}
