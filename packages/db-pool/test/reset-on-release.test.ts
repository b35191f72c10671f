import { afterEach, describe, expect, it } from 'vitest'
import { createPool, type Pool } from '../src/index.js'

let pool: Pool | undefined
afterEach(async () => {
  await pool?.close({ timeoutMs: 100 })
  pool = undefined
})

async function inTransaction(): Promise<boolean> {
  // A second BEGIN fails only inside an open transaction.
  return pool!.withConnection(async (connection) => {
    try {
      await connection.raw.run('BEGIN')
      await connection.raw.run('ROLLBACK')
      return false
    } catch {
      await connection.raw.run('ROLLBACK')
      return true
    }
  })
}

describe('connections come back clean', () => {
  it('rolls back a transaction left open by the borrower', async () => {
    pool = await createPool({ min: 1, max: 1 })
    await pool.execute('CREATE TABLE t (v INTEGER)')
    const connection = await pool.acquire()
    await connection.execute('BEGIN')
    await connection.execute('INSERT INTO t VALUES (1)')
    expect(connection.inTransaction).toBe(true)
    await connection.release()
    const next = await pool.acquire()
    expect(next.id).toBe(connection.id)
    expect(next.inTransaction).toBe(false)
    expect(await next.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }])
    await next.release()
    expect(await inTransaction()).toBe(false)
  })

  it('rolls back a transaction aborted by an error', async () => {
    pool = await createPool({ min: 1, max: 1 })
    await pool.execute('CREATE TABLE t (v INTEGER PRIMARY KEY)')
    await pool.withConnection(async (connection) => {
      await connection.execute('BEGIN TRANSACTION')
      await connection.execute('INSERT INTO t VALUES (1)')
      await expect(
        connection.execute('INSERT INTO t VALUES (1)'),
      ).rejects.toMatchObject({ code: 'E_CONSTRAINT' })
      expect(connection.transactionFailed).toBe(true)
    })
    expect(await pool.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }])
    expect(await pool.execute('INSERT INTO t VALUES (2)')).toEqual({
      rowsChanged: 1,
    })
  })

  it('rolls back when a multi-statement text left a transaction open', async () => {
    pool = await createPool({ min: 1, max: 1 })
    await pool.execute('CREATE TABLE t (v INTEGER)')
    await pool.execute("BEGIN; INSERT INTO t VALUES (1); SELECT 'COMMIT;'")
    expect(await pool.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }])
    expect(await inTransaction()).toBe(false)
  })

  it('needs no clean-up after a committed transaction', async () => {
    pool = await createPool({ min: 1, max: 1 })
    await pool.execute('CREATE TABLE t (v INTEGER)')
    const created: number[] = []
    pool.on('connectionCreated', (event) => created.push(event.connectionId))
    await pool.withConnection(async (connection) => {
      await connection.execute('BEGIN')
      await connection.execute('INSERT INTO t VALUES (1)')
      await connection.execute('COMMIT')
      expect(connection.inTransaction).toBe(false)
    })
    expect(await pool.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 1 }])
    expect(created).toEqual([])
  })

  it.each([
    ['SET', "SET TimeZone = 'America/New_York'"],
    ['SET VARIABLE', 'SET VARIABLE leftover = 1'],
    ['USE', 'USE other'],
    ['PRAGMA', 'PRAGMA enable_progress_bar'],
    ['CREATE TEMP', 'CREATE TEMP TABLE scratch AS SELECT 1 AS x'],
    ['PREPARE', 'PREPARE leftover AS SELECT 1'],
  ])(
    'replaces the connection after %s, so session state does not leak',
    async (_, sql) => {
      pool = await createPool({
        min: 1,
        max: 1,
        init: (connection) =>
          connection.run('SET VARIABLE from_init = 42').then(() => undefined),
      })
      const destroyed: unknown[] = []
      pool.on('connectionDestroyed', (event) => destroyed.push(event))
      await pool.execute("ATTACH ':memory:' AS other")
      const before = await pool.query<{ state: string }>(SESSION_STATE)
      const connection = await pool.acquire()
      await connection.execute(sql)
      expect(await connection.query(SESSION_STATE)).not.toEqual(before)
      await connection.release()
      const next = await pool.acquire()
      expect(next.id).not.toBe(connection.id)
      expect(await next.query(SESSION_STATE)).toEqual(before)
      await next.release()
      expect(destroyed).toEqual([
        { connectionId: connection.id, reason: 'session' },
      ])
    },
  )

  it('destroys a connection when the borrower asks for it, and opens a replacement for waiters', async () => {
    pool = await createPool({ min: 1, max: 1 })
    const connection = await pool.acquire()
    const waiter = pool.acquire()
    await connection.release({ destroy: true, reason: 'poisoned' })
    const next = await waiter
    expect(next.id).not.toBe(connection.id)
    await next.release()
    expect(pool.stats()).toMatchObject({ destroyed: 1, created: 2, size: 1 })
  })
})

/** Everything the tests above may change, read back in one row. */
const SESSION_STATE = `SELECT
  current_setting('TimeZone') AS tz,
  getvariable('leftover') AS leftover,
  getvariable('from_init') AS from_init,
  current_database() AS db,
  current_setting('enable_progress_bar') AS progress_bar,
  (SELECT count(*) FROM duckdb_tables() WHERE temporary) AS temp_tables,
  (SELECT count(*) FROM duckdb_prepared_statements()) AS prepared`
