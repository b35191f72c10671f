import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPool, type Pool } from '../src/index.js'

let pool: Pool | undefined
afterEach(async () => {
  vi.useRealTimers()
  await pool?.close({ timeoutMs: 100 })
  pool = undefined
})

describe('health', () => {
  it('is ok with a probe latency when the pool serves queries', async () => {
    pool = await createPool({ min: 1, max: 2 })
    const health = await pool.health()
    expect(health).toMatchObject({ status: 'ok', reasons: [] })
    expect(health.latencyMs).toBeGreaterThan(0)
    expect(health.stats.state).toBe('open')
  })

  it('is degraded while callers wait and no connection frees up within healthTimeoutMs', async () => {
    vi.useFakeTimers()
    pool = await createPool({ min: 1, max: 1, healthTimeoutMs: 500 })
    const holder = await pool.acquire()
    const waiter = pool.acquire()
    const checking = pool.health()
    await vi.advanceTimersByTimeAsync(500)
    const health = await checking
    expect(health.status).toBe('degraded')
    expect(health.latencyMs).toBeUndefined()
    expect(health.reasons).toEqual([
      'probe could not get a connection within 500 ms',
      'saturated: 1 callers waiting for a connection',
    ])
    await holder.release()
    await (await waiter).release()
    expect((await pool.health()).status).toBe('ok')
  })

  it('is degraded for a minute after an acquire timed out', async () => {
    vi.useFakeTimers()
    pool = await createPool({ min: 1, max: 1, acquireTimeoutMs: 100 })
    const holder = await pool.acquire()
    const late = pool.acquire().catch(() => undefined)
    await vi.advanceTimersByTimeAsync(100)
    await late
    await holder.release()
    const health = await pool.health()
    expect(health.status).toBe('degraded')
    expect(health.reasons[0]).toMatch(
      /an acquire timed out 0 s ago \(1 in total\)/,
    )
    await vi.advanceTimersByTimeAsync(60_000)
    expect((await pool.health()).status).toBe('ok')
  })

  it('is down once the pool is closed', async () => {
    const closed = await createPool()
    await closed.close()
    expect(await closed.health()).toMatchObject({
      status: 'down',
      reasons: ['pool is closed'],
      latencyMs: undefined,
    })
  })
})
