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
import { pause, runClients } from '../src/run-clients.js'
import { Sampler } from '../src/sampler.js'
import {
  type CacheStats,
  type Health,
  type ModelConfig,
  ServiceApi,
} from '../src/service-api.js'
import { ServiceProcess } from '../src/service-process.js'
import { decodeConfig, taggedBody } from '../src/tagged-config.js'
import { type ProxyMode, TcpProxy } from '../src/tcp-proxy.js'
import { recordScenario } from './scenario.js'

const redis = await requireRedis()
const profile = currentProfile()

/** Largest time any request may take, outage or not (stated in the report). */
const LATENCY_BOUND_MS = 1500
/** How long the cache may take to report itself healthy again after Redis came back. */
const RECOVERY_BOUND_MS = 8000
/** Share of requests that write. */
const WRITE_RATIO = 0.05
const PRIORITIES = 4

interface Phase {
  readonly name: string
  readonly mode: ProxyMode
  readonly ms: number
}

describe.skipIf(redis.skip)('2. Redis outage', () => {
  const db = createTempDatabase('outage.duckdb')
  const namespace = uniqueKeyPrefix('reliability-outage').slice(0, -1)
  const token = 'outage-token-0123456789abcdef'
  let service: ServiceProcess | undefined
  let proxy: TcpProxy | undefined
  afterAll(async () => {
    await service?.kill('SIGKILL')
    await proxy?.close()
    db.remove()
    await deleteNamespace(redis.url, namespace)
  })

  it('serves every request within the bound, never stale, while Redis goes away and comes back', async () => {
    const scenario = recordScenario(2, 'redis-outage', 'Redis outage')
    const { clients, beforeMs, outageMs, afterMs } = profile.outage
    const phases: Phase[] = [
      { name: 'before', mode: 'forward', ms: beforeMs },
      { name: 'outage (connections reset)', mode: 'reset', ms: outageMs },
      { name: 'after the reset outage', mode: 'forward', ms: afterMs },
      { name: 'outage (network stalled)', mode: 'blackhole', ms: outageMs },
      { name: 'after the stall', mode: 'forward', ms: afterMs },
    ]
    scenario.check(
      `${clients} clients, ${100 - WRITE_RATIO * 100} % reads (one configuration, a chain, the active model) / ${WRITE_RATIO * 100} % writes (each client upserts its own ${PRIORITIES} keys), through a TCP proxy in front of Redis: ${phases.map((p) => `${p.name} ${p.ms / 1000} s`).join(', ')}`,
    )
    scenario.check(
      `every request answers 2xx, none takes longer than ${LATENCY_BOUND_MS} ms`,
    )
    scenario.check(
      'no read shows a value older than a write acknowledged (to any client) before the read began',
    )
    scenario.check(
      `/health/cache reports degraded during each outage and ok again within ${RECOVERY_BOUND_MS} ms after Redis is back; the hit rate (hits over all reads, those that bypassed the cache included) after recovery is at least 80 % of the one before the outage`,
    )

    proxy = await TcpProxy.start(redis.host, redis.port)
    const dbIndex = new URL(redis.url).pathname.replace('/', '')
    service = await ServiceProcess.start({
      databasePath: db.path,
      token,
      env: {
        REDIS_URL: `redis://127.0.0.1:${proxy.port}/${dbIndex}`,
        DUCKKIT_CACHE_NAMESPACE: namespace,
      },
    })
    const api = new ServiceApi(service.url, token, { maxSockets: clients })
    const probe = new ServiceApi(service.url, token, { maxSockets: 2 })
    const oracle = new FreshnessOracle()
    const nextSeq = new Map<string, number>()
    const usageType = (client: number) => `outage_c${client}`

    // Every client's keys exist before the load starts.
    for (let client = 0; client < clients; client += 1) {
      for (let priority = 1; priority <= PRIORITIES; priority += 1) {
        const key = `${usageType(client)}/${priority}`
        oracle.sent(key, 1)
        const response = await api.upsert(
          usageType(client),
          priority,
          taggedBody(usageType(client), 1, priority),
        )
        expect(response.status).toBe(200)
        oracle.acknowledged(key, 1, response.endedAt)
        nextSeq.set(key, 2)
      }
    }
    expect(await probe.health('cache')).toMatchObject({ status: 'ok' })

    const failures: string[] = []
    const stale: string[] = []
    const latency = new LatencyRecorder()
    const phaseLatency = phases.map(() => new LatencyRecorder())
    let phaseIndex = 0
    let writes = 0
    let reads = 0

    const checkRead = (
      response: HttpResponse,
      configs: readonly ModelConfig[],
    ) => {
      for (const config of configs) {
        const tag = decodeConfig(config, config.priority)
        if (typeof tag === 'string') {
          stale.push(tag)
          continue
        }
        const violation = oracle.violation(
          `${config.usageType}/${config.priority}`,
          tag.seq,
          response.startedAt,
        )
        if (violation !== undefined) stale.push(violation)
      }
    }

    const step = async (client: number): Promise<void> => {
      let response: HttpResponse
      const phase = phaseIndex
      try {
        if (Math.random() < WRITE_RATIO) {
          const priority = 1 + Math.floor(Math.random() * PRIORITIES)
          const key = `${usageType(client)}/${priority}`
          const seq = nextSeq.get(key) ?? 1
          nextSeq.set(key, seq + 1)
          oracle.sent(key, seq)
          response = await api.upsert(
            usageType(client),
            priority,
            taggedBody(usageType(client), seq, priority),
          )
          writes += 1
          if (response.status === 200)
            oracle.acknowledged(key, seq, response.endedAt)
        } else {
          const owner = usageType(Math.floor(Math.random() * clients))
          const priority = 1 + Math.floor(Math.random() * PRIORITIES)
          const route = Math.random()
          const path =
            route < 0.5
              ? `/v1/model-configs/${owner}/${priority}`
              : route < 0.8
                ? `/v1/model-configs/${owner}`
                : `/v1/model-configs/${owner}/active`
          response = await api.get(path)
          reads += 1
          if (response.status === 200) {
            const body = JSON.parse(response.body) as
              ModelConfig | ModelConfig[]
            checkRead(response, Array.isArray(body) ? body : [body])
          }
        }
      } catch (error) {
        failures.push(`phase ${phases[phase]?.name}: ${String(error)}`)
        return
      }
      latency.add(response.ms)
      phaseLatency[phase]?.add(response.ms)
      if (response.status !== 200)
        failures.push(
          `phase ${phases[phase]?.name}: ${response.status} ${response.body.slice(0, 200)}`,
        )
    }

    const cache = new Sampler<CacheStats>(() => probe.cacheStats(), 200)
    const health = new Sampler<Health>(() => probe.health('cache'), 100)
    cache.start()
    health.start()
    const boundaries: number[] = []
    let done = false
    const director = (async () => {
      for (const [index, phase] of phases.entries()) {
        phaseIndex = index
        proxy.setMode(phase.mode)
        boundaries.push(performance.now())
        await pause(phase.ms)
      }
      boundaries.push(performance.now())
      done = true
    })()
    await runClients({
      clients,
      durationMs: phases.reduce((sum, phase) => sum + phase.ms, 0) + 5000,
      stop: () => done,
      step,
    })
    await director
    await cache.stop()
    await health.stop()
    api.close()

    // Per phase: was the outage seen, and how long until the cache was healthy again.
    const degradedIn = (from: number, to: number) =>
      health.samples.some(
        (s) => s.at >= from && s.at < to && s.value.status !== 'ok',
      )
    const recoveryMs = (from: number, to: number): number | undefined => {
      let lastBad = from
      for (const s of health.samples) {
        if (s.at < from || s.at >= to) continue
        if (s.value.status !== 'ok') lastBad = s.at
      }
      const firstOk = health.samples.find(
        (s) => s.at > lastBad && s.at < to && s.value.status === 'ok',
      )
      return firstOk === undefined ? undefined : firstOk.at - from
    }
    const hitRate = (from: number, to: number): number => {
      const a = cache.at(from)?.value
      const b = cache.at(to)?.value
      if (a === undefined || b === undefined) return Number.NaN
      // Reads that bypassed the cache count as misses: they went to the database.
      const hits = b.hits - a.hits
      const reads = hits + b.misses - a.misses + b.bypassed - a.bypassed
      return reads === 0 ? Number.NaN : hits / reads
    }
    const at = (i: number) => boundaries[i] ?? 0
    const before = hitRate(at(0) + 1000, at(1))
    const recoveries = [2, 4].map((i) => recoveryMs(at(i), at(i + 1)))
    const afterRates = [2, 4].map((i, n) => {
      const healthy = at(i) + (recoveries[n] ?? afterMs)
      return hitRate(Math.max(healthy, (at(i) + at(i + 1)) / 2), at(i + 1))
    })
    const outageRates = [1, 3].map((i) => hitRate(at(i), at(i + 1)))

    const overall = latency.summary()
    scenario.figure('requests (reads / writes)', `${reads} / ${writes}`)
    scenario.figure('failed requests', failures.length)
    scenario.figure('stale or torn reads', stale.length)
    scenario.figure(
      'latency all phases (ms): p50 / p99 / max',
      `${overall.p50} / ${overall.p99} / ${overall.max}`,
    )
    for (const [index, phase] of phases.entries()) {
      const s = phaseLatency[index]?.summary()
      if (s !== undefined)
        scenario.figure(
          `latency ${phase.name} (ms): p50 / p99 / max`,
          `${s.p50} / ${s.p99} / ${s.max}`,
        )
    }
    const pct = (rate: number) =>
      Number.isNaN(rate) ? 'n/a' : `${(rate * 100).toFixed(1)} %`
    scenario.figure('cache hit rate before', pct(before))
    scenario.figure(
      'cache hit rate during the outages (reset / stall)',
      outageRates.map(pct).join(' / '),
    )
    scenario.figure(
      'cache hit rate after recovery (reset / stall)',
      afterRates.map(pct).join(' / '),
    )
    scenario.figure(
      'time to /health/cache ok after Redis returned (reset / stall, ms)',
      recoveries
        .map((ms) => (ms === undefined ? 'never' : Math.round(ms)))
        .join(' / '),
    )
    scenario.figure(
      'proxy connections accepted / reset',
      `${proxy.stats().accepted} / ${proxy.stats().reset}`,
    )

    expect(failures.slice(0, 20), `${failures.length} failed requests`).toEqual(
      [],
    )
    expect(stale.slice(0, 20), `${stale.length} stale reads`).toEqual([])
    expect(overall.max).toBeLessThanOrEqual(LATENCY_BOUND_MS)
    expect(degradedIn(at(1), at(2)), 'degraded during the reset outage').toBe(
      true,
    )
    expect(degradedIn(at(3), at(4)), 'degraded during the stall').toBe(true)
    for (const ms of recoveries) {
      expect(ms).toBeDefined()
      expect(ms).toBeLessThanOrEqual(RECOVERY_BOUND_MS)
    }
    for (const rate of afterRates)
      expect(rate).toBeGreaterThanOrEqual(before * 0.8)
    expect(await probe.health('cache')).toMatchObject({ status: 'ok' })
    expect(service.internalErrors()).toEqual([])
    probe.close()
    expect(await service.stop()).toEqual({ code: 0, signal: null })
  })
})
