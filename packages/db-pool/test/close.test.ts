import { isInterruptedError } from '@duckkit/resilience'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPool, isPoolClosedError } from '../src/index.js'

const LONG_QUERY = 'SELECT sum(hash(i)) AS s FROM range(100000000000) t(i)'

afterEach(() => {
  vi.useRealTimers()
})

describe('close', () => {
  it('rejects waiters and new calls with PoolClosedError', async () => {
    const pool = await createPool({ min: 1, max: 1 })
    const holder = await pool.acquire()
    const waiter = pool.acquire().catch((error: unknown) => error)
    const closing = pool.close()
    expect(isPoolClosedError(await waiter)).toBe(true)
    for (const call of [
      pool.acquire(),
      pool.query('SELECT 1'),
      pool.execute('SELECT 1'),
      pool.withConnection(() => Promise.resolve(1)),
    ]) {
      const error = await call.catch((e: unknown) => e)
      expect(isPoolClosedError(error)).toBe(true)
      expect(error).toMatchObject({ code: 'E_POOL_CLOSED', retryable: false })
    }
    await holder.release()
    await closing
    expect(pool.stats()).toMatchObject({ state: 'closed', size: 0 })
  })

  it('waits for borrowed connections to come back, which can finish their work', async () => {
    const pool = await createPool({ min: 2, max: 2 })
    const connection = await pool.acquire()
    let closed = false
    const closing = pool.close({ timeoutMs: 60_000 }).then(() => {
      closed = true
    })
    expect(await connection.query('SELECT 7 AS v')).toEqual([{ v: 7 }])
    expect(closed).toBe(false)
    expect(pool.stats()).toMatchObject({ state: 'closing', size: 1 })
    await connection.release()
    await closing
    expect(closed).toBe(true)
    expect(pool.stats()).toMatchObject({
      state: 'closed',
      size: 0,
      destroyed: 2,
    })
    expect(pool.close()).toBe(pool.close())
  })

  it('interrupts work still running after the bound and closes anyway', async () => {
    vi.useFakeTimers()
    const pool = await createPool({ min: 1, max: 1, statementTimeoutMs: 0 })
    const connection = await pool.acquire()
    const running = connection
      .query(LONG_QUERY)
      .catch((error: unknown) => error)
    const closing = pool.close({ timeoutMs: 1000 })
    await vi.advanceTimersByTimeAsync(1000)
    await vi.waitFor(() => expect(pool.stats().state).toBe('closed'), {
      timeout: 10_000,
      interval: 50,
    })
    await closing
    expect(isInterruptedError(await running)).toBe(true)
    const late = await connection
      .query('SELECT 1')
      .catch((error: unknown) => error)
    expect(isPoolClosedError(late)).toBe(true)
    await connection.release()
  })

  it('leaves an instance it did not open usable', async () => {
    const first = await createPool({ min: 1, max: 1 })
    const second = await createPool({
      instance: first.instance,
      min: 1,
      max: 1,
    })
    await second.close()
    expect(await first.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }])
    await first.close()
  })

  it('is what await using calls', async () => {
    let stats
    {
      await using pool = await createPool({ min: 1 })
      await pool.query('SELECT 1')
      stats = () => pool.stats()
    }
    expect(stats().state).toBe('closed')
  })
})
