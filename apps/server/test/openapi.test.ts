import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './helpers.js'

interface OpenApiDocument {
  openapi: string
  paths: Record<
    string,
    Record<string, { security?: unknown[]; responses: Record<string, unknown> }>
  >
  components: {
    schemas: Record<string, unknown>
    securitySchemes: Record<string, unknown>
  }
}

describe('/openapi.json and /docs', () => {
  let t: TestApp
  let doc: OpenApiDocument
  beforeAll(async () => {
    t = await startTestApp({ chaos: true })
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(response.statusCode).toBe(200)
    doc = response.json()
  })
  afterAll(() => t.close())

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0')
    const validator = new Validator()
    const result = await validator.validate(
      structuredClone(doc) as unknown as Record<string, unknown>,
    )
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('the validator rejects a broken document', async () => {
    const broken = structuredClone(doc) as unknown as Record<string, unknown>
    delete broken.info
    expect((await new Validator().validate(broken)).valid).toBe(false)
  })

  it('documents every route, the shared schemas and bearer auth on writes', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /v1/model-configs',
        'GET /v1/usage-types',
        'GET /v1/providers/{provider}/models',
        'POST /v1/model-configs/reset',
        'GET /v1/model-configs/{usageType}',
        'PUT /v1/model-configs/{usageType}',
        'GET /v1/model-configs/{usageType}/active',
        'GET /v1/model-configs/{usageType}/fallback-chain',
        'GET /v1/model-configs/{usageType}/validate',
        'POST /v1/model-configs/{usageType}/reorder',
        'GET /v1/model-configs/{usageType}/{priority}',
        'PUT /v1/model-configs/{usageType}/{priority}',
        'DELETE /v1/model-configs/{usageType}/{priority}',
        'GET /health',
        'GET /health/ready',
        'GET /health/database',
        'GET /health/cache',
        'GET /stats/pool',
        'GET /stats/transactions',
        'GET /stats/cache',
        'GET /stats/resilience',
        'GET /metrics',
        'GET /dashboard',
        'GET /admin/chaos',
        'POST /admin/chaos',
        'DELETE /admin/chaos',
        'GET /openapi.json',
      ]),
    )
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Problem', 'ModelConfig']),
    )
    expect(doc.components.securitySchemes.bearerAuth).toEqual({
      type: 'http',
      scheme: 'bearer',
    })
    const upsert = doc.paths['/v1/model-configs/{usageType}/{priority}']?.put
    expect(upsert?.security).toEqual([{ bearerAuth: [] }])
    expect(JSON.stringify(upsert?.responses['400'])).toContain(
      'application/problem+json',
    )
    expect(
      doc.paths['/v1/model-configs/{usageType}/active']?.get?.security,
    ).toBeUndefined()
  })

  it('/docs serves swagger-ui from the package, with no external URL', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/text\/html/)
    expect(page.body).not.toMatch(/https?:\/\/(?!localhost)/)
    const init = await t.app.inject({
      method: 'GET',
      url: '/docs/static/swagger-initializer.js',
    })
    expect(init.statusCode).toBe(200)
    expect(init.body).toContain('validatorUrl: null')
    const bundle = await t.app.inject({
      method: 'GET',
      url: '/docs/static/swagger-ui-bundle.js',
    })
    expect(bundle.statusCode).toBe(200)
    expect(bundle.body.length).toBeGreaterThan(100_000)
  })
})
