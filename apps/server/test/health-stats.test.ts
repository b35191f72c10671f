import { requireRedis, uniqueKeyPrefix } from '@duckkit/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUTH, expectProblem, startTestApp, type TestApp } from './helpers.js'

const redis = await requireRedis()

describe('health and statistics', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp()
  })
  afterAll(() => t.close())
  const get = (url: string) => t.app.inject({ method: 'GET', url })

  it('/health answers while the process runs', async () => {
    const response = await get('/health')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      status: 'ok',
      reasons: [],
      uptimeSeconds: expect.any(Number) as unknown,
    })
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('/health/ready is 200 once migrated and 503 while shutting down', async () => {
    const ready = await get('/health/ready')
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toMatchObject({
      status: 'ok',
      schemaVersion: 1,
      pool: 'ok',
    })
    t.lifecycle.shuttingDown = true
    try {
      const down = await get('/health/ready')
      expect(down.statusCode).toBe(503)
      expect(down.json()).toMatchObject({
        status: 'down',
        reasons: ['shutting down'],
      })
    } finally {
      t.lifecycle.shuttingDown = false
    }
  })

  it('/health/database reports the probe, the pool and the breaker', async () => {
    const response = await get('/health/database')
    expect(response.statusCode).toBe(200)
    const body = response.json<Record<string, unknown>>()
    expect(body).toMatchObject({
      status: 'ok',
      reasons: [],
      breaker: { state: 'closed', retryAfterMs: 0 },
      pool: { state: 'open', max: expect.any(Number) as unknown },
    })
    expect(body.latencyMs).toBeGreaterThanOrEqual(0)
  })

  it('/health/cache reports a memory-only cache as ok', async () => {
    const response = await get('/health/cache')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      status: 'ok',
      tiers: {
        l1: { entries: expect.any(Number) as unknown },
        l2: { enabled: false, breaker: 'none' },
      },
      bus: { enabled: false },
    })
  })

  it('/stats/* return the package statistics and move with traffic', async () => {
    const before = {
      pool: (await get('/stats/pool')).json<{ acquired: number }>(),
      tx: (await get('/stats/transactions')).json<{ committed: number }>(),
      cache: (await get('/stats/cache')).json<{
        hits: number
        misses: number
      }>(),
    }
    await t.app.inject({
      method: 'PUT',
      url: '/v1/model-configs/stats_probe/1',
      headers: AUTH,
      payload: { modelId: 'm', modelName: 'M', provider: 'p' },
    })
    await get('/v1/model-configs/stats_probe/active')
    await get('/v1/model-configs/stats_probe/active')
    const pool = await get('/stats/pool')
    expect(pool.headers['cache-control']).toBe('no-store')
    expect(pool.json<{ acquired: number }>().acquired).toBeGreaterThan(
      before.pool.acquired,
    )
    expect(pool.json()).toMatchObject({
      state: 'open',
      inUse: 0,
      waiting: 0,
      acquireWaitMs: { p99: expect.any(Number) as unknown },
    })
    const tx = (await get('/stats/transactions')).json<{
      committed: number
      retries: object
    }>()
    expect(tx.committed).toBeGreaterThan(before.tx.committed)
    expect(tx.retries).toEqual(expect.any(Object))
    const cache = (await get('/stats/cache')).json<{
      hits: number
      misses: number
      l1: object
      bus: object
    }>()
    expect(cache.hits).toBeGreaterThan(before.cache.hits)
    expect(cache.misses).toBeGreaterThan(before.cache.misses)
    const resilience = (await get('/stats/resilience')).json<{
      breakers: Record<string, { state: string }>
      chaos: object
    }>()
    expect(resilience.breakers.duckdb).toMatchObject({ state: 'closed' })
    expect(resilience.chaos).toMatchObject({
      enabled: false,
      injected: 0,
      settings: null,
      until: null,
    })
  })
})

describe('503 answers', () => {
  it('a write while every connection is held is 503 E_POOL_EXHAUSTED with Retry-After', async () => {
    const t = await startTestApp({
      env: { DUCKKIT_POOL_MAX: '1', DUCKKIT_POOL_ACQUIRE_TIMEOUT_MS: '50' },
    })
    try {
      const held = await t.services.pool.acquire()
      try {
        const response = await t.app.inject({
          method: 'PUT',
          url: '/v1/model-configs/chat_deep/1',
          headers: AUTH,
          payload: { modelId: 'm', modelName: 'M', provider: 'p' },
        })
        const problem = expectProblem(response, 503, 'E_POOL_EXHAUSTED')
        expect(response.headers['retry-after']).toBe('1')
        expect(problem.retryAfterSeconds).toBe(1)
        const pool = (
          await t.app.inject({ method: 'GET', url: '/stats/pool' })
        ).json<{ timeouts: number }>()
        expect(pool.timeouts).toBeGreaterThan(0)
      } finally {
        await held.release()
      }
      const after = await t.app.inject({
        method: 'GET',
        url: '/v1/model-configs/chat_deep/active',
      })
      expect(after.json()).toMatchObject({ modelId: 'openrouter/auto' })
    } finally {
      await t.close()
    }
  })

  it('repeated database failures open the breaker: 503 E_CIRCUIT_OPEN with Retry-After, health degraded', async () => {
    const t = await startTestApp({ chaos: true })
    try {
      const warm = await t.app.inject({
        method: 'GET',
        url: '/v1/model-configs/chat_deep/active',
      })
      expect(warm.statusCode).toBe(200)
      t.services.chaos.enable({ rate: 1, kinds: ['io'], durationMs: 60_000 })
      const write = () =>
        t.app.inject({
          method: 'PUT',
          url: '/v1/model-configs/chat_deep/1',
          headers: AUTH,
          payload: { modelId: 'm', modelName: 'M', provider: 'p' },
        })
      let response = await write()
      for (
        let i = 0;
        i < 20 && response.json<{ code: string }>().code !== 'E_CIRCUIT_OPEN';
        i += 1
      ) {
        expectProblem(response, 503, 'E_UNAVAILABLE')
        response = await write()
      }
      const problem = expectProblem(response, 503, 'E_CIRCUIT_OPEN')
      const retryAfter = Number(response.headers['retry-after'])
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(problem.retryAfterSeconds).toBe(retryAfter)
      t.services.chaos.disable()
      const health = await t.app.inject({
        method: 'GET',
        url: '/health/database',
      })
      expect(health.statusCode).toBe(200)
      expect(health.json()).toMatchObject({
        status: 'degraded',
        reasons: [expect.stringContaining('"duckdb" is open')],
        breaker: { state: 'open' },
      })
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' }))
        .body
      expect(metrics).toContain(
        'duckkit_breaker_state{breaker="duckdb",state="open"} 1',
      )
      expect(metrics).toMatch(
        /duckkit_breaker_transitions_total\{breaker="duckdb",to="open"\} 1/,
      )
      expect(metrics).toMatch(/duckkit_chaos_injected_total\{kind="io"\} [1-9]/)
      // Cached reads do not touch the database and keep working.
      const read = await t.app.inject({
        method: 'GET',
        url: '/v1/model-configs/chat_deep/active',
      })
      expect(read.body).toBe(warm.body)
    } finally {
      await t.close()
    }
  })
})

describe.skipIf(redis.skip)('with Redis', () => {
  it('/health/cache reports the Redis tier and the bus', async () => {
    const t = await startTestApp({
      env: {
        REDIS_URL: redis.url,
        DUCKKIT_CACHE_NAMESPACE: uniqueKeyPrefix('server').slice(0, -1),
      },
    })
    try {
      await t.app.inject({
        method: 'GET',
        url: '/v1/model-configs/chat_deep/active',
      })
      let body: Record<string, unknown> = {}
      for (let i = 0; i < 50; i += 1) {
        body = (
          await t.app.inject({ method: 'GET', url: '/health/cache' })
        ).json()
        if (body.status === 'ok') break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(body).toMatchObject({
        status: 'ok',
        tiers: { l2: { enabled: true, breaker: 'closed' } },
        bus: { enabled: true, trusted: true },
      })
    } finally {
      await t.close()
    }
  })
})
