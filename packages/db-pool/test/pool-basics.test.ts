import {
  isDatabaseError,
  isSqlSyntaxError,
  isConstraintViolationError,
} from '@duckkit/resilience'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createPool,
  isConnectionReleasedError,
  type Pool,
} from '../src/index.js'

let pool: Pool | undefined
afterEach(async () => {
  await pool?.close({ timeoutMs: 100 })
  pool = undefined
})

describe('queries', () => {
  it('runs statements with positional and named parameters', async () => {
    pool = await createPool({ max: 2 })
    await pool.execute(
      'CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR)',
    )
    const inserted = await pool.execute(
      'INSERT INTO users VALUES (?, ?), ($3, $4)',
      [1, 'ada', 2, 'bob'],
    )
    expect(inserted.rowsChanged).toBe(2)
    const named = await pool.execute('INSERT INTO users VALUES ($id, $name)', {
      id: 3,
      name: 'cy',
    })
    expect(named.rowsChanged).toBe(1)
    const rows = await pool.query<{ id: number; name: string }>(
      'SELECT id, name FROM users WHERE id >= ? ORDER BY id',
      [2],
    )
    expect(rows).toEqual([
      { id: 2, name: 'bob' },
      { id: 3, name: 'cy' },
    ])
    const updated = await pool.execute('UPDATE users SET name = upper(name)')
    expect(updated.rowsChanged).toBe(3)
  })

  it('binds undefined as NULL, Dates as TIMESTAMPTZ, bytes as BLOB and arrays as LIST', async () => {
    pool = await createPool()
    const [row] = await pool.query(
      'SELECT ? IS NULL AS n, ? AS ts, ? AS b, ? AS l',
      [
        undefined,
        new Date('2024-05-06T07:08:09.010Z'),
        new Uint8Array([1, 2, 255]),
        [1, 2, 3],
      ],
    )
    expect(row).toEqual({
      n: true,
      ts: '2024-05-06T07:08:09.01Z',
      b: 'AQL/',
      l: [1, 2, 3],
    })
  })

  it('turns driver errors into classified DatabaseErrors carrying the SQL but never the parameters', async () => {
    pool = await createPool()
    const syntax = await pool
      .query('SELEC ?', ['secret-param'])
      .catch((error: unknown) => error)
    expect(isSqlSyntaxError(syntax)).toBe(true)
    expect(isDatabaseError(syntax) && syntax.sql).toBe('SELEC ?')
    expect(JSON.stringify(syntax)).not.toContain('secret-param')
    expect(String((syntax as Error).message)).not.toContain('secret-param')

    await pool.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)')
    await pool.execute('INSERT INTO t VALUES (1)')
    const duplicate = await pool
      .execute('INSERT INTO t VALUES (?)', [1])
      .catch((error: unknown) => error)
    expect(isConstraintViolationError(duplicate)).toBe(true)
  })
})

describe('pooled connections', () => {
  it('can be released many times, and refuse work after release', async () => {
    pool = await createPool({ max: 1 })
    const connection = await pool.acquire()
    expect(await connection.query('SELECT 42 AS x')).toEqual([{ x: 42 }])
    await connection.release()
    await connection.release()
    const error = await connection.query('SELECT 1').catch((e: unknown) => e)
    expect(isConnectionReleasedError(error)).toBe(true)
    expect(() => connection.raw).toThrow(/released/)
    expect(pool.stats()).toMatchObject({
      inUse: 0,
      idle: 1,
      acquired: 1,
      released: 1,
    })
  })

  it('are released by await using', async () => {
    pool = await createPool({ max: 1 })
    {
      await using connection = await pool.acquire()
      expect(pool.stats().inUse).toBe(1)
      await connection.query('SELECT 1')
    }
    expect(pool.stats().inUse).toBe(0)
  })

  it('withConnection gives the connection back also when fn throws', async () => {
    pool = await createPool({ max: 1 })
    await expect(
      pool.withConnection(async (connection) => {
        await connection.query('SELECT 1')
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(pool.stats()).toMatchObject({ inUse: 0, idle: 1 })
    expect(
      await pool.withConnection((connection) =>
        connection.query('SELECT 2 AS v'),
      ),
    ).toEqual([{ v: 2 }])
  })

  it('runs acquire hooks before each acquire, and a throwing hook rejects the call', async () => {
    pool = await createPool({ max: 1 })
    const seen: unknown[] = []
    const remove = pool.addAcquireHook((info) => {
      seen.push(info)
      if (info.sql === 'SELECT 13') throw new Error('refused by hook')
    })
    await pool.query('SELECT 1')
    await pool.execute('SELECT 2')
    await pool.withConnection(() => Promise.resolve())
    await (await pool.acquire()).release()
    await expect(pool.query('SELECT 13')).rejects.toThrow('refused by hook')
    expect(seen).toEqual([
      { operation: 'query', sql: 'SELECT 1' },
      { operation: 'execute', sql: 'SELECT 2' },
      { operation: 'withConnection' },
      { operation: 'acquire' },
      { operation: 'query', sql: 'SELECT 13' },
    ])
    expect(pool.stats().acquired).toBe(4)
    remove()
    await pool.query('SELECT 13')
    expect(seen).toHaveLength(5)
  })

  it('sets errors_as_json and runs the init hook on every new connection', async () => {
    const initialised: number[] = []
    pool = await createPool({
      min: 2,
      max: 2,
      init: async (connection, { connectionId }) => {
        initialised.push(connectionId)
        await connection.run("SET VARIABLE greeting = 'hello'")
      },
    })
    expect(initialised.sort()).toEqual([1, 2])
    await pool.withConnection(async (connection) => {
      const [row] = await connection.query<{ json: string; greeting: string }>(
        "SELECT current_setting('errors_as_json')::VARCHAR AS json, getvariable('greeting') AS greeting",
      )
      expect(row).toEqual({ json: 'true', greeting: 'hello' })
    })
  })
})

describe('chaos hook', () => {
  it('is asked before acquires and statements, and what it throws surfaces classified', async () => {
    const operations: string[] = []
    let failNext = false
    pool = await createPool({
      max: 1,
      chaos: {
        maybeInject: (operation) => {
          operations.push(operation)
          if (!failNext) return Promise.resolve()
          failNext = false
          return Promise.reject(new Error('IO Error: injected disk failure'))
        },
      },
    })
    expect(await pool.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
    expect(operations).toEqual(['db-pool.acquire', 'db-pool.statement'])
    failNext = true
    await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: 'E_IO' })
    const connection = await pool.acquire()
    failNext = true
    await expect(connection.query('SELECT 2')).rejects.toMatchObject({
      code: 'E_IO',
      sql: 'SELECT 2',
    })
    await connection.release()
    expect(pool.stats().inUse).toBe(0)
  })
})
