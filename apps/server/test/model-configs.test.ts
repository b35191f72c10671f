import { DEFAULT_MODEL_CONFIGS } from '@duckkit/model-config'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AUTH, expectProblem, startTestApp, type TestApp } from './helpers.js'

interface Config {
  usageType: string
  priority: number
  modelId: string
  modelName: string
  provider: string
  parameters: Record<string, unknown>
  enabled: boolean
  createdAt: string
  updatedAt: string
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

describe('model-config API (/v1)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp()
  })
  afterAll(() => t.close())
  beforeEach(async () => {
    const reset = await t.app.inject({
      method: 'POST',
      url: '/v1/model-configs/reset',
      headers: AUTH,
    })
    expect(reset.json()).toEqual({ seeded: DEFAULT_MODEL_CONFIGS.length })
  })

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers })
  const put = (
    url: string,
    payload: unknown,
    headers: Record<string, string> = AUTH,
  ) => t.app.inject({ method: 'PUT', url, payload: payload as object, headers })

  it('GET /v1/model-configs lists every configuration in usage-type and priority order', async () => {
    const response = await get('/v1/model-configs')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.headers.etag).toMatch(/^"[\w-]+"$/)
    expect(response.headers['x-request-id']).toBeTruthy()
    const configs = response.json<Config[]>()
    expect(configs).toHaveLength(DEFAULT_MODEL_CONFIGS.length)
    const keys = configs.map((c) => `${c.usageType}/${c.priority}`)
    expect(keys).toEqual([...keys].sort())
    for (const config of configs) {
      expect(Object.keys(config).sort()).toEqual([
        'createdAt',
        'enabled',
        'modelId',
        'modelName',
        'parameters',
        'priority',
        'provider',
        'updatedAt',
        'usageType',
      ])
      expect(config.createdAt).toMatch(ISO)
    }
  })

  it('GET /v1/usage-types groups the configurations by usage type', async () => {
    const response = await get('/v1/usage-types')
    expect(response.statusCode).toBe(200)
    const grouped = response.json<Record<string, Config[]>>()
    const usageTypes = [
      ...new Set(DEFAULT_MODEL_CONFIGS.map((c) => c.usageType)),
    ].sort()
    expect(Object.keys(grouped).sort()).toEqual(usageTypes)
    expect(grouped.embedding?.[0]).toMatchObject({
      modelId: 'nomic-embed-text',
      provider: 'ollama',
    })
  })

  it('GET /v1/providers/{provider}/models lists distinct enabled model ids, sorted', async () => {
    const response = await get('/v1/providers/ollama/models')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      provider: 'ollama',
      models: ['llama3.1:8b', 'nomic-embed-text'],
    })
    expect((await get('/v1/providers/nobody/models')).json()).toEqual({
      provider: 'nobody',
      models: [],
    })
  })

  it('GET active, fallback chain and configs of a usage type', async () => {
    await put('/v1/model-configs/chat_deep/2', {
      modelId: 'gpt-4o',
      modelName: 'GPT-4o',
      provider: 'openai',
    })
    await put('/v1/model-configs/chat_deep/3', {
      modelId: 'off',
      modelName: 'Disabled',
      provider: 'openai',
      enabled: false,
    })
    const active = await get('/v1/model-configs/chat_deep/active')
    expect(active.statusCode).toBe(200)
    expect(active.json()).toMatchObject({
      usageType: 'chat_deep',
      priority: 1,
      modelId: 'openrouter/auto',
    })

    const chain = await get('/v1/model-configs/chat_deep/fallback-chain')
    expect(chain.json<Config[]>().map((c) => c.modelId)).toEqual([
      'openrouter/auto',
      'gpt-4o',
    ])

    const all = await get('/v1/model-configs/chat_deep')
    expect(all.json<Config[]>().map((c) => [c.priority, c.enabled])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ])
    const one = await get('/v1/model-configs/chat_deep/3')
    expect(one.json()).toMatchObject({ modelId: 'off', enabled: false })
  })

  it('answers 404 problems for a usage type without an active model and a missing priority', async () => {
    expectProblem(
      await get('/v1/model-configs/nothing_here/active'),
      404,
      'E_NOT_FOUND',
    )
    expectProblem(
      await get('/v1/model-configs/chat_deep/7'),
      404,
      'E_NOT_FOUND',
    )
    expect((await get('/v1/model-configs/nothing_here')).json()).toEqual([])
    expect(
      (await get('/v1/model-configs/nothing_here/fallback-chain')).json(),
    ).toEqual([])
    expectProblem(await get('/v1/nowhere'), 404, 'E_ROUTE_NOT_FOUND')
  })

  it('GET validate tells whether an enabled configuration serves a model', async () => {
    const yes = await get(
      '/v1/model-configs/embedding/validate?modelId=nomic-embed-text',
    )
    expect(yes.json()).toEqual({
      usageType: 'embedding',
      modelId: 'nomic-embed-text',
      valid: true,
    })
    const no = await get('/v1/model-configs/embedding/validate?modelId=gpt-4o')
    expect(no.json()).toMatchObject({ valid: false })
    const missing = expectProblem(
      await get('/v1/model-configs/embedding/validate'),
      400,
      'E_VALIDATION',
    )
    expect(missing.errors).toEqual([
      expect.objectContaining({
        field: 'modelId',
        in: 'query',
        rule: 'required',
      }),
    ])
  })

  it('PUT upserts one configuration and the next read sees it (cache invalidated)', async () => {
    expect(
      (await get('/v1/model-configs/chat_deep/active')).json(),
    ).toMatchObject({ modelId: 'openrouter/auto' })
    const body = {
      modelId: 'anthropic/claude',
      modelName: 'Claude',
      provider: 'anthropic',
      parameters: { temperature: 0.2, max_tokens: 1024, stop: ['\n\n'] },
      enabled: true,
    }
    const response = await put('/v1/model-configs/chat_deep/1', body)
    expect(response.statusCode).toBe(200)
    const stored = response.json<Config>()
    expect(stored).toMatchObject({
      usageType: 'chat_deep',
      priority: 1,
      ...body,
    })
    expect(stored.updatedAt >= stored.createdAt).toBe(true)
    expect((await get('/v1/model-configs/chat_deep/active')).json()).toEqual(
      stored,
    )

    const created = await put('/v1/model-configs/brand_new/5', {
      modelId: 'm',
      modelName: 'M',
      provider: 'p',
    })
    expect(created.statusCode).toBe(200)
    expect(created.json()).toMatchObject({
      priority: 5,
      parameters: {},
      enabled: true,
    })
  })

  it('writes need the bearer token; a wrong or missing one is 401 and changes nothing', async () => {
    const before = (await get('/v1/model-configs')).body
    const body = { modelId: 'x', modelName: 'X', provider: 'p' }
    const none = expectProblem(
      await put('/v1/model-configs/chat_deep/1', body, {}),
      401,
      'E_UNAUTHORIZED',
    )
    expect(none.detail).toMatch(/Bearer/)
    const wrong = await put('/v1/model-configs/chat_deep/1', body, {
      authorization: 'Bearer nope-nope-nope-nope',
    })
    expectProblem(wrong, 401, 'E_UNAUTHORIZED')
    expect(wrong.headers['www-authenticate']).toContain('invalid_token')
    const prefix = await put('/v1/model-configs/chat_deep/1', body, {
      authorization: AUTH.authorization.slice(0, -1),
    })
    expectProblem(prefix, 401, 'E_UNAUTHORIZED')
    const basic = await put('/v1/model-configs/chat_deep/1', body, {
      authorization: 'Basic dGVzdA==',
    })
    expectProblem(basic, 401, 'E_UNAUTHORIZED')
    for (const [method, url] of [
      ['DELETE', '/v1/model-configs/chat_deep/1'],
      ['PUT', '/v1/model-configs/chat_deep'],
      ['POST', '/v1/model-configs/chat_deep/reorder'],
      ['POST', '/v1/model-configs/reset'],
    ] as const) {
      const response = await t.app.inject({ method, url, payload: {} })
      expectProblem(response, 401, 'E_UNAUTHORIZED')
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="duckkit"',
      )
    }
    expect((await get('/v1/model-configs')).body).toBe(before)
  })

  it('DELETE removes one configuration (204), then 404', async () => {
    const url = '/v1/model-configs/chat_deep/1'
    const deleted = await t.app.inject({ method: 'DELETE', url, headers: AUTH })
    expect(deleted.statusCode).toBe(204)
    expect(deleted.body).toBe('')
    expectProblem(
      await get('/v1/model-configs/chat_deep/active'),
      404,
      'E_NOT_FOUND',
    )
    expectProblem(
      await t.app.inject({ method: 'DELETE', url, headers: AUTH }),
      404,
      'E_NOT_FOUND',
    )
  })

  it('PUT /v1/model-configs/{usageType} replaces the whole chain', async () => {
    await put('/v1/model-configs/chat_text/4', {
      modelId: 'old',
      modelName: 'Old',
      provider: 'p',
    })
    const entries = [
      { modelId: 'a', modelName: 'A', provider: 'openai' },
      {
        modelId: 'b',
        modelName: 'B',
        provider: 'anthropic',
        parameters: { top_p: 0.9 },
        enabled: false,
      },
    ]
    const response = await put('/v1/model-configs/chat_text', { entries })
    expect(response.statusCode).toBe(200)
    expect(
      response.json<Config[]>().map((c) => [c.priority, c.modelId, c.enabled]),
    ).toEqual([
      [1, 'a', true],
      [2, 'b', false],
    ])
    expect(
      (await get('/v1/model-configs/chat_text'))
        .json<Config[]>()
        .map((c) => c.modelId),
    ).toEqual(['a', 'b'])
    const empty = expectProblem(
      await put('/v1/model-configs/chat_text', { entries: [] }),
      400,
      'E_VALIDATION',
    )
    expect(empty.errors).toEqual([
      expect.objectContaining({ field: 'entries', rule: 'minItems' }),
    ])
  })

  it('POST reorder renumbers a chain; a non-permutation is 400 and an unknown chain 404', async () => {
    await put('/v1/model-configs/chat_title', {
      entries: [
        { modelId: 'one', modelName: 'One', provider: 'p' },
        { modelId: 'two', modelName: 'Two', provider: 'p' },
        { modelId: 'three', modelName: 'Three', provider: 'p' },
      ],
    })
    const reorder = (usageType: string, order: unknown) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/model-configs/${usageType}/reorder`,
        headers: AUTH,
        payload: { order },
      })
    const response = await reorder('chat_title', [3, 1, 2])
    expect(response.statusCode).toBe(200)
    expect(response.json<Config[]>().map((c) => c.modelId)).toEqual([
      'three',
      'one',
      'two',
    ])
    const bad = expectProblem(
      await reorder('chat_title', [1, 2]),
      400,
      'E_VALIDATION',
    )
    expect(bad.errors).toEqual([
      expect.objectContaining({ field: 'order', rule: 'permutation' }),
    ])
    expectProblem(await reorder('nothing_here', [1]), 404, 'E_NOT_FOUND')
    expect(
      (await get('/v1/model-configs/chat_title/active')).json(),
    ).toMatchObject({ modelId: 'three' })
  })

  it('POST reset restores the defaults in one transaction', async () => {
    await put('/v1/model-configs/extra/1', {
      modelId: 'x',
      modelName: 'X',
      provider: 'p',
    })
    await t.app.inject({
      method: 'DELETE',
      url: '/v1/model-configs/embedding/1',
      headers: AUTH,
    })
    const reset = await t.app.inject({
      method: 'POST',
      url: '/v1/model-configs/reset',
      headers: AUTH,
    })
    expect(reset.statusCode).toBe(200)
    expect(reset.json()).toEqual({ seeded: DEFAULT_MODEL_CONFIGS.length })
    const all = (await get('/v1/model-configs')).json<Config[]>()
    expect(
      all.map((c) => `${c.usageType}/${c.priority}/${c.modelId}`).sort(),
    ).toEqual(
      DEFAULT_MODEL_CONFIGS.map(
        (c) => `${c.usageType}/${c.priority}/${c.modelId}`,
      ).sort(),
    )
  })

  describe('ETag and If-None-Match', () => {
    it('answers 304 without a body while the resource is unchanged, 200 after a write', async () => {
      const url = '/v1/model-configs/chat_deep/active'
      const first = await get(url)
      const etag = first.headers.etag as string
      expect(etag).toMatch(/^"[\w-]+"$/)
      expect((await get(url)).headers.etag).toBe(etag)

      const notModified = await get(url, { 'if-none-match': etag })
      expect(notModified.statusCode).toBe(304)
      expect(notModified.body).toBe('')
      expect(notModified.headers.etag).toBe(etag)
      expect(
        (await get(url, { 'if-none-match': `"other", W/${etag}` })).statusCode,
      ).toBe(304)
      expect((await get(url, { 'if-none-match': '*' })).statusCode).toBe(304)
      expect((await get(url, { 'if-none-match': '"other"' })).statusCode).toBe(
        200,
      )

      await put('/v1/model-configs/chat_deep/1', {
        modelId: 'changed',
        modelName: 'C',
        provider: 'p',
      })
      const changed = await get(url, { 'if-none-match': etag })
      expect(changed.statusCode).toBe(200)
      expect(changed.headers.etag).not.toBe(etag)
      expect(changed.json()).toMatchObject({ modelId: 'changed' })
    })

    it('puts no ETag on errors or writes', async () => {
      expect(
        (await get('/v1/model-configs/nothing_here/active')).headers.etag,
      ).toBeUndefined()
      const written = await put('/v1/model-configs/chat_deep/1', {
        modelId: 'w',
        modelName: 'W',
        provider: 'p',
      })
      expect(written.headers.etag).toBeUndefined()
    })
  })

  it('echoes a valid x-request-id and replaces an unsafe one', async () => {
    const echoed = await get('/v1/model-configs', { 'x-request-id': 'abc-123' })
    expect(echoed.headers['x-request-id']).toBe('abc-123')
    const replaced = await get('/v1/model-configs', {
      'x-request-id': 'bad id\twith spaces',
    })
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })
})
