/**
 * The usage example of packages/query-cache/README.md, verbatim between the region markers (a test
 * checks that the README still holds exactly this code); the code around the
 * regions provides what the example assumes and checks what it did.
 */
import { createPool } from '@duckkit/db-pool'
import { createTransactionManager } from '@duckkit/db-tx'

// The example's free names: a pool with a users table, and a report builder.
const pool = await createPool()
await pool.execute('CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR)')
await pool.execute("INSERT INTO users VALUES (42, 'ada')")
const buildReport = () => ({ orders: 3, users: 1 })

// #region usage
import { createQueryCache } from '@duckkit/query-cache'

const cache = createQueryCache({
  namespace: 'shop',
  redis: 'redis://127.0.0.1:6379', // or an ioredis Redis/Cluster client, or ioredis options
  defaultTtlMs: 60_000,
})

// Anything with query(sql, params) => Promise<rows>: the pool, a transaction, a connection wrapper.
const [user] = await cache.query(pool, 'SELECT * FROM users WHERE id = ?', [42])

// Transactions through db-tx: commits bump what they wrote; rollbacks bump nothing.
const tm = createTransactionManager({
  pool,
  listeners: [cache.transactionListener],
})

// An autocommit write made outside db-tx:
await pool.query('UPDATE users SET name = ? WHERE id = ?', ['Ada', 42])
await cache.invalidateForStatements(['UPDATE users SET name = ? WHERE id = ?'])

// Any async function, tied to tables and tags:
const report = await cache.getOrSet('report:daily', () => buildReport(), {
  tables: ['orders', 'users'],
  tags: ['reports'],
  ttlMs: 300_000,
})
await cache.invalidateTags(['reports'])

await cache.close()
// #endregion usage

/** What the example read, and the cache's statistics before closing. */
export const result = { user, report, stats: cache.stats() }
await tm.close()
await pool.close()
