import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUTH, startTestApp, type TestApp } from './helpers.js'
import { parsePrometheusText } from './prometheus-text.js'

const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((path) =>
  existsSync(path),
)

describe('/metrics', () => {
  let t: TestApp
  let text: string
  beforeAll(async () => {
    t = await startTestApp()
    for (let i = 0; i < 3; i += 1) {
      await t.app.inject({
        method: 'GET',
        url: '/v1/model-configs/chat_deep/active',
      })
    }
    await t.app.inject({
      method: 'GET',
      url: '/v1/model-configs/nothing/active',
    })
    await t.app.inject({
      method: 'PUT',
      url: '/v1/model-configs/chat_deep/2',
      headers: AUTH,
      payload: { modelId: 'm', modelName: 'M', provider: 'p' },
    })
    const response = await t.app.inject({ method: 'GET', url: '/metrics' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(
      /^text\/plain; version=0\.0\.4/,
    )
    text = response.body
  })
  afterAll(() => t.close())

  it('is valid text exposition format', () => {
    expect(() => parsePrometheusText(text)).not.toThrow()
  })

  it('the parser catches malformed expositions', () => {
    const bad = [
      'duckkit_x_total 1\n',
      '# HELP a_total x\n# TYPE a_total gauge\na_total 1\n',
      '# HELP a x\n# TYPE a counter\na 1\n',
      '# HELP a x\n# TYPE a gauge\na{l="1",l="2"} 1\n',
      '# HELP a x\n# TYPE a gauge\na one\n',
      '# HELP a x\n# TYPE a gauge\na 0x10\n',
      '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      '# HELP a x\n# TYPE a gauge\na 1',
    ]
    for (const sample of bad)
      expect(() => parsePrometheusText(sample), sample).toThrow()
    const special = parsePrometheusText(
      '# HELP a x\n# TYPE a gauge\na{k="1"} Nan\na{k="2"} +Inf\na{k="3"} -1.5e-3\n',
    )
    expect(special.get('a')?.samples.map((sample) => sample.value)).toEqual([
      NaN,
      Infinity,
      -0.0015,
    ])
  })

  it('holds the pool, transaction, cache, breaker and HTTP metrics', () => {
    const families = parsePrometheusText(text)
    const value = (name: string, labels: Record<string, string> = {}) =>
      families
        .get(name.replace(/_(count|sum|bucket)$/, ''))
        ?.samples.find(
          (sample) =>
            sample.name === name &&
            Object.entries(labels).every(([k, v]) => sample.labels[k] === v),
        )?.value
    for (const name of [
      'duckkit_pool_connections',
      'duckkit_pool_waiting',
      'duckkit_pool_acquire_wait_p99_seconds',
      'duckkit_pool_acquire_timeouts_total',
      'duckkit_pool_leaks_total',
      'duckkit_tx_rollbacks_total',
      'duckkit_tx_retries_total',
      'duckkit_tx_conflicts_total',
      'duckkit_tx_replays_total',
      'duckkit_cache_invalidations_total',
      'duckkit_cache_bus_gaps_total',
      'duckkit_breaker_state',
      'duckkit_breaker_transitions_total',
      'process_cpu_seconds_total',
    ]) {
      expect(families.has(name), name).toBe(true)
    }
    expect(
      value('duckkit_pool_connections', { state: 'idle' }),
    ).toBeGreaterThanOrEqual(1)
    expect(value('duckkit_pool_acquires_total')).toBeGreaterThan(0)
    expect(value('duckkit_tx_commits_total')).toBeGreaterThan(0)
    expect(families.get('duckkit_tx_duration_seconds')?.type).toBe('histogram')
    expect(
      value('duckkit_tx_duration_seconds_count', { outcome: 'commit' }),
    ).toBeGreaterThan(0)
    expect(value('duckkit_cache_hits_total', { tier: 'l1' })).toBeGreaterThan(0)
    expect(value('duckkit_cache_misses_total', { tier: 'l1' })).toBeGreaterThan(
      0,
    )
    expect(
      value('duckkit_cache_invalidations_total', { kind: 'table' }),
    ).toBeGreaterThan(0)
    expect(
      value('duckkit_breaker_state', { breaker: 'duckdb', state: 'closed' }),
    ).toBe(1)
    expect(
      value('duckkit_breaker_state', { breaker: 'duckdb', state: 'open' }),
    ).toBe(0)
    const http = families.get('duckkit_http_request_duration_seconds')
    expect(http?.type).toBe('histogram')
    const count = (route: string, status: string) =>
      value('duckkit_http_request_duration_seconds_count', {
        route,
        status_code: status,
        method: 'GET',
      })
    expect(count('/v1/model-configs/:usageType/active', '200')).toBe(3)
    expect(count('/v1/model-configs/:usageType/active', '404')).toBe(1)
    expect(
      value('duckkit_http_request_duration_seconds_count', {
        route: '/v1/model-configs/:usageType/:priority',
        method: 'PUT',
        status_code: '200',
      }),
    ).toBe(1)
  })

  it.skipIf(PROMTOOL === undefined && process.env.CI !== 'true')(
    'passes promtool check metrics',
    () => {
      if (PROMTOOL === undefined)
        throw new Error(
          'promtool is required under CI=true (apt-get install prometheus)',
        )
      const output = execFileSync(PROMTOOL, ['check', 'metrics'], {
        input: text,
        encoding: 'utf8',
      })
      expect(output).toBe('')
    },
  )
})
