import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUTH, expectProblem, startTestApp, type TestApp } from './helpers.js'

const VALID = { modelId: 'm', modelName: 'M', provider: 'openai' }
const UPSERT = '/v1/model-configs/chat_deep/1'

describe('bad input', () => {
  let t: TestApp
  let snapshot: string
  beforeAll(async () => {
    t = await startTestApp({ bodyLimitBytes: 16_384 })
    snapshot = (await t.app.inject({ method: 'GET', url: '/v1/model-configs' }))
      .body
  })
  afterAll(() => t.close())

  const unchanged = async () => {
    const now = await t.app.inject({ method: 'GET', url: '/v1/model-configs' })
    expect(now.body).toBe(snapshot)
  }
  const send = (
    payload: string,
    url = UPSERT,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method: 'PUT',
      url,
      payload,
      headers: { ...AUTH, 'content-type': 'application/json', ...headers },
    })

  const cases: [string, unknown, string, string?][] = [
    ['a number as modelId', { ...VALID, modelId: 42 }, 'modelId', 'type'],
    ['a string as enabled', { ...VALID, enabled: 'true' }, 'enabled', 'type'],
    ['a number as enabled', { ...VALID, enabled: 1 }, 'enabled', 'type'],
    [
      'an array as parameters',
      { ...VALID, parameters: [1, 2] },
      'parameters',
      'type',
    ],
    [
      'a string as parameters',
      { ...VALID, parameters: 'temperature=1' },
      'parameters',
      'type',
    ],
    ['null as modelName', { ...VALID, modelName: null }, 'modelName', 'type'],
    [
      'a missing modelId',
      { modelName: 'M', provider: 'p' },
      'modelId',
      'required',
    ],
    [
      'a missing provider',
      { modelId: 'm', modelName: 'M' },
      'provider',
      'required',
    ],
    [
      'an unknown field',
      { ...VALID, temperature: 0.5 },
      'temperature',
      'unknown_field',
    ],
    [
      'usageType in the body',
      { ...VALID, usageType: 'other' },
      'usageType',
      'unknown_field',
    ],
    ['an empty modelId', { ...VALID, modelId: '' }, 'modelId', 'minLength'],
    [
      'a 257-character modelName',
      { ...VALID, modelName: 'x'.repeat(257) },
      'modelName',
      'maxLength',
    ],
    [
      'a provider with spaces',
      { ...VALID, provider: 'open ai' },
      'provider',
      'pattern',
    ],
    [
      'an out-of-range temperature',
      { ...VALID, parameters: { temperature: 3 } },
      'parameters.temperature',
    ],
    [
      'a fractional max_tokens',
      { ...VALID, parameters: { max_tokens: 1.5 } },
      'parameters.max_tokens',
    ],
    [
      'a control character in modelName',
      { ...VALID, modelName: 'bell\u0007' },
      'modelName',
    ],
    ['a NUL in modelId', { ...VALID, modelId: 'a\u0000b' }, 'modelId'],
    [
      'a whitespace-only modelName',
      { ...VALID, modelName: '   ' },
      'modelName',
    ],
    ['an array body', [VALID], '(root)', 'type'],
    ['a string body', 'hello', '(root)', 'type'],
  ]
  it.each(cases)(
    'rejects %s with 400 E_VALIDATION naming the field',
    async (_name, body, field, rule) => {
      const problem = expectProblem(
        await send(JSON.stringify(body)),
        400,
        'E_VALIDATION',
      )
      const issues = problem.errors as {
        field: string
        rule: string
        in: string
      }[]
      expect(issues.map((issue) => issue.field)).toContain(field)
      if (rule !== undefined)
        expect(issues.find((issue) => issue.field === field)?.rule).toBe(rule)
      expect(issues.every((issue) => issue.in === 'body')).toBe(true)
      await unchanged()
    },
  )

  it.each([
    ['truncated JSON', '{"modelId": "m",'],
    ['single quotes', "{'modelId': 'm'}"],
    [
      'a trailing comma',
      '{"modelId": "m", "modelName": "M", "provider": "p",}',
    ],
    ['an empty body', ''],
  ])('rejects %s with 400 E_INVALID_JSON', async (_name, payload) => {
    expectProblem(await send(payload), 400, 'E_INVALID_JSON')
    await unchanged()
  })

  it('rejects prototype poisoning', async () => {
    const response = await send(
      '{"modelId":"m","modelName":"M","provider":"p","__proto__":{"enabled":false}}',
    )
    expectProblem(response, 400, 'E_INVALID_JSON')
    await unchanged()
  })

  it('rejects a body over the limit with 413', async () => {
    const body = JSON.stringify({
      ...VALID,
      parameters: { blob: 'x'.repeat(20_000) },
    })
    expectProblem(await send(body), 413, 'E_PAYLOAD_TOO_LARGE')
    await unchanged()
  })

  it('rejects a body that is not JSON with 415', async () => {
    const response = await send('modelId=m', UPSERT, {
      'content-type': 'application/x-www-form-urlencoded',
    })
    expectProblem(response, 415, 'E_UNSUPPORTED_MEDIA_TYPE')
    await unchanged()
  })

  it.each([
    ['priority 0', '/v1/model-configs/chat_deep/0', 'priority'],
    ['priority 1001', '/v1/model-configs/chat_deep/1001', 'priority'],
    ['a negative priority', '/v1/model-configs/chat_deep/-1', 'priority'],
    ['a fractional priority', '/v1/model-configs/chat_deep/1.5', 'priority'],
    ['a word as priority', '/v1/model-configs/chat_deep/first', 'priority'],
    [
      'a usage type with a space',
      '/v1/model-configs/chat%20deep/1',
      'usageType',
    ],
    ['a usage type with a quote', "/v1/model-configs/chat'--/1", 'usageType'],
    ['a usage type with a NUL', '/v1/model-configs/chat%00/1', 'usageType'],
  ])('rejects %s in the path with 400 naming it', async (_name, url, field) => {
    const problem = expectProblem(
      await send(JSON.stringify(VALID), url),
      400,
      'E_VALIDATION',
    )
    expect(problem.errors).toEqual([
      expect.objectContaining({ field, in: 'path' }),
    ])
    await unchanged()
  })

  it('rejects bad chain and reorder bodies', async () => {
    const chain = (payload: unknown) =>
      send(JSON.stringify(payload), '/v1/model-configs/chat_deep')
    expectProblem(await chain({}), 400, 'E_VALIDATION')
    expectProblem(await chain({ entries: VALID }), 400, 'E_VALIDATION')
    expectProblem(
      await chain({ entries: [{ ...VALID, priority: 1 }] }),
      400,
      'E_VALIDATION',
    )
    expectProblem(
      await chain({ entries: Array.from({ length: 101 }, () => VALID) }),
      400,
      'E_VALIDATION',
    )
    const reorder = (payload: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/model-configs/chat_deep/reorder',
        headers: AUTH,
        payload: payload as object,
      })
    expectProblem(await reorder({ order: ['1'] }), 400, 'E_VALIDATION')
    expectProblem(await reorder({ order: [1, 1] }), 400, 'E_VALIDATION')
    expectProblem(
      await reorder({ order: [1], extra: true }),
      400,
      'E_VALIDATION',
    )
    await unchanged()
  })

  it('stores strings full of SQL, quotes, unicode and control characters verbatim', async () => {
    const body = {
      modelId: `x'); DROP TABLE model_configs; --`,
      modelName: `Robert"); DELETE FROM model_configs WHERE 1=1; -- 🦆 ünïcödé \\ % _ $1 ?`,
      provider: 'openai',
      parameters: {
        system: 'line1\nline2\r\n\ttab\u0000nul\u0007bell\u001bescape\u2028sep',
        sql: "'; SELECT * FROM information_schema.tables; --",
        nested: { "it's": ['"quoted"', null, true, 1.5e-7] },
      },
    }
    const url = '/v1/model-configs/sql_injection_probe/1'
    const written = await send(JSON.stringify(body), url)
    expect(written.statusCode, written.body).toBe(200)
    expect(written.json()).toMatchObject(body)
    const read = await t.app.inject({ method: 'GET', url })
    expect(read.json()).toMatchObject(body)
    const active = await t.app.inject({
      method: 'GET',
      url: '/v1/model-configs/sql_injection_probe/active',
    })
    expect(active.json()).toMatchObject(body)
    const all = await t.app.inject({ method: 'GET', url: '/v1/model-configs' })
    expect(all.json<unknown[]>()).toHaveLength(
      (JSON.parse(snapshot) as unknown[]).length + 1,
    )
    await t.app.inject({ method: 'DELETE', url, headers: AUTH })
    await unchanged()
  })
})
