import {
  isConstraintViolationError,
  isDatabaseError,
  isDataError,
} from '@duckkit/resilience'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createPool,
  isPoolOptionsError,
  type Pool,
  type PoolOptions,
} from '../src/index.js'

let pool: Pool | undefined
afterEach(async () => {
  await pool?.close({ timeoutMs: 100 })
  pool = undefined
})

/** A one-connection pool, so every statement lands on the same connection's cache. */
async function onePool(options: PoolOptions = {}): Promise<Pool> {
  pool = await createPool({ min: 1, max: 1, ...options })
  return pool
}

describe('statement cache', () => {
  it('prepares a text without parameters on its second run and reuses it after', async () => {
    const p = await onePool()
    await p.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)')
    await p.execute('INSERT INTO t VALUES (1, 0)')
    const update = 'UPDATE t SET v = v + 1 WHERE id = 1'
    await p.execute(update)
    expect(p.stats().statementCache).toMatchObject({ prepared: 0, hits: 0 })
    await p.execute(update)
    expect(p.stats().statementCache).toMatchObject({
      size: 1,
      prepared: 1,
      hits: 0,
    })
    for (let i = 0; i < 5; i += 1) await p.execute(update)
    expect(p.stats().statementCache).toMatchObject({
      size: 1,
      prepared: 1,
      hits: 5,
    })
    expect(await p.query('SELECT v FROM t')).toEqual([{ v: 7 }])
  })

  it('prepares a statement with parameters on its first run and binds fresh values each time', async () => {
    const p = await onePool()
    const sql = 'SELECT $1::INTEGER AS a, $2::VARCHAR AS b'
    expect(await p.query(sql, [1, 'x'])).toEqual([{ a: 1, b: 'x' }])
    expect(await p.query(sql, [2, 'y'])).toEqual([{ a: 2, b: 'y' }])
    expect(p.stats().statementCache).toMatchObject({ prepared: 1, hits: 1 })
    const named = 'SELECT $id::INTEGER AS id'
    expect(await p.query(named, { id: 5 })).toEqual([{ id: 5 }])
    expect(await p.query(named, { id: 6 })).toEqual([{ id: 6 }])
  })

  it('never reuses an earlier call’s value for a parameter left out', async () => {
    const p = await onePool()
    const sql = 'SELECT $1::INTEGER AS a, $2::INTEGER AS b'
    expect(await p.query(sql, [1, 2])).toEqual([{ a: 1, b: 2 }])
    const error: unknown = await p.query(sql, [3]).catch((e: unknown) => e)
    expect(isDatabaseError(error)).toBe(true)
    expect(String((error as Error).message)).toMatch(/parameter|2/i)
    expect(await p.query(sql, [4, 5])).toEqual([{ a: 4, b: 5 }])
  })

  it('gives each concurrent run of one text on one connection its own values', async () => {
    const p = await onePool()
    const lease = await p.acquire()
    try {
      const sql = 'SELECT ?::INTEGER AS v'
      await lease.query(sql, [0])
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => lease.query(sql, [i])),
      )
      expect(results).toEqual(Array.from({ length: 20 }, (_, i) => [{ v: i }]))
    } finally {
      await lease.release()
    }
  })

  it('follows schema changes: added columns, a table dropped and re-created with other types', async () => {
    const p = await onePool()
    await p.execute('CREATE TABLE s (id INTEGER)')
    await p.execute('INSERT INTO s VALUES (1)')
    const sql = 'SELECT * FROM s WHERE id = ?'
    expect(await p.query(sql, [1])).toEqual([{ id: 1 }])
    await p.execute('ALTER TABLE s ADD COLUMN w INTEGER DEFAULT 5')
    expect(await p.query(sql, [1])).toEqual([{ id: 1, w: 5 }])
    await p.execute('DROP TABLE s')
    const gone: unknown = await p.query(sql, [1]).catch((e: unknown) => e)
    expect(isDatabaseError(gone)).toBe(true)
    await p.execute("CREATE TABLE s (id VARCHAR, label VARCHAR DEFAULT 'x')")
    await p.execute("INSERT INTO s (id) VALUES ('1')")
    expect(await p.query(sql, ['1'])).toEqual([{ id: '1', label: 'x' }])
  })

  it('evaluates volatile functions on every run', async () => {
    const p = await onePool()
    await p.execute('CREATE SEQUENCE seq')
    const sql = "SELECT nextval('seq') AS n, random() AS r, now() AS t"
    const runs: { n: number; r: number; t: string }[] = []
    for (let i = 0; i < 3; i += 1) {
      const [row] = await p.query<{ n: number; r: number; t: string }>(sql)
      if (row !== undefined) runs.push(row)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(p.stats().statementCache.hits).toBe(1)
    expect(runs.map((run) => run.n)).toEqual([1, 2, 3])
    expect(new Set(runs.map((run) => run.r)).size).toBe(3)
    expect(new Set(runs.map((run) => run.t)).size).toBe(3)
  })

  it('keeps at most statementCacheSize statements per connection, least recently used dropped first', async () => {
    const p = await onePool({ statementCacheSize: 2 })
    const texts = ['SELECT ?::INTEGER AS a', 'SELECT ?::INTEGER AS b']
    for (const sql of texts) await p.query(sql, [1])
    await p.query(texts[0] as string, [2]) // a is now the most recent
    await p.query('SELECT ?::INTEGER AS c', [3]) // drops b
    expect(p.stats().statementCache).toMatchObject({
      size: 2,
      prepared: 3,
      evicted: 1,
      hits: 1,
    })
    await p.query(texts[0] as string, [4])
    expect(p.stats().statementCache.hits).toBe(2)
    expect(await p.query(texts[1] as string, [5])).toEqual([{ b: 5 }])
    expect(p.stats().statementCache.prepared).toBe(4)
  })

  it('keeps nothing with statementCacheSize 0', async () => {
    const p = await onePool({ statementCacheSize: 0 })
    for (let i = 0; i < 3; i += 1) {
      expect(await p.query('SELECT ?::INTEGER AS v', [i])).toEqual([{ v: i }])
      await p.query('SELECT 1 AS one')
    }
    expect(p.stats().statementCache).toEqual({
      size: 0,
      hits: 0,
      prepared: 0,
      evicted: 0,
    })
  })

  it('keeps a statement after a constraint violation and drops it after a data error', async () => {
    const p = await onePool()
    await p.execute('CREATE TABLE u (id INTEGER PRIMARY KEY, n INTEGER)')
    const insert = 'INSERT INTO u VALUES (?, ?::VARCHAR::INTEGER)'
    await p.execute(insert, [1, 1])
    const duplicate: unknown = await p
      .execute(insert, [1, 2])
      .catch((e: unknown) => e)
    expect(isConstraintViolationError(duplicate)).toBe(true)
    expect(p.stats().statementCache.evicted).toBe(0)
    const bad: unknown = await p
      .execute(insert, [2, 'not a number'])
      .catch((e: unknown) => e)
    expect(isDataError(bad)).toBe(true)
    expect(p.stats().statementCache.evicted).toBe(1)
    await p.execute(insert, [2, 2])
    expect(await p.query('SELECT id, n FROM u ORDER BY id')).toEqual([
      { id: 1, n: 1 },
      { id: 2, n: 2 },
    ])
  })

  it.each([64, 0])(
    'bad parameters get a DataError that names them (statementCacheSize %i), and the statement still works',
    async (statementCacheSize) => {
      const p = await onePool({ statementCacheSize })
      await p.execute('CREATE TABLE b (id INTEGER, v VARCHAR)')
      const byId = 'SELECT id FROM b WHERE id = $id'
      const cases: [string, unknown, RegExp][] = [
        [
          byId,
          { nope: 1 },
          /^Named parameter \$nope not in the statement; its parameters are \$id$/,
        ],
        [byId, { id: 1, x: 2, y: 3 }, /^Named parameters \$x, \$y not in/],
        [
          'SELECT 1 AS one',
          { id: 1 },
          /\$id not in the statement; it has no parameters$/,
        ],
        [
          'SELECT $1 AS v',
          [() => 1],
          /^Parameter \$1 is a function, which is not a SQL value/,
        ],
        ['SELECT $1 AS v', [Symbol('s')], /^Parameter \$1 is a symbol/],
        [
          byId,
          { id: { a: 1 } },
          /^Parameter \$id is a plain object.*JSON\.stringify/,
        ],
        [byId, { id: new Set([1]) }, /^Parameter \$id is a Set/],
        ['SELECT $1 AS v', [[1, new Map()]], /^Parameter \$1\[1\] is a Map/],
      ]
      for (const [sql, params, message] of cases) {
        const error: unknown = await p
          .query(sql, params as Record<string, unknown>)
          .catch((e: unknown) => e)
        expect(isDataError(error), String(error)).toBe(true)
        expect((error as Error).message).toMatch(message)
        expect(error).toMatchObject({ sql })
      }
      await p.execute('INSERT INTO b VALUES (1, $1)', [new Date(0)])
      expect(await p.query(byId, { id: 1 })).toEqual([{ id: 1 }])
      expect(await p.query('SELECT $1 AS v', [[1, 2]])).toEqual([{ v: [1, 2] }])
    },
  )

  it('does not keep multi-statement text, session statements or DDL', async () => {
    const p = await onePool()
    for (let i = 0; i < 2; i += 1) {
      await p.query('SELECT 1 AS a; SELECT 2 AS b')
      await p.execute(`CREATE OR REPLACE TABLE d${String(i)} (x INTEGER)`)
      await p.execute('CREATE OR REPLACE TABLE d (x INTEGER)')
    }
    expect(p.stats().statementCache.prepared).toBe(0)
  })

  it('tracks transactions begun and ended by kept BEGIN and COMMIT statements', async () => {
    const p = await onePool()
    await p.execute('CREATE TABLE k (v INTEGER)')
    const lease = await p.acquire()
    try {
      for (let i = 0; i < 3; i += 1) {
        await lease.execute('BEGIN TRANSACTION')
        expect(lease.inTransaction).toBe(true)
        await lease.execute('INSERT INTO k VALUES (?)', [i])
        await lease.execute('COMMIT')
        expect(lease.inTransaction).toBe(false)
      }
    } finally {
      await lease.release()
    }
    expect(p.stats().statementCache.hits).toBeGreaterThanOrEqual(4)
    expect(await p.query('SELECT count(*) AS n FROM k')).toEqual([{ n: 3 }])
  })

  it('closes connections holding kept statements cleanly', async () => {
    const p = await onePool({ max: 2, statementCacheSize: 1 })
    await Promise.all([
      p.query('SELECT ?::INTEGER AS v', [1]),
      p.query('SELECT ?::INTEGER AS w', [2]),
    ])
    await p.close()
    pool = undefined
    expect(p.stats().state).toBe('closed')
  })

  it('rejects a bad statementCacheSize naming the field', async () => {
    for (const value of [-1, 1.5, '8', 200_000]) {
      const error: unknown = await createPool({
        statementCacheSize: value as number,
      }).catch((e: unknown) => e)
      expect(isPoolOptionsError(error)).toBe(true)
      expect((error as { field: string }).field).toBe('statementCacheSize')
    }
  })
})
