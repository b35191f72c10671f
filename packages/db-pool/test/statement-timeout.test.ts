import { isInterruptedError, isQueryTimeoutError } from '@duckkit/resilience'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPool, type Pool, type PoolEvents } from '../src/index.js'

/** Runs for minutes on any machine unless interrupted. */
const LONG_QUERY = 'SELECT sum(hash(i)) AS s FROM range(100000000000) t(i)'

let pool: Pool | undefined
beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(async () => {
  await pool?.close({ timeoutMs: 100 })
  pool = undefined
  vi.useRealTimers()
})

describe('statement timeout', () => {
  it('interrupts a statement past statementTimeoutMs, and the connection is reused', async () => {
    pool = await createPool({ min: 1, max: 1, statementTimeoutMs: 1000 })
    const timeouts: PoolEvents['statementTimeout'][] = []
    pool.on('statementTimeout', (event) => timeouts.push(event))
    const firstId = await pool.withConnection((connection) =>
      Promise.resolve(connection.id),
    )
    const outcome = pool.query(LONG_QUERY).catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(1000)
    const error = await outcome
    expect(isQueryTimeoutError(error)).toBe(true)
    expect(error).toMatchObject({
      code: 'E_QUERY_TIMEOUT',
      timeoutMs: 1000,
      sql: LONG_QUERY,
    })
    expect(timeouts).toEqual([
      { connectionId: firstId, timeoutMs: 1000, sql: LONG_QUERY },
    ])
    // The interrupted statement settles, then the same connection serves the next caller.
    const next = pool.withConnection(async (connection) => ({
      id: connection.id,
      rows: await connection.query('SELECT 42 AS answer'),
    }))
    await vi.waitFor(() => expect(pool!.stats().inUse).toBe(0), {
      timeout: 10_000,
      interval: 50,
    })
    expect(await next).toEqual({ id: firstId, rows: [{ answer: 42 }] })
    expect(pool.stats()).toMatchObject({
      statementTimeouts: 1,
      destroyed: 0,
      created: 1,
    })
  })

  it('keeps each statement to its own deadline when several run at once', async () => {
    pool = await createPool({ min: 2, max: 2, statementTimeoutMs: 0 })
    const settledAt = new Map<string, number>()
    const started = Date.now()
    const track = (name: string, timeoutMs: number) =>
      pool!
        .query(LONG_QUERY, undefined, { timeoutMs })
        .catch((error: unknown) => {
          settledAt.set(name, Date.now() - started)
          return error
        })
    const slow = track('slow', 1000)
    const fast = track('fast', 200)
    await vi.advanceTimersByTimeAsync(200)
    expect(isQueryTimeoutError(await fast)).toBe(true)
    expect(settledAt.has('slow')).toBe(false)
    await vi.advanceTimersByTimeAsync(800)
    expect(isQueryTimeoutError(await slow)).toBe(true)
    expect(Object.fromEntries(settledAt)).toEqual({ fast: 200, slow: 1000 })
    await vi.waitFor(() => expect(pool!.stats().idle).toBe(2), {
      timeout: 10_000,
      interval: 50,
    })
  })

  it('takes a per-statement timeoutMs over the default', async () => {
    pool = await createPool({ min: 1, max: 1, statementTimeoutMs: 0 })
    const outcome = pool
      .query(LONG_QUERY, undefined, { timeoutMs: 200 })
      .catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(200)
    expect(isQueryTimeoutError(await outcome)).toBe(true)
    await vi.waitFor(() => expect(pool!.stats().idle).toBe(1), {
      timeout: 10_000,
      interval: 50,
    })
  })

  it('interrupts a statement whose abort signal fires', async () => {
    pool = await createPool({ min: 1, max: 1, statementTimeoutMs: 0 })
    const controller = new AbortController()
    const connection = await pool.acquire()
    const outcome = connection
      .query(LONG_QUERY, undefined, { signal: controller.signal })
      .catch((e: unknown) => e)
    controller.abort()
    expect(isInterruptedError(await outcome)).toBe(true)
    // The next statement waits for the interrupted one to settle, then runs.
    let answered: unknown
    void connection.query('SELECT 1 AS one').then((rows) => (answered = rows))
    await vi.waitFor(() => expect(answered).toEqual([{ one: 1 }]), {
      timeout: 10_000,
      interval: 50,
    })
    await connection.release()
  })

  it('rolls back a transaction whose statement timed out before lending the connection again', async () => {
    pool = await createPool({ min: 1, max: 1, statementTimeoutMs: 500 })
    await pool.execute('CREATE TABLE t (v INTEGER)')
    const outcome = pool
      .withConnection(async (connection) => {
        await connection.execute('BEGIN')
        await connection.execute('INSERT INTO t VALUES (1)')
        await connection.query(LONG_QUERY)
      })
      .catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(500)
    expect(isQueryTimeoutError(await outcome)).toBe(true)
    await vi.waitFor(() => expect(pool!.stats().idle).toBe(1), {
      timeout: 10_000,
      interval: 50,
    })
    expect(await pool.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }])
  })
})
