import { createHash } from 'node:crypto'
import { createTempDatabase } from '@duckkit/test-utils'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { readStoredConfigs, storedFields } from '../src/database-snapshot.js'
import { type HttpResponse } from '../src/http-client.js'
import {
  type HostileRequest,
  hostileRequests,
} from '../src/hostile-requests.js'
import { LatencyRecorder } from '../src/latency.js'
import { problemViolation } from '../src/problem-check.js'
import { currentProfile } from '../src/profile.js'
import { sendRaw } from '../src/raw-http.js'
import { ServiceApi } from '../src/service-api.js'
import { ServiceProcess } from '../src/service-process.js'
import { recordScenario } from './scenario.js'

const profile = currentProfile()

/** Valid configurations with awkward content, stored before the fuzzing so the checksum covers them. */
const AWKWARD = [
  {
    modelId: "x'); DROP TABLE model_configs; --",
    modelName: 'Robert"); --',
    provider: 'sql',
  },
  {
    modelId: 'ünïcödé 😀 \u202e',
    modelName: '中文 العربية',
    provider: 'unicode',
  },
  {
    modelId: '<script>alert(1)</script>',
    modelName: '{{7*7}} ${7*7}',
    provider: 'web',
    parameters: { nested: { deep: [1, 'two', null] }, temperature: 0 },
  },
]

function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

describe('5. bad-input fuzzing', () => {
  const db = createTempDatabase('fuzz.duckdb')
  const token = 'fuzz-token-0123456789abcdef'
  let service: ServiceProcess | undefined
  afterAll(async () => {
    await service?.kill('SIGKILL')
    db.remove()
  })

  it('answers every generated malformed or hostile request with a 4xx problem and changes no data', async () => {
    const scenario = recordScenario(5, 'bad-input-fuzzing', 'Bad-input fuzzing')
    const { requests, concurrency } = profile.fuzz
    const seed = Date.now() % 2 ** 31
    scenario.check(
      `${requests} requests generated with fast-check (seed ${seed}), ${concurrency} in flight, each sent byte for byte over its own connection: invalid path parameters and queries, unknown routes and methods, writes without or with a wrong token, invalid bodies with the right token (schema and model-config rules, broken JSON, \`__proto__\` keys, nesting up to 100,000 levels, wrong media types, over the body limit), undecodable URLs, over-long parameters and headers, and requests the HTTP parser refuses`,
    )
    scenario.check(
      'every answer is a 4xx with an application/problem+json body (status, code, title, detail, requestId matching x-request-id, no stack trace); no 5xx, no hang, no dropped connection',
    )
    scenario.check(
      'the data is byte-for-byte the same afterwards (SHA-256 of GET /v1/model-configs, timestamps included, and of the database file read directly), no transaction committed, fault injection never switched on',
    )

    service = await ServiceProcess.start({
      databasePath: db.path,
      token,
      env: { DUCKKIT_CHAOS: '1' },
    })
    const api = new ServiceApi(service.url, token)
    for (const [index, body] of AWKWARD.entries()) {
      const response = await api.upsert('awkward', index + 1, body)
      expect(response.status, response.body).toBe(200)
    }
    const before = (await api.get('/v1/model-configs')).body
    const committedBefore = (await api.transactionStats()).committed

    const { hostname, port } = new URL(service.url)
    const generated = fc.sample(
      hostileRequests({ token, host: `${hostname}:${port}` }),
      { numRuns: requests, seed },
    )
    const failures: string[] = []
    const byCategory = new Map<string, number>()
    const byStatus = new Map<number, number>()
    const latency = new LatencyRecorder()
    const describeRequest = (request: HostileRequest) =>
      JSON.stringify(request.bytes.subarray(0, 300).toString('latin1'))
    let next = 0
    const worker = async () => {
      for (;;) {
        const request = generated[next]
        next += 1
        if (request === undefined) return
        byCategory.set(
          request.category,
          (byCategory.get(request.category) ?? 0) + 1,
        )
        let response: HttpResponse
        try {
          response = await sendRaw(hostname, Number(port), request.bytes, {
            head: request.head,
            timeoutMs: 10_000,
          })
        } catch (error) {
          failures.push(
            `${request.category}: ${String(error)} for ${describeRequest(request)}`,
          )
          continue
        }
        latency.add(response.ms)
        byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1)
        const problem =
          response.status < 400 || response.status > 499
            ? `status ${response.status}`
            : problemViolation(response, request.head ? 'HEAD' : 'GET')
        if (problem !== undefined)
          failures.push(
            `${request.category}: ${problem} (${response.status} ${String(response.headers['content-type'])} ${response.body.slice(0, 160)}) for ${describeRequest(request)}`,
          )
      }
    }
    await Promise.all(Array.from({ length: concurrency }, () => worker()))

    const after = (await api.get('/v1/model-configs')).body
    const committedAfter = (await api.transactionStats()).committed
    const chaos = JSON.parse(
      (
        await api.http.send({
          method: 'GET',
          path: '/admin/chaos',
          headers: api.auth,
        })
      ).body,
    ) as { enabled: boolean; injected: number; settings: unknown }
    const ready = await api.health('ready')
    api.close()
    const internal = service.internalErrors()
    expect(await service.stop()).toEqual({ code: 0, signal: null })
    const stored = (await readStoredConfigs(db.path)).map(storedFields)
    const answered = (
      JSON.parse(before) as Parameters<typeof storedFields>[0][]
    ).map(storedFields)
    const key = (c: { usageType: string; priority: number }) =>
      `${c.usageType}/${String(c.priority).padStart(4, '0')}`
    const sortByKey = <T extends { usageType: string; priority: number }>(
      list: T[],
    ) => list.sort((a, b) => (key(a) < key(b) ? -1 : 1))

    const s = latency.summary()
    scenario.figure('requests sent', generated.length)
    scenario.figure('fast-check seed', seed)
    scenario.figure(
      'requests by family',
      [...byCategory]
        .sort()
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    )
    scenario.figure(
      'answers by status',
      [...byStatus]
        .sort((a, b) => a[0] - b[0])
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
    )
    scenario.figure(
      'answers that were not a 4xx problem (or none)',
      failures.length,
    )
    scenario.figure('500s logged by the service', internal.length)
    scenario.figure(
      'latency (ms): p50 / p99 / max',
      `${s.p50} / ${s.p99} / ${s.max}`,
    )
    scenario.figure('data SHA-256 before', checksum(before).slice(0, 16))
    scenario.figure('data SHA-256 after', checksum(after).slice(0, 16))
    scenario.figure(
      'transactions committed during the fuzzing',
      committedAfter - committedBefore,
    )

    expect(failures.slice(0, 25), `${failures.length} bad answers`).toEqual([])
    expect(internal).toEqual([])
    expect(checksum(after)).toBe(checksum(before))
    expect(committedAfter).toBe(committedBefore)
    expect(chaos).toMatchObject({ enabled: false, injected: 0, settings: null })
    expect(ready).toMatchObject({ status: 'ok' })
    expect(sortByKey(stored)).toEqual(sortByKey(answered))
    expect(generated.length).toBeGreaterThanOrEqual(5000)
  })
})
