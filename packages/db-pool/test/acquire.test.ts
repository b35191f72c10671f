import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createPool,
  isPoolAcquireAbortedError,
  isPoolAcquireTimeoutError,
  isPoolQueueFullError,
  type Pool,
  type PooledConnection,
} from '../src/index.js'

let pool: Pool | undefined
afterEach(async () => {
  vi.useRealTimers()
  await pool?.close({ timeoutMs: 100 })
  pool = undefined
})

describe('acquire', () => {
  it('never lends more than max connections to 200 concurrent acquirers, and serves them all', async () => {
    pool = await createPool({ min: 0, max: 4, maxWaiting: 1000 })
    let inUse = 0
    let peak = 0
    const ids = new Set<number>()
    await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        pool!.withConnection(async (connection) => {
          inUse += 1
          peak = Math.max(peak, inUse)
          ids.add(connection.id)
          await connection.query('SELECT ? AS i', [index])
          inUse -= 1
        }),
      ),
    )
    expect(peak).toBeLessThanOrEqual(4)
    expect(peak).toBeGreaterThan(1)
    expect(ids.size).toBeLessThanOrEqual(4)
    const stats = pool.stats()
    expect(stats.size).toBeLessThanOrEqual(4)
    expect(stats.acquired).toBe(200)
    expect(stats.waiting).toBe(0)
    expect(stats.acquireWaitMs.samples).toBe(200)
  })

  it('serves waiters first in, first out', async () => {
    pool = await createPool({ min: 1, max: 1 })
    const holder = await pool.acquire()
    const order: number[] = []
    const waiters = Array.from({ length: 10 }, (_, index) =>
      pool!.acquire().then(async (connection) => {
        order.push(index)
        await connection.release()
      }),
    )
    expect(pool.stats().waiting).toBe(10)
    await holder.release()
    await Promise.all(waiters)
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('fails with a retryable PoolAcquireTimeoutError after acquireTimeoutMs and keeps working', async () => {
    vi.useFakeTimers()
    pool = await createPool({ min: 1, max: 1, acquireTimeoutMs: 500 })
    const timeouts: unknown[] = []
    pool.on('acquireTimeout', (event) => timeouts.push(event))
    const holder = await pool.acquire()
    const waiting = pool.acquire().catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(499)
    expect(pool.stats().waiting).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    const error = await waiting
    expect(isPoolAcquireTimeoutError(error)).toBe(true)
    expect(error).toMatchObject({
      code: 'E_POOL_ACQUIRE_TIMEOUT',
      retryable: true,
      timeoutMs: 500,
    })
    expect(timeouts).toEqual([{ timeoutMs: 500, waiting: 0 }])
    expect(pool.stats()).toMatchObject({ waiting: 0, timeouts: 1 })
    await holder.release()
    const again = await pool.acquire()
    expect(again.id).toBe(holder.id)
    await again.release()
  })

  it('gives up at once when the abort signal fires, and a waiter that gave up is skipped', async () => {
    pool = await createPool({ min: 1, max: 1 })
    const holder = await pool.acquire()
    const controller = new AbortController()
    const aborted = pool
      .acquire({ signal: controller.signal })
      .catch((error: unknown) => error)
    const next = pool.acquire()
    controller.abort(new Error('client went away'))
    const error = await aborted
    expect(isPoolAcquireAbortedError(error)).toBe(true)
    expect((error as Error).cause).toEqual(new Error('client went away'))
    await holder.release()
    const connection = await next
    expect(pool.stats()).toMatchObject({ aborted: 1, waiting: 0, inUse: 1 })
    await connection.release()
    const already = await pool
      .acquire({ signal: AbortSignal.abort() })
      .catch((e: unknown) => e)
    expect(isPoolAcquireAbortedError(already)).toBe(true)
  })

  it('rejects at once with PoolQueueFullError when maxWaiting callers already wait', async () => {
    pool = await createPool({ min: 1, max: 1, maxWaiting: 2 })
    const holder = await pool.acquire()
    const first = pool.acquire()
    const second = pool.acquire()
    const third = await pool.acquire().catch((error: unknown) => error)
    expect(isPoolQueueFullError(third)).toBe(true)
    expect(third).toMatchObject({
      code: 'E_POOL_QUEUE_FULL',
      retryable: true,
      maxWaiting: 2,
    })
    await holder.release()
    await (await first).release()
    await (await second).release()
    expect(pool.stats().queueFull).toBe(1)
  })

  it('with maxWaiting 0 still waits for connections it can open, but never for a busy pool', async () => {
    pool = await createPool({ min: 0, max: 2, maxWaiting: 0 })
    const [first, second] = await Promise.all([pool.acquire(), pool.acquire()])
    const refused = await pool.acquire().catch((error: unknown) => error)
    expect(isPoolQueueFullError(refused)).toBe(true)
    await first.release()
    await second.release()
  })

  it('opens connections on demand up to max and reuses idle ones', async () => {
    pool = await createPool({ min: 0, max: 3 })
    expect(pool.stats().size).toBe(0)
    const held: PooledConnection[] = await Promise.all([
      pool.acquire(),
      pool.acquire(),
      pool.acquire(),
    ])
    expect(pool.stats()).toMatchObject({ size: 3, inUse: 3, created: 3 })
    await Promise.all(held.map((connection) => connection.release()))
    await pool.query('SELECT 1')
    expect(pool.stats()).toMatchObject({ size: 3, idle: 3, created: 3 })
  })

  it('rejects the waiter when a connection cannot be opened', async () => {
    pool = await createPool({
      min: 0,
      max: 1,
      init: () => {
        throw new Error('init failed')
      },
    })
    const errors: unknown[] = []
    pool.on('connectionError', (event) => errors.push(event.phase))
    await expect(pool.query('SELECT 1')).rejects.toThrow('init failed')
    expect(errors).toEqual(['create'])
    expect(pool.stats()).toMatchObject({ size: 0, pending: 0, waiting: 0 })
  })
})
