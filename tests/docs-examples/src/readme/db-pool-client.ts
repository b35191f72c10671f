/**
 * The `DuckDBClient` example of packages/db-pool/README.md, verbatim between the region markers (a test
 * checks that the README still holds exactly this code); the code around the
 * regions provides what the example assumes and checks what it did.
 */

// #region client
import { DuckDBClient } from '@duckkit/db-pool'

const client = new DuckDBClient({ mode: 'pool', path: 'app.duckdb' }) // or mode: 'singleton'
const rows = await client.query('SELECT * FROM orders WHERE id = ?', [1])
await client.execute('DELETE FROM orders WHERE id = ?', [1])
await client.transaction(async (tx) => {
  await tx.execute('INSERT INTO orders VALUES (?, ?)', [2, 'open'])
})
await client.health()
client.stats()
await client.close()
// #endregion client

/** The rows the example read. */
export const result = { rows, closed: client.closed }
