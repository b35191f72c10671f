import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { createPool } from '@duckkit/db-pool'
import { createTempDatabase } from '@duckkit/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { backupDatabase } from '../src/backup.js'

/** The runbook's online backup: consistent while writers keep going. */

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

async function readBackup(path: string, sql: string): Promise<unknown[]> {
  const instance = await DuckDBInstance.create(path, {
    access_mode: 'READ_ONLY',
  })
  const connection = await instance.connect()
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson()
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

describe('backupDatabase', () => {
  it('copies a consistent snapshot while transfers run', async () => {
    const db = createTempDatabase('live.duckdb')
    cleanups.push(db.remove)
    const pool = await createPool({ path: db.path, max: 3 })
    try {
      await pool.execute(
        'CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER)',
      )
      await pool.execute(
        'INSERT INTO accounts SELECT i, 100 FROM range(50) r(i)',
      )
      await pool.execute(
        'CREATE VIEW rich AS SELECT * FROM accounts WHERE balance > 100',
      )
      // Transfers keep the total at 5000 in every committed state.
      let stop = false
      const writer = (async () => {
        let n = 0
        while (!stop) {
          await pool.withConnection(async (connection) => {
            await connection.execute('BEGIN')
            await connection.execute(
              'UPDATE accounts SET balance = balance - 1 WHERE id = ?',
              [n % 50],
            )
            await connection.execute(
              'UPDATE accounts SET balance = balance + 1 WHERE id = ?',
              [(n + 7) % 50],
            )
            await connection.execute('COMMIT')
          })
          n += 1
        }
        return n
      })()
      const target = join(db.dir, "it's a backup.duckdb")
      await backupDatabase(pool, target)
      stop = true
      expect(await writer).toBeGreaterThan(0)
      expect(existsSync(target)).toBe(true)
      expect(
        await readBackup(
          target,
          'SELECT count(*)::INTEGER AS n, sum(balance)::INTEGER AS total FROM accounts',
        ),
      ).toEqual([{ n: 50, total: 5000 }])
      expect(
        await readBackup(target, 'SELECT count(*) AS n FROM rich'),
      ).toHaveLength(1)
      // The live database is still usable and the alias is gone.
      expect(
        await pool.query(
          "SELECT count(*) AS n FROM duckdb_databases() WHERE database_name = 'backup_target'",
        ),
      ).toEqual([{ n: 0 }])
    } finally {
      await pool.close()
    }
  })

  it('refuses a target that already holds the tables, and detaches', async () => {
    const db = createTempDatabase('live.duckdb')
    cleanups.push(db.remove)
    const pool = await createPool({ path: db.path })
    try {
      await pool.execute('CREATE TABLE t (x INTEGER)')
      const target = join(db.dir, 'backup.duckdb')
      await backupDatabase(pool, target)
      await expect(backupDatabase(pool, target)).rejects.toThrow(
        /already exists/,
      )
      expect(
        await pool.query(
          "SELECT count(*) AS n FROM duckdb_databases() WHERE database_name = 'backup_target'",
        ),
      ).toEqual([{ n: 0 }])
    } finally {
      await pool.close()
    }
  })
})
