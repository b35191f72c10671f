import {
  createTempDatabase,
  requireRedis,
  uniqueKeyPrefix,
} from '@duckkit/test-utils'
import { afterAll, describe, expect, it } from 'vitest'
import { runToExit, type ServiceProcess, startProcess } from './process.js'

const redis = await requireRedis()

describe.skipIf(redis.skip)('the service process (node dist/main.js)', () => {
  const db = createTempDatabase()
  const namespace = uniqueKeyPrefix('server-e2e').slice(0, -1)
  const env = {
    DUCKDB_PATH: db.path,
    REDIS_URL: redis.url,
    DUCKKIT_CACHE_NAMESPACE: namespace,
    DUCKKIT_CHAOS: '1',
    DUCKKIT_SHUTDOWN_TIMEOUT_MS: '10000',
  }
  let service: ServiceProcess | undefined
  afterAll(async () => {
    if (service !== undefined && service.child.exitCode === null) {
      service.child.kill('SIGKILL')
      await service.exited
    }
    db.remove()
  })

  it('serves the API over HTTP with Redis, logs a generated token once, and stops on SIGTERM after finishing an in-flight request', async () => {
    service = await startProcess(env)
    const { url } = service
    const tokenLine = service.logs.find(
      (entry) => typeof entry.adminToken === 'string',
    )
    const token = String(tokenLine?.adminToken)
    expect(token.length).toBeGreaterThanOrEqual(32)
    expect(service.output().split(token).length - 1).toBe(1)
    const auth = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    }

    const active = await fetch(`${url}/v1/model-configs/chat_deep/active`)
    expect(active.status).toBe(200)
    const etag = active.headers.get('etag') ?? ''
    expect(
      (
        await fetch(`${url}/v1/model-configs/chat_deep/active`, {
          headers: { 'if-none-match': etag },
        })
      ).status,
    ).toBe(304)

    const write = await fetch(`${url}/v1/model-configs/chat_deep/1`, {
      method: 'PUT',
      headers: { ...auth, 'x-request-id': 'e2e-write-1' },
      body: JSON.stringify({
        modelId: 'e2e-model',
        modelName: 'E2E',
        provider: 'openai',
      }),
    })
    expect(write.status).toBe(200)
    expect(write.headers.get('x-request-id')).toBe('e2e-write-1')
    const after = await fetch(`${url}/v1/model-configs/chat_deep/active`)
    expect(await after.json()).toMatchObject({ modelId: 'e2e-model' })
    expect(
      service.logs.some(
        (entry) =>
          entry.requestId === 'e2e-write-1' &&
          entry.msg === 'request completed',
      ),
    ).toBe(true)

    const cache = (await (await fetch(`${url}/health/cache`)).json()) as Record<
      string,
      unknown
    >
    expect(cache).toMatchObject({
      tiers: { l2: { enabled: true } },
      bus: { enabled: true },
    })
    expect((await fetch(`${url}/health/ready`)).status).toBe(200)

    // Hold the next write in the chaos latency, then send SIGTERM while it is in flight.
    const chaos = await fetch(`${url}/admin/chaos`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        rate: 1,
        kinds: ['latency'],
        latencyMs: 300,
        durationMs: 60_000,
      }),
    })
    expect(chaos.status).toBe(200)
    const inFlight = fetch(`${url}/v1/model-configs/chat_deep/2`, {
      method: 'PUT',
      headers: { ...auth, 'x-request-id': 'e2e-in-flight' },
      body: JSON.stringify({
        modelId: 'in-flight',
        modelName: 'In flight',
        provider: 'openai',
      }),
    })
    for (let i = 0; i < 200; i += 1) {
      const state = (await (
        await fetch(`${url}/admin/chaos`, { headers: auth })
      ).json()) as { injected: number }
      if (state.injected > 0) break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    service.child.kill('SIGTERM')
    const finished = await inFlight
    expect(finished.status).toBe(200)
    expect(await finished.json()).toMatchObject({
      priority: 2,
      modelId: 'in-flight',
    })
    expect(await service.exited).toBe(0)
    const messages = service.logs.map((entry) => entry.msg)
    expect(messages).toEqual(
      expect.arrayContaining(['shutting down', 'services disposed', 'stopped']),
    )
    const completed = service.logs.findIndex(
      (entry) =>
        entry.requestId === 'e2e-in-flight' &&
        entry.msg === 'request completed',
    )
    expect(messages.indexOf('shutting down')).toBeGreaterThan(-1)
    expect(messages.indexOf('shutting down')).toBeLessThan(completed)
    expect(completed).toBeLessThan(messages.indexOf('services disposed'))
    await expect(fetch(`${url}/health`)).rejects.toThrow()

    // Everything acknowledged before the shutdown is in the file.
    service = await startProcess({
      ...env,
      DUCKKIT_ADMIN_TOKEN: 'a-fixed-token-for-the-restart',
    })
    const chain = (await (
      await fetch(`${service.url}/v1/model-configs/chat_deep`)
    ).json()) as { modelId: string }[]
    expect(chain.map((config) => config.modelId)).toEqual([
      'e2e-model',
      'in-flight',
    ])
    expect(service.output()).not.toContain('generated an admin token')
    service.child.kill('SIGINT')
    expect(await service.exited).toBe(0)
  })

  it('refuses a bad environment at start, naming the variable', async () => {
    const { code, output } = await runToExit({
      PORT: 'eighty',
      DUCKDB_PATH: ':memory:',
      REDIS_URL: 'nope',
    })
    expect(code).toBe(2)
    expect(output).toContain('PORT=\\"eighty\\"')
    expect(output).toContain('REDIS_URL')
    expect(output).not.toMatch(/\n\s+at /)
  })
})
