import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  inspectService,
  packageErrorRows,
  renderHttpApi,
  sameAnswerAsSyntaxError,
  slug,
} from '../src/http-api.js'
import { REPO_ROOT } from '../src/snippets.js'

/**
 * docs/http-api.md is generated from the running service: its OpenAPI
 * document, the answers to requests that trigger each error, and the error
 * mapping applied to every error class of the packages. This test fails when
 * the committed file differs; `DUCKKIT_UPDATE_DOCS=1` (the package's
 * `docs:update` script) rewrites it.
 */

const FILE = join(REPO_ROOT, 'docs/http-api.md')

describe('docs/http-api.md', () => {
  it('is what the service generates today', async () => {
    const { document, requestErrors } = await inspectService()
    const generated = await renderHttpApi({
      document,
      requestErrors,
      packageErrors: packageErrorRows(),
      file: FILE,
    })
    // The generator is not vacuous: every route and every error code is in it.
    expect(Object.keys(document.paths).length).toBeGreaterThanOrEqual(20)
    for (const path of Object.keys(document.paths)) {
      expect(generated).toContain(path)
    }
    expect(requestErrors.map((row) => row.status)).toEqual(
      expect.arrayContaining([400, 401, 404, 413, 415]),
    )
    if (process.env.DUCKKIT_UPDATE_DOCS === '1') {
      writeFileSync(FILE, generated)
    }
    expect(
      readFileSync(FILE, 'utf8'),
      'docs/http-api.md is out of date: run pnpm --filter @duckkit/docs-examples docs:update',
    ).toBe(generated)
  })

  it('gives syntax, catalog and data errors one answer (they share a row)', () => {
    expect(sameAnswerAsSyntaxError()).toBe(true)
  })

  it('computes anchors the way GitHub does', () => {
    expect(slug('GET /v1/model-configs/{usageType}/active')).toBe(
      'get-v1model-configsusagetypeactive',
    )
    expect(slug('ADR 0003: Cache invalidation')).toBe(
      'adr-0003-cache-invalidation',
    )
  })
})
