/**
 * The usage example of packages/db-pool/README.md, verbatim between the region markers (a test
 * checks that the README still holds exactly this code); the code around the
 * regions provides what the example assumes and checks what it did.
 */
import { pino } from 'pino'

// The example's free names: a logger and the request being served.
const logger = pino({ level: 'silent' })
const request = { signal: new AbortController().signal }

// #region usage
import { createPool } from '@duckkit/db-pool'

const pool = await createPool({
  path: 'app.duckdb', // ':memory:' by default; any path DuckDBInstance.create accepts
  config: { threads: 1 }, // DuckDB settings of the instance (threads, memory_limit, ...)
  max: 3, // default: one per core, at most UV_THREADPOOL_SIZE - 1 (see the sizing guide)
  logger, // optional, pino-shaped
})

// One statement on any free connection.
const users = await pool.query<{ id: number; name: string }>(
  'SELECT id, name FROM users WHERE name = ?',
  ['ada'],
)
await pool.execute('UPDATE users SET name = $name WHERE id = $id', {
  id: 1,
  name: 'Ada',
})

// Several statements on one connection (a transaction owns its connection).
await pool.withConnection(async (connection) => {
  await connection.execute('BEGIN')
  await connection.execute('INSERT INTO audit VALUES (?)', ['login'])
  await connection.execute('COMMIT')
})

// Or borrow explicitly; `await using` releases it at the end of the block.
{
  await using connection = await pool.acquire({ signal: request.signal })
  await connection.query('SELECT 1')
}

await pool.close()
// #endregion usage

/** The rows the example read, and the pool's state after `close()`. */
export const result = { users, state: pool.stats().state }
