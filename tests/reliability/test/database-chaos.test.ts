import { createTempDatabase } from '@duckkit/test-utils'
import { afterAll, describe, expect, it } from 'vitest'
import { checkConfigs, type WriteLayout } from '../src/check-configs.js'
import { readStoredConfigs, storedFields } from '../src/database-snapshot.js'
import { type HttpResponse } from '../src/http-client.js'
import { LatencyRecorder } from '../src/latency.js'
import { problemCode, problemViolation } from '../src/problem-check.js'
import { currentProfile } from '../src/profile.js'
import { pause, runClients, waitUntil } from '../src/run-clients.js'
import { Sampler } from '../src/sampler.js'
import {
  type ChaosSettings,
  type Health,
  type ModelConfig,
  ServiceApi,
} from '../src/service-api.js'
import { ServiceProcess } from '../src/service-process.js'
import { TaggedWriter } from '../src/tagged-writer.js'
import { type WriteOutcome, WriteLog } from '../src/write-log.js'
import { recordScenario } from './scenario.js'

const profile = currentProfile()

/** How long the breaker stays open before a probe (set on the service). */
const BREAKER_RESET_MS = 2000
/** Rate 0.3 over three kinds: 20 % of database operations fail with a transient error, 10 % get latency. */
const CHAOS: Omit<ChaosSettings, 'durationMs'> = {
  rate: 0.3,
  kinds: ['io', 'timeout', 'latency'],
  latencyMs: [10, 100],
}
/** A database outage: every operation fails with a transient error. */
const STORM: Omit<ChaosSettings, 'durationMs'> = {
  rate: 1,
  kinds: ['io', 'timeout'],
}
const STORM_MS = 1500
/** Writes in a row that must succeed once the breaker closed again. */
const RECOVERED_WRITES = 20

type Phase = 'baseline' | 'chaos 20 %' | 'storm 100 %' | 'recovery'

describe('3. database chaos', () => {
  const db = createTempDatabase('chaos.duckdb')
  const token = 'chaos-token-0123456789abcdef'
  let service: ServiceProcess | undefined
  afterAll(async () => {
    await service?.kill('SIGKILL')
    db.remove()
  })

  it('answers 2xx or 503 with Retry-After under transient faults, opens and closes the breaker, and applies every write entirely or not at all', async () => {
    const scenario = recordScenario(3, 'database-chaos', 'Database chaos')
    const { clients, chaosMs, recoveryMs } = profile.chaos
    scenario.check(
      `${clients} clients, each the single writer of its own usage type (half upsert one of 4 configurations, half replace a whole chain of 1 to 5 entries) half of the time and a reader of any chain the other half`,
    )
    scenario.check(
      `phases: 1 s baseline; ${chaosMs / 1000} s of fault injection (POST /admin/chaos) at rate ${CHAOS.rate} over ${CHAOS.kinds.join(', ')} (20 % of database operations fail with a transient error, 10 % get 10 to 100 ms of latency); ${STORM_MS / 1000} s of a storm (every operation fails: io, timeout); then chaos off`,
    )
    scenario.check(
      'every answer in every phase is 2xx or 503 (application/problem+json with Retry-After); never 500 nor any other status',
    )
    scenario.check(
      `the database breaker opens (by the storm at the latest) and is closed again within ${BREAKER_RESET_MS} ms (its reset timeout) + 3 s after chaos stops, with ${RECOVERED_WRITES} writes in a row succeeding`,
    )
    scenario.check(
      'every chain a reader sees is one write entirely; at the end the API and the database file hold, per key, the last acknowledged write or a later unacknowledged one, never a refused (E_CIRCUIT_OPEN) one, with no torn row or partial chain',
    )

    service = await ServiceProcess.start({
      databasePath: db.path,
      token,
      env: {
        DUCKKIT_CHAOS: '1',
        DUCKKIT_BREAKER_RESET_TIMEOUT_MS: String(BREAKER_RESET_MS),
      },
    })
    const api = new ServiceApi(service.url, token, { maxSockets: clients })
    const probe = new ServiceApi(service.url, token, { maxSockets: 2 })
    const log = new WriteLog()
    const half = Math.ceil(clients / 2)
    const layout: WriteLayout = {
      upsertTypes: Array.from({ length: half }, (_, i) => `chaos_u${i}`),
      chainTypes: Array.from(
        { length: clients - half },
        (_, i) => `chaos_c${i}`,
      ),
    }
    const allTypes = [...layout.upsertTypes, ...layout.chainTypes]
    const writers = allTypes.map(
      (usageType) =>
        new TaggedWriter({
          usageType,
          kind: layout.chainTypes.includes(usageType) ? 'chain' : 'upsert',
          api,
          log,
          priorities: 4,
        }),
    )

    let phase: Phase = 'baseline'
    const statuses = new Map<string, number>()
    const writeTotals = new Map<Phase, { ok: number; all: number }>()
    const violations: string[] = []
    const halfWritten: string[] = []
    const latency = new LatencyRecorder()
    let consecutiveOk = 0

    const count = (label: string) =>
      statuses.set(label, (statuses.get(label) ?? 0) + 1)
    const judge = (response: HttpResponse, method: string): void => {
      latency.add(response.ms)
      if (response.status >= 200 && response.status < 300) {
        count(`${method} ${response.status}`)
        return
      }
      count(`${method} ${response.status} ${problemCode(response) ?? '?'}`)
      if (response.status !== 503) {
        violations.push(
          `${phase}, ${method}: ${response.status} ${response.body.slice(0, 200)}`,
        )
        return
      }
      const problem = problemViolation(response, method)
      if (problem !== undefined)
        violations.push(`${phase}, ${method}: ${problem}`)
    }
    const outcomeOf = (response: HttpResponse): WriteOutcome => {
      judge(response, 'PUT')
      const totals = writeTotals.get(phase) ?? { ok: 0, all: 0 }
      totals.all += 1
      if (response.status === 200) totals.ok += 1
      writeTotals.set(phase, totals)
      if (response.status === 200) return 'acknowledged'
      return problemCode(response) === 'E_CIRCUIT_OPEN'
        ? 'refused'
        : 'indeterminate'
    }

    const step = async (client: number): Promise<void> => {
      if (Math.random() < 0.5) {
        const writer = writers[client]
        if (writer === undefined) return
        const attempt = await writer.writeNext(outcomeOf)
        if (attempt.response === undefined) {
          violations.push(`${attempt.key}: ${String(attempt.error)}`)
          return
        }
        consecutiveOk =
          attempt.outcome === 'acknowledged' && phase === 'recovery'
            ? consecutiveOk + 1
            : 0
        return
      }
      const usageType =
        layout.chainTypes[Math.floor(Math.random() * layout.chainTypes.length)]
      if (usageType === undefined) return
      const response = await api.get(`/v1/model-configs/${usageType}`)
      judge(response, 'GET')
      if (response.status !== 200) return
      // Only the shape is checked here: one write, all of its entries.
      const chain = JSON.parse(response.body) as ModelConfig[]
      const shape = checkConfigs(chain, new WriteLog(), {
        upsertTypes: [],
        chainTypes: [usageType],
      }).violations.filter((v) => !v.includes('never written'))
      halfWritten.push(...shape)
    }

    const breaker = new Sampler<Health>(() => probe.health('database'), 100)
    breaker.start()
    let stop = false
    const load = runClients({
      clients,
      durationMs: chaosMs + STORM_MS + recoveryMs + 60_000,
      stop: () => stop,
      step,
    })
    const marks: Partial<Record<Phase, number>> = {}
    const enter = (next: Phase) => {
      phase = next
      marks[next] = performance.now()
    }
    let injected = { injected: 0, checks: 0 }
    let closedAfterMs: number | undefined
    try {
      enter('baseline')
      await pause(1000)
      enter('chaos 20 %')
      await probe.enableChaos({ ...CHAOS, durationMs: 600_000 })
      await pause(chaosMs)
      enter('storm 100 %')
      await probe.enableChaos({ ...STORM, durationMs: 600_000 })
      await pause(STORM_MS)
      injected = await probe.disableChaos()
      enter('recovery')
      closedAfterMs = await waitUntil(
        'the breaker closes and writes succeed',
        () =>
          breaker.samples.at(-1)?.value.breaker?.state === 'closed' &&
          consecutiveOk >= RECOVERED_WRITES,
        recoveryMs,
      )
    } finally {
      stop = true
      await load
      await breaker.stop()
    }
    const statesIn = (from: number, to: number) =>
      breaker.samples
        .filter((s) => s.at >= from && s.at < to)
        .map((s) => s.value.breaker?.state ?? '?')
    const chaosStates = statesIn(
      marks['chaos 20 %'] ?? 0,
      marks['storm 100 %'] ?? 0,
    )
    const stormStates = statesIn(
      marks['storm 100 %'] ?? 0,
      (marks.recovery ?? 0) + 100,
    )
    const transitions = breaker.samples
      .map((s) => s.value.breaker?.state ?? '?')
      .filter((state, i, all) => i === 0 || all[i - 1] !== state)

    // The final state, through the API and straight from the file.
    const answered = await probe.all()
    const final = checkConfigs(answered, log, layout)
    probe.close()
    api.close()
    expect(await service.stop()).toEqual({ code: 0, signal: null })
    const stored = await readStoredConfigs(db.path)
    const fromFile = checkConfigs(stored, log, layout)
    const sorted = (
      list: readonly ModelConfig[] | readonly (typeof stored)[number][],
    ) =>
      list
        .map(storedFields)
        .sort((a, b) =>
          `${a.usageType}/${a.priority}` < `${b.usageType}/${b.priority}`
            ? -1
            : 1,
        )

    const s = latency.summary()
    const writeRate = (p: Phase) => {
      const t = writeTotals.get(p)
      return t === undefined
        ? 'n/a'
        : `${t.ok} of ${t.all} (${((t.ok / t.all) * 100).toFixed(0)} %)`
    }
    scenario.figure(
      'answers by method and status',
      [...statuses]
        .sort()
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
    )
    scenario.figure(
      'faults injected / database operations checked',
      `${injected.injected} / ${injected.checks}`,
    )
    for (const p of [
      'baseline',
      'chaos 20 %',
      'storm 100 %',
      'recovery',
    ] as const)
      scenario.figure(`writes acknowledged, ${p}`, writeRate(p))
    scenario.figure('breaker states seen (in order)', transitions.join(' → '))
    scenario.figure(
      'breaker opened during the 20 % phase',
      chaosStates.includes('open'),
    )
    scenario.figure(
      'breaker closed and writes flowing after chaos stopped (ms)',
      closedAfterMs,
    )
    scenario.figure(
      'latency (ms): p50 / p99 / max',
      `${s.p50} / ${s.p99} / ${s.max}`,
    )
    scenario.figure('500s, other statuses or malformed 503s', violations.length)
    scenario.figure('half-written chains seen by readers', halfWritten.length)
    scenario.figure(
      'write-log violations at the end (API / file)',
      `${final.violations.length} / ${fromFile.violations.length}`,
    )

    expect(violations.slice(0, 20), `${violations.length} bad answers`).toEqual(
      [],
    )
    expect(service.internalErrors()).toEqual([])
    expect(injected.injected).toBeGreaterThan(0)
    expect(
      [...chaosStates, ...stormStates].includes('open'),
      'the breaker opened',
    ).toBe(true)
    expect(closedAfterMs).toBeLessThanOrEqual(BREAKER_RESET_MS + 3000)
    expect(halfWritten.slice(0, 20)).toEqual([])
    expect(final.violations.slice(0, 20)).toEqual([])
    expect(fromFile.violations.slice(0, 20)).toEqual([])
    expect(sorted(stored)).toEqual(sorted(answered))
  })
})
