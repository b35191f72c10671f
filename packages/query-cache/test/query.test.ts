import { type DuckDBConnection, type DuckDBInstance } from '@duckdb/node-api'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  createTempDatabase,
  requireRedis,
  uniqueKeyPrefix,
} from '@duckkit/test-utils'
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from 'vitest'
import {
  createQueryCache,
  type QueryCache,
  type QueryRunner,
} from '../src/index.js'
import {
  type CountingRunner,
  openDatabase,
  runnerFor,
  transaction,
} from './helpers/duckdb.js'
import { busTrusted } from './helpers/wait.js'

const redis = await requireRedis()
const LOOKUP = 'SELECT v FROM kv WHERE id = ?'

let db: DuckDBInstance
beforeAll(async () => {
  db = await openDatabase()
})
afterAll(() => {
  db.closeSync()
})

/** Counts the statements a runner ran that were not the cache's own parse query. */
const dataCalls = (runner: CountingRunner): number =>
  runner.calls.filter((sql) => !sql.includes('json_serialize_sql')).length
const parseCalls = (runner: CountingRunner): number =>
  runner.calls.filter((sql) => sql.includes('json_serialize_sql')).length

describe('cache.query over DuckDB', () => {
  let connection: DuckDBConnection
  let other: DuckDBConnection
  let runner: CountingRunner
  let cache: QueryCache

  beforeEach(async () => {
    connection = await db.connect()
    other = await db.connect()
    await connection.run(
      'CREATE OR REPLACE TABLE kv (id INTEGER PRIMARY KEY, v INTEGER)',
    )
    await connection.run('INSERT INTO kv VALUES (1, 10), (2, 20)')
    runner = runnerFor(connection)
    cache = createQueryCache({ namespace: 'query-test' })
  })
  afterEach(async () => {
    await cache.close()
    connection.closeSync()
    other.closeSync()
  })

  it('caches rows per SQL and parameters, parsing each SQL text once', async () => {
    expect(await cache.query(runner, LOOKUP, [1])).toEqual([{ v: 10 }])
    expect(await cache.query(runner, LOOKUP, [1])).toEqual([{ v: 10 }])
    expect(await cache.query(runner, LOOKUP, [2])).toEqual([{ v: 20 }])
    expect(
      await cache.query(runner, 'SELECT  v\n FROM kv WHERE id = ?', [2]),
    ).toEqual([{ v: 20 }])
    expect(dataCalls(runner)).toBe(2)
    expect(parseCalls(runner)).toBe(2)
  })

  it('learns the tables from DuckDB, so a write to them invalidates', async () => {
    await cache.query(runner, 'SELECT count(*) AS n FROM main.KV')
    await connection.run('INSERT INTO kv VALUES (3, 30)')
    await cache.invalidateForStatements(['INSERT INTO "kv" VALUES (3, 30)'])
    expect(
      await cache.query(runner, 'SELECT count(*) AS n FROM main.KV'),
    ).toEqual([{ n: 3n }])
  })

  it('sees through views to the tables behind them', async () => {
    await connection.run(
      'CREATE OR REPLACE VIEW kv_view AS SELECT id, v * 2 AS doubled FROM kv',
    )
    expect(
      await cache.query(runner, 'SELECT doubled FROM kv_view WHERE id = 1'),
    ).toEqual([{ doubled: 20 }])
    await connection.run('UPDATE kv SET v = 11 WHERE id = 1')
    await cache.invalidateForStatements(['UPDATE kv SET v = 11 WHERE id = 1'])
    expect(
      await cache.query(runner, 'SELECT doubled FROM kv_view WHERE id = 1'),
    ).toEqual([{ doubled: 22 }])
  })

  it('runs a write through query and invalidates what it wrote', async () => {
    await cache.query(runner, LOOKUP, [1])
    await cache.query(runner, 'UPDATE kv SET v = 12 WHERE id = ?', [1])
    expect(await cache.query(runner, LOOKUP, [1])).toEqual([{ v: 12 }])
    expect(cache.stats().invalidations.tables).toEqual({ kv: 1 })
  })

  it('does not cache volatile SQL unless forced', async () => {
    await cache.query(runner, 'SELECT random() AS r FROM kv')
    await cache.query(runner, 'SELECT random() AS r FROM kv')
    await cache.query(runner, 'SELECT v, current_timestamp AS at FROM kv')
    await cache.query(runner, 'SELECT v, current_timestamp AS at FROM kv')
    expect(dataCalls(runner)).toBe(4)
    expect(cache.stats().bypassed).toBe(4)
    const first = await cache.query(runner, 'SELECT random() AS r', undefined, {
      force: true,
    })
    expect(
      await cache.query(runner, 'SELECT random() AS r', undefined, {
        force: true,
      }),
    ).toEqual(first)
  })

  it('does not cache what it cannot track, unless told the tables', async () => {
    const db = createTempDatabase()
    const csv = join(db.dir, 'a.csv')
    writeFileSync(csv, 'a\n1\n')
    for (const sql of [
      `SELECT * FROM read_csv('${csv}')`,
      `SELECT * FROM '${csv}'`,
    ]) {
      await cache.query(runner, sql)
      await cache.query(runner, sql)
    }
    expect(dataCalls(runner)).toBe(4)
    const told = `SELECT a FROM read_csv('${csv}')`
    expect(
      await cache.query(runner, told, undefined, { tables: ['a_csv'] }),
    ).toEqual([{ a: 1n }])
    expect(
      await cache.query(runner, told, undefined, { tables: ['a_csv'] }),
    ).toEqual([{ a: 1n }])
    expect(dataCalls(runner)).toBe(5)
    await cache.query(runner, 'SELECT * FROM range(3)')
    await cache.query(runner, 'SELECT * FROM range(3)')
    expect(dataCalls(runner)).toBe(6)
    db.remove()
  })

  it('leaves the cache alone on rollback, and a write is invisible until commit', async () => {
    const listeners = [cache.transactionListener]
    expect(await cache.query(runner, LOOKUP, [1])).toEqual([{ v: 10 }])
    await expect(
      transaction(other, listeners, async (tx) => {
        await tx.query('UPDATE kv SET v = 99 WHERE id = 1')
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    expect(cache.stats().invalidations.tables).toEqual({})
    expect(await cache.query(runner, LOOKUP, [1])).toEqual([{ v: 10 }])
    expect(dataCalls(runner)).toBe(1)

    await transaction(other, listeners, async (tx) => {
      await cache.query(tx, 'UPDATE kv SET v = 13 WHERE id = ?', [1])
      // Inside the transaction that wrote, reads bypass the cache and see the write.
      expect(await cache.query(tx, LOOKUP, [1])).toEqual([{ v: 13 }])
      // Outside it, the write is not committed: the cached value is still right.
      expect(await cache.query(runner, LOOKUP, [1])).toEqual([{ v: 10 }])
      expect(cache.stats().invalidations.tables).toEqual({})
    })
    expect(await cache.query(runner, LOOKUP, [1])).toEqual([{ v: 13 }])
  })

  it('never stores a result read inside a transaction (its snapshot may be old)', async () => {
    await transaction(
      other,
      [cache.transactionListener],
      async (tx: QueryRunner) => {
        expect(await cache.query(tx, LOOKUP, [2])).toEqual([{ v: 20 }])
      },
    )
    expect(cache.stats().l1.entries).toBe(0)
    await cache.query(runner, LOOKUP, [2])
    expect(cache.stats().l1.entries).toBe(1)
  })

  it('falls back to the database when the parse query fails', async () => {
    const broken: QueryRunner = {
      query: (sql, params) =>
        sql.includes('json_serialize_sql')
          ? Promise.reject(new Error('nope'))
          : runner.query(sql, params),
    }
    expect(await cache.query(broken, LOOKUP, [1])).toEqual([{ v: 10 }])
    await expect(cache.query(runner, 'SELEC 1')).rejects.toThrow(/syntax error/)
  })
})

describe.skipIf(redis.skip)('cache.query across two instances', () => {
  it('a slow read that raced a commit on the other instance is never served', async () => {
    const connection = await db.connect()
    await connection.run(
      'CREATE OR REPLACE TABLE race (id INTEGER PRIMARY KEY, v INTEGER)',
    )
    await connection.run('INSERT INTO race VALUES (1, 1)')
    const namespace = uniqueKeyPrefix('race')
    const a = createQueryCache({ namespace, redis: redis.url })
    const b = createQueryCache({ namespace, redis: redis.url })
    await Promise.all([busTrusted(a), busTrusted(b)])
    const plain = runnerFor(connection)
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let readDone!: () => void
    const read = new Promise<void>((resolve) => (readDone = resolve))
    const slow: QueryRunner = {
      async query(sql, params) {
        const rows = await plain.query(sql, params)
        if (sql.startsWith('SELECT v FROM race')) {
          readDone()
          await held
        }
        return rows
      },
    }
    const pending = a.query(slow, 'SELECT v FROM race WHERE id = 1')
    await read
    const writer = await db.connect()
    await transaction(writer, [b.transactionListener], (tx) =>
      tx.query('UPDATE race SET v = 2 WHERE id = 1'),
    )
    release()
    expect(await pending).toEqual([{ v: 1 }])
    expect(await a.query(plain, 'SELECT v FROM race WHERE id = 1')).toEqual([
      { v: 2 },
    ])
    expect(await b.query(plain, 'SELECT v FROM race WHERE id = 1')).toEqual([
      { v: 2 },
    ])
    await Promise.all([a.close(), b.close()])
    writer.closeSync()
    connection.closeSync()
  })
})
