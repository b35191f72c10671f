import { createTempDatabase } from '@duckkit/test-utils'
import { afterAll, describe, expect, it } from 'vitest'
import { type HttpResponse } from '../src/http-client.js'
import { LatencyRecorder } from '../src/latency.js'
import { problemCode, problemViolation } from '../src/problem-check.js'
import { currentProfile } from '../src/profile.js'
import { waitUntil } from '../src/run-clients.js'
import { Sampler } from '../src/sampler.js'
import {
  type ModelConfig,
  type PoolStats,
  ServiceApi,
} from '../src/service-api.js'
import { ServiceProcess } from '../src/service-process.js'
import { decodeConfig, taggedBody } from '../src/tagged-config.js'
import { recordScenario } from './scenario.js'

const profile = currentProfile()

const POOL_MAX = 2
const ACQUIRE_TIMEOUT_MS = 500
/** Latency injected before every pool acquire and every statement, so a write holds its connection for seconds. */
const LATENCY_MS = 1000
/** Slack on top of the bounds, for a busy machine. */
const SLACK_MS = 1000
/** How long the database breaker stays open before a probe (set on the service). */
const BREAKER_RESET_MS = 2000

describe('6. pool exhaustion', () => {
  const db = createTempDatabase('exhaustion.duckdb')
  const token = 'pool-token-0123456789abcdef'
  let service: ServiceProcess | undefined
  afterAll(async () => {
    await service?.kill('SIGKILL')
    db.remove()
  })

  it('answers the excess over the pool with 503 and Retry-After within the acquire timeout, never hangs, and recovers', async () => {
    const scenario = recordScenario(6, 'pool-exhaustion', 'Pool exhaustion')
    const { rounds } = profile.exhaustion
    const concurrency = POOL_MAX * 5
    scenario.check(
      `pool of ${POOL_MAX} connections (DUCKKIT_POOL_MAX), acquire timeout ${ACQUIRE_TIMEOUT_MS} ms (DUCKKIT_POOL_ACQUIRE_TIMEOUT_MS); fault injection adds ${LATENCY_MS} ms before every acquire and every statement, so each write holds its connection for several seconds`,
    )
    scenario.check(
      `${rounds} rounds of ${concurrency} concurrent writes to distinct configurations: exactly ${POOL_MAX} succeed, the other ${concurrency - POOL_MAX} get 503 E_POOL_EXHAUSTED (problem+json, Retry-After) after waiting the acquire timeout, at most ${LATENCY_MS} + ${ACQUIRE_TIMEOUT_MS} + ${SLACK_MS} ms after they were sent; a refused write is not applied, an accepted one is`,
    )
    scenario.check(
      `nothing hangs: every request is answered, and the pool is back to 0 in use and 0 waiting; the pool never holds more than ${POOL_MAX} connections; the database breaker (which counts pool timeouts as failures) is closed within its reset timeout (${BREAKER_RESET_MS} ms) + ${SLACK_MS} ms; then, with the latency off, ${concurrency} concurrent writes all succeed and /health/database is ok`,
    )

    service = await ServiceProcess.start({
      databasePath: db.path,
      token,
      env: {
        DUCKKIT_CHAOS: '1',
        DUCKKIT_POOL_MAX: String(POOL_MAX),
        DUCKKIT_POOL_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
        DUCKKIT_BREAKER_RESET_TIMEOUT_MS: String(BREAKER_RESET_MS),
      },
    })
    const api = new ServiceApi(service.url, token, {
      maxSockets: concurrency,
      timeoutMs: 60_000,
    })
    const probe = new ServiceApi(service.url, token, { maxSockets: 2 })
    const pool = new Sampler<PoolStats>(() => probe.poolStats(), 50)
    pool.start()

    const refusedMs = new LatencyRecorder()
    const acceptedMs = new LatencyRecorder()
    const recoveryMs = new LatencyRecorder()
    const bad: string[] = []
    const settleTimes: number[] = []
    const breakerClosedMs: number[] = []
    let breakerOpened = 0
    let accepted = 0
    let refused = 0
    let seq = 0

    const burst = (round: number) =>
      Promise.all(
        Array.from({ length: concurrency }, (_, i) =>
          api.upsert(`pool_w${i}`, 1, taggedBody(`pool_w${i}`, round, 1)),
        ),
      )
    const breakerOpenings = async (): Promise<number> => {
      const stats = await probe.http.getJson<{
        breakers: Record<string, { transitions: { open: number } }>
      }>('/stats/resilience')
      return stats.breakers.duckdb?.transitions.open ?? 0
    }
    const storedSeq = async (i: number): Promise<number | undefined> => {
      const chain = await probe.http.getJson<ModelConfig[]>(
        `/v1/model-configs/pool_w${i}`,
      )
      const config = chain[0]
      if (config === undefined) return undefined
      const tag = decodeConfig(config, 1)
      return typeof tag === 'string' ? undefined : tag.seq
    }

    try {
      for (let round = 0; round < rounds; round += 1) {
        seq += 1
        const previous = await Promise.all(
          Array.from({ length: concurrency }, (_, i) => storedSeq(i)),
        )
        const openingsBefore = await breakerOpenings()
        await probe.enableChaos({
          rate: 1,
          kinds: ['latency'],
          latencyMs: LATENCY_MS,
          durationMs: 600_000,
        })
        const answers: HttpResponse[] = await burst(seq)
        await probe.disableChaos()
        settleTimes.push(
          await waitUntil(
            'the pool has no connection in use and no waiter',
            () => {
              const last = pool.samples.at(-1)?.value
              return (
                last !== undefined && last.inUse === 0 && last.waiting === 0
              )
            },
            LATENCY_MS * 4 + 2000,
          ),
        )
        const stored = await Promise.all(
          Array.from({ length: concurrency }, (_, i) => storedSeq(i)),
        )
        let roundAccepted = 0
        for (const [i, response] of answers.entries()) {
          if (response.status === 200) {
            roundAccepted += 1
            acceptedMs.add(response.ms)
            if (stored[i] !== seq)
              bad.push(
                `round ${round}: pool_w${i} was acknowledged but holds #${String(stored[i])}`,
              )
            continue
          }
          refusedMs.add(response.ms)
          const problem =
            response.status !== 503 ||
            problemCode(response) !== 'E_POOL_EXHAUSTED'
              ? `${response.status} ${response.body.slice(0, 160)}`
              : problemViolation(response, 'PUT')
          if (problem !== undefined) bad.push(`round ${round}: ${problem}`)
          if (stored[i] !== previous[i])
            bad.push(
              `round ${round}: pool_w${i} was refused but holds #${String(stored[i])}`,
            )
        }
        accepted += roundAccepted
        refused += concurrency - roundAccepted
        if (roundAccepted !== POOL_MAX)
          bad.push(
            `round ${round}: ${roundAccepted} writes succeeded, not ${POOL_MAX}`,
          )

        // Pool timeouts count as database failures, so the burst may have
        // opened the breaker: writes resume once it closed again.
        if ((await breakerOpenings()) > openingsBefore) breakerOpened += 1
        breakerClosedMs.push(
          await waitUntil(
            'the database breaker closes',
            async () =>
              (await probe.health('database')).breaker?.state === 'closed',
            BREAKER_RESET_MS + SLACK_MS,
          ),
        )

        // Without the latency, the same burst goes through entirely.
        seq += 1
        const again = await burst(seq)
        for (const response of again) {
          recoveryMs.add(response.ms)
          if (response.status !== 200)
            bad.push(
              `round ${round}, after: ${response.status} ${response.body.slice(0, 160)}`,
            )
        }
      }
    } finally {
      await pool.stop()
    }
    const health = await probe.health('database')
    const last = await probe.poolStats()
    scenario.figure(
      '/health/database afterwards',
      `${health.status}${health.reasons.length > 0 ? ` (${health.reasons.join('; ')})` : ''}`,
    )
    probe.close()
    api.close()

    const maxInUse = Math.max(...pool.samples.map((s) => s.value.inUse))
    const maxWaiting = Math.max(...pool.samples.map((s) => s.value.waiting))
    const maxSize = Math.max(...pool.samples.map((s) => s.value.size))
    const r = refusedMs.summary()
    const a = acceptedMs.summary()
    const after = recoveryMs.summary()
    scenario.figure('rounds × concurrent writes', `${rounds} × ${concurrency}`)
    scenario.figure(
      'accepted (200) / refused (503 E_POOL_EXHAUSTED)',
      `${accepted} / ${refused}`,
    )
    scenario.figure(
      'refused: time to the 503 (ms) min / p50 / max',
      `${r.min} / ${r.p50} / ${r.max}`,
    )
    scenario.figure(
      'accepted: time to the 200 (ms) p50 / max',
      `${a.p50} / ${a.max}`,
    )
    scenario.figure(
      'pool seen: most in use / most waiting / largest size',
      `${maxInUse} / ${maxWaiting} / ${maxSize}`,
    )
    scenario.figure(
      'pool back to 0 in use, 0 waiting after (ms)',
      settleTimes.join(', '),
    )
    scenario.figure('acquire timeouts counted by the pool', last.timeouts)
    scenario.figure(
      'rounds after which the database breaker was open (opened by pool timeouts alone)',
      `${breakerOpened} of ${rounds}`,
    )
    scenario.figure(
      'breaker closed again after (ms)',
      breakerClosedMs.join(', '),
    )
    scenario.figure(
      'latency off: time to the 200 (ms) p50 / max',
      `${after.p50} / ${after.max}`,
    )
    scenario.figure('wrong answers or writes', bad.length)

    expect(bad.slice(0, 20)).toEqual([])
    expect(refused).toBe(rounds * (concurrency - POOL_MAX))
    expect(r.max).toBeLessThanOrEqual(
      LATENCY_MS + ACQUIRE_TIMEOUT_MS + SLACK_MS,
    )
    expect(r.min).toBeGreaterThanOrEqual(ACQUIRE_TIMEOUT_MS)
    expect(maxInUse).toBeLessThanOrEqual(POOL_MAX)
    expect(maxSize).toBeLessThanOrEqual(POOL_MAX)
    expect(maxWaiting).toBeGreaterThan(0)
    expect(last).toMatchObject({ inUse: 0, waiting: 0, leaks: 0 })
    expect(last.timeouts).toBeGreaterThanOrEqual(refused)
    // The pool reports degraded for a minute after an acquire timeout, by design.
    expect(health).toMatchObject({ breaker: { state: 'closed' } })
    expect(health.status).not.toBe('down')
    for (const reason of health.reasons)
      expect(reason).toMatch(/acquire timed out/)
    expect(service.internalErrors()).toEqual([])
    expect(await service.stop()).toEqual({ code: 0, signal: null })
  })
})
