import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPool, type Pool, type PoolEvents } from '../src/index.js'

let pool: Pool | undefined
beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(async () => {
  await pool?.close({ timeoutMs: 100 })
  pool = undefined
  vi.useRealTimers()
})

describe('idle eviction', () => {
  it('closes connections idle longer than idleTimeoutMs, down to min', async () => {
    pool = await createPool({ min: 1, max: 3, idleTimeoutMs: 1000 })
    const destroyed: PoolEvents['connectionDestroyed'][] = []
    pool.on('connectionDestroyed', (event) => destroyed.push(event))
    const held = await Promise.all([
      pool.acquire(),
      pool.acquire(),
      pool.acquire(),
    ])
    await Promise.all(held.map((connection) => connection.release()))
    expect(pool.stats().size).toBe(3)
    await vi.advanceTimersByTimeAsync(900)
    expect(pool.stats().size).toBe(3)
    await vi.advanceTimersByTimeAsync(600)
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1, destroyed: 2 })
    expect(destroyed.map((event) => event.reason)).toEqual(['idle', 'idle'])
  })

  it('keeps connections that are used before they time out', async () => {
    pool = await createPool({ min: 0, max: 1, idleTimeoutMs: 1000 })
    for (let step = 0; step < 5; step += 1) {
      await pool.query('SELECT 1')
      await vi.advanceTimersByTimeAsync(700)
    }
    expect(pool.stats()).toMatchObject({ size: 1, created: 1, destroyed: 0 })
    await vi.advanceTimersByTimeAsync(600)
    expect(pool.stats()).toMatchObject({ size: 0, destroyed: 1 })
  })
})

describe('max lifetime', () => {
  it('replaces idle connections older than maxLifetimeMs and keeps min open', async () => {
    pool = await createPool({
      min: 1,
      max: 1,
      maxLifetimeMs: 5000,
      idleTimeoutMs: 0,
    })
    const first = await pool.acquire()
    const firstId = first.id
    await first.release()
    await vi.advanceTimersByTimeAsync(5000 + 1000)
    await vi.waitFor(() => expect(pool!.stats().size).toBe(1))
    const second = await pool.acquire()
    expect(second.id).not.toBe(firstId)
    await second.release()
    expect(pool.stats()).toMatchObject({ created: 2, destroyed: 1 })
  })

  it('retires a connection that outlived maxLifetimeMs while borrowed when it comes back', async () => {
    pool = await createPool({
      min: 0,
      max: 1,
      maxLifetimeMs: 5000,
      idleTimeoutMs: 0,
    })
    const destroyed: string[] = []
    pool.on('connectionDestroyed', (event) => destroyed.push(event.reason))
    const connection = await pool.acquire()
    await vi.advanceTimersByTimeAsync(6000)
    expect(destroyed).toEqual([])
    await connection.release()
    expect(destroyed).toEqual(['lifetime'])
  })
})

describe('leak detection', () => {
  it("reports a connection held longer than leakDetectionMs once, with the acquirer's stack", async () => {
    pool = await createPool({ min: 1, max: 2, leakDetectionMs: 2000 })
    const leaks: PoolEvents['leak'][] = []
    pool.on('leak', (event) => leaks.push(event))
    const connection = await acquireForAWhile(pool)
    await vi.advanceTimersByTimeAsync(1900)
    expect(leaks).toEqual([])
    await vi.advanceTimersByTimeAsync(2000)
    expect(leaks).toHaveLength(1)
    expect(leaks[0]).toMatchObject({ connectionId: connection.id })
    expect(leaks[0]!.heldMs).toBeGreaterThanOrEqual(2000)
    expect(leaks[0]!.stack).toContain('acquireForAWhile')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(leaks).toHaveLength(1)
    expect(pool.stats().leaks).toBe(1)
    await connection.release()
  })

  it('stays quiet for connections given back in time', async () => {
    pool = await createPool({ min: 1, max: 1, leakDetectionMs: 2000 })
    const leaks: unknown[] = []
    pool.on('leak', (event) => leaks.push(event))
    for (let step = 0; step < 5; step += 1) {
      const connection = await pool.acquire()
      await vi.advanceTimersByTimeAsync(1500)
      await connection.release()
    }
    expect(leaks).toEqual([])
  })
})

async function acquireForAWhile(target: Pool) {
  return target.acquire()
}
