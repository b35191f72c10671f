import {
  createTempDatabase,
  requireRedis,
  uniqueKeyPrefix,
} from '@duckkit/test-utils'
import { afterAll, describe, expect, it } from 'vitest'
import { FreshnessOracle } from '../src/freshness.js'
import { type HttpResponse } from '../src/http-client.js'
import { LatencyRecorder } from '../src/latency.js'
import { currentProfile } from '../src/profile.js'
import { deleteNamespace } from '../src/redis-namespace.js'
import { runClients, waitUntil } from '../src/run-clients.js'
import { Sampler } from '../src/sampler.js'
import { type ModelConfig, ServiceApi } from '../src/service-api.js'
import { ServiceProcess } from '../src/service-process.js'
import { decodeConfig, taggedBody } from '../src/tagged-config.js'
import { recordScenario } from './scenario.js'

const redis = await requireRedis()
const profile = currentProfile()

const WRITE_RATIO = 0.05
const PRIORITIES = 2
/** Largest growth of the service's resident memory from the end of the warm-up to the end of the run. */
const RSS_GROWTH_BOUND = 96 * 2 ** 20
/** Share of the run that counts as warm-up for the memory baseline. */
const WARM_UP_SHARE = 0.25
/** Seeded usage types (read through every read route). */
const SEEDED = ['chat_deep', 'chat_text', 'embedding', 'inference']

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`

describe.skipIf(redis.skip)('4. sustained load', () => {
  const db = createTempDatabase('load.duckdb')
  const namespace = uniqueKeyPrefix('reliability-load').slice(0, -1)
  const token = 'load-token-0123456789abcdef'
  let service: ServiceProcess | undefined
  afterAll(async () => {
    await service?.kill('SIGKILL')
    db.remove()
    await deleteNamespace(redis.url, namespace)
  })

  it('serves 50 clients at 95 % reads / 5 % writes with zero errors, returns every connection, and keeps memory bounded', async () => {
    const scenario = recordScenario(4, 'sustained-load', 'Sustained load')
    const { clients, durationMs } = profile.load
    scenario.check(
      `${clients} concurrent keep-alive clients for ${durationMs / 1000} s, each sending its next request as soon as the last one answered: ${100 - WRITE_RATIO * 100} % reads over eight read routes (lists, chains, active models, providers, validation, single configurations) / ${WRITE_RATIO * 100} % upserts of the client's own ${PRIORITIES} configurations; with Redis (L2 and bus)`,
    )
    scenario.check(
      'zero errors: every answer is 200; no read older than a write acknowledged before it began',
    )
    scenario.check(
      'afterwards the pool has 0 connections in use and 0 waiters, no transaction is active, no leak was reported',
    )
    scenario.check(
      `resident memory of the service grows by at most ${mib(RSS_GROWTH_BOUND)} from the end of the warm-up (first ${WARM_UP_SHARE * 100} % of the run) to the end`,
    )

    service = await ServiceProcess.start({
      databasePath: db.path,
      token,
      env: { REDIS_URL: redis.url, DUCKKIT_CACHE_NAMESPACE: namespace },
    })
    const running = service
    const api = new ServiceApi(service.url, token, { maxSockets: clients })
    const probe = new ServiceApi(service.url, token, { maxSockets: 2 })
    const oracle = new FreshnessOracle()
    const nextSeq = new Map<string, number>()
    const own = (client: number) => `load_c${client}`
    for (let client = 0; client < clients; client += 1) {
      for (let priority = 1; priority <= PRIORITIES; priority += 1) {
        const key = `${own(client)}/${priority}`
        oracle.sent(key, 1)
        const response = await api.upsert(
          own(client),
          priority,
          taggedBody(own(client), 1, priority),
        )
        expect(response.status).toBe(200)
        oracle.acknowledged(key, 1, response.endedAt)
        nextSeq.set(key, 2)
      }
    }

    const errors: string[] = []
    const stale: string[] = []
    const reads = new LatencyRecorder()
    const writes = new LatencyRecorder()
    const pick = <T>(list: readonly T[]): T =>
      list[Math.floor(Math.random() * list.length)] as T

    const read = async (): Promise<HttpResponse> => {
      const seeded = pick(SEEDED)
      const client = Math.floor(Math.random() * clients)
      const priority = 1 + Math.floor(Math.random() * PRIORITIES)
      const route = Math.floor(Math.random() * 8)
      const path = [
        '/v1/model-configs',
        '/v1/usage-types',
        `/v1/model-configs/${seeded}/active`,
        `/v1/model-configs/${seeded}/fallback-chain`,
        `/v1/model-configs/${seeded}/validate?modelId=openrouter%2Fauto`,
        '/v1/providers/openrouter/models',
        `/v1/model-configs/${own(client)}`,
        `/v1/model-configs/${own(client)}/${priority}`,
      ][route] as string
      const response = await api.get(path)
      if (response.status === 200 && route >= 6) {
        const body = JSON.parse(response.body) as ModelConfig | ModelConfig[]
        for (const config of Array.isArray(body) ? body : [body]) {
          const tag = decodeConfig(config, config.priority)
          const violation =
            typeof tag === 'string'
              ? tag
              : oracle.violation(
                  `${config.usageType}/${config.priority}`,
                  tag.seq,
                  response.startedAt,
                )
          if (violation !== undefined) stale.push(violation)
        }
      }
      return response
    }
    const write = async (client: number): Promise<HttpResponse> => {
      const priority = 1 + Math.floor(Math.random() * PRIORITIES)
      const key = `${own(client)}/${priority}`
      const seq = nextSeq.get(key) ?? 1
      nextSeq.set(key, seq + 1)
      oracle.sent(key, seq)
      const response = await api.upsert(
        own(client),
        priority,
        taggedBody(own(client), seq, priority),
      )
      if (response.status === 200)
        oracle.acknowledged(key, seq, response.endedAt)
      return response
    }

    const memory = new Sampler(() => Promise.resolve(running.rssBytes()), 500)
    memory.start()
    const began = performance.now()
    const requests = await runClients({
      clients,
      durationMs,
      step: async (client) => {
        const isWrite = Math.random() < WRITE_RATIO
        let response: HttpResponse
        try {
          response = isWrite ? await write(client) : await read()
        } catch (error) {
          errors.push(String(error))
          return
        }
        ;(isWrite ? writes : reads).add(response.ms)
        if (response.status !== 200)
          errors.push(`${response.status} ${response.body.slice(0, 200)}`)
      },
    })
    const elapsed = performance.now() - began
    await memory.stop()

    // Everything is given back once the answers are in.
    let pool = await probe.poolStats()
    const settledMs = await waitUntil(
      'the pool has no connection in use and no waiter',
      async () => {
        pool = await probe.poolStats()
        return pool.inUse === 0 && pool.waiting === 0
      },
      5000,
    )
    const transactions = await probe.transactionStats()
    const warmEnd = began + elapsed * WARM_UP_SHARE
    const rssWarm = memory.at(warmEnd)?.value ?? 0
    const rssEnd = memory.samples.at(-1)?.value ?? 0
    const rssPeak = Math.max(...memory.samples.map((s) => s.value))
    const r = reads.summary()
    const w = writes.summary()

    scenario.figure('requests', requests)
    scenario.figure(
      'throughput (requests/s)',
      Math.round(requests / (elapsed / 1000)),
    )
    scenario.figure('errors (non-200 or no answer)', errors.length)
    scenario.figure('stale or torn reads', stale.length)
    scenario.figure(
      'reads (ms): p50 / p99 / max',
      `${r.p50} / ${r.p99} / ${r.max} (${r.count})`,
    )
    scenario.figure(
      'writes (ms): p50 / p99 / max',
      `${w.p50} / ${w.p99} / ${w.max} (${w.count})`,
    )
    scenario.figure(
      'pool afterwards: in use / waiting / size / max',
      `${pool.inUse} / ${pool.waiting} / ${pool.size} / ${pool.max} (settled in ${settledMs} ms)`,
    )
    scenario.figure(
      'pool acquire timeouts / leaks',
      `${pool.timeouts} / ${pool.leaks}`,
    )
    scenario.figure('transactions active afterwards', transactions.active)
    scenario.figure(
      'service RSS: after warm-up / end / peak',
      `${mib(rssWarm)} / ${mib(rssEnd)} / ${mib(rssPeak)}`,
    )
    scenario.figure('service RSS growth after warm-up', mib(rssEnd - rssWarm))

    expect(errors.slice(0, 20), `${errors.length} errors`).toEqual([])
    expect(stale.slice(0, 20), `${stale.length} stale reads`).toEqual([])
    expect(pool).toMatchObject({ inUse: 0, waiting: 0, timeouts: 0, leaks: 0 })
    expect(transactions.active).toBe(0)
    expect(rssEnd - rssWarm).toBeLessThanOrEqual(RSS_GROWTH_BOUND)
    expect(service.internalErrors()).toEqual([])
    probe.close()
    api.close()
    expect(await service.stop()).toEqual({ code: 0, signal: null })
  })
})
