import fc from 'fast-check'
import {
  brokenJson,
  invalidEntry,
  toJson,
  validEntry,
} from './hostile-bodies.js'
import { badPriority, badSlug, enc, priority, slug } from './hostile-parts.js'
import { type Header, JSON_TYPE, type RequestParts } from './request-parts.js'

/** Writes with the right token and at least one broken rule in the address or the body. */
export const invalidWrites = (token: string) => {
  const auth: Header = ['Authorization', `Bearer ${token}`]
  const json = (
    method: string,
    target: string,
    body: string,
  ): RequestParts => ({
    method,
    target,
    headers: [auth, JSON_TYPE],
    body,
  })
  return fc.oneof(
    // Upsert with an invalid body.
    fc
      .tuple(slug, priority, invalidEntry)
      .map(([u, p, e]) =>
        json('PUT', `/v1/model-configs/${u}/${p}`, toJson(e)),
      ),
    fc
      .tuple(slug, priority, brokenJson)
      .map(([u, p, b]) => json('PUT', `/v1/model-configs/${u}/${p}`, b)),
    // A valid body at an invalid address.
    fc
      .tuple(badSlug, priority, validEntry)
      .map(([u, p, e]) =>
        json('PUT', `/v1/model-configs/${u}/${p}`, toJson(e)),
      ),
    fc
      .tuple(slug, badPriority, validEntry)
      .map(([u, p, e]) =>
        json('PUT', `/v1/model-configs/${u}/${enc(p)}`, toJson(e)),
      ),
    fc
      .tuple(badSlug, validEntry)
      .map(([u, e]) =>
        json('PUT', `/v1/model-configs/${u}`, toJson({ entries: [e] })),
      ),
    fc.tuple(badSlug, priority).map(([u, p]) => ({
      method: 'DELETE',
      target: `/v1/model-configs/${u}/${p}`,
      headers: [auth],
    })),
    fc.tuple(slug, badPriority).map(([u, p]) => ({
      method: 'DELETE',
      target: `/v1/model-configs/${u}/${enc(p)}`,
      headers: [auth],
    })),
    // Chains that break a rule.
    fc
      .tuple(
        slug,
        fc.oneof(
          fc.constant({ entries: [] }),
          fc.constant({}),
          fc.constant({ entries: 'all' }),
          validEntry.map((e) => ({
            entries: Array.from({ length: 101 }, () => e),
          })),
          fc
            .tuple(fc.array(validEntry, { maxLength: 3 }), invalidEntry)
            .map(([ok, bad]) => ({ entries: [...ok, bad] })),
          validEntry.map((e) => ({ entries: [e], extra: true })),
        ),
      )
      .map(([u, body]) => json('PUT', `/v1/model-configs/${u}`, toJson(body))),
    // Reorders that break a rule.
    fc
      .tuple(
        slug,
        fc.oneof(
          fc.constant({ order: [] }),
          fc.constant({}),
          fc.integer({ min: 1, max: 5 }).map((p) => ({ order: [p, p] })),
          fc.constantFrom(
            { order: [0] },
            { order: [1001] },
            { order: ['1'] },
            { order: [1.5] },
            { order: [1], by: 'x' },
          ),
        ),
      )
      .map(([u, body]) =>
        json('POST', `/v1/model-configs/${u}/reorder`, toJson(body)),
      ),
    // Chaos settings that break the schema.
    fc
      .constantFrom<unknown>(
        {},
        { rate: 2, kinds: ['io'], durationMs: 1000 },
        { rate: 0.5, kinds: [], durationMs: 1000 },
        { rate: 0.5, kinds: ['meteor'], durationMs: 1000 },
        { rate: 0.5, kinds: ['io'], durationMs: 0 },
        { rate: 0.5, kinds: ['io'], durationMs: 3_600_001 },
        { rate: 0.5, kinds: ['io', 'io'], durationMs: 1000 },
        {
          rate: 0.5,
          kinds: ['latency'],
          latencyMs: [50, 10],
          durationMs: 1000,
        },
        { rate: 0.5, kinds: ['io'], durationMs: 1000, extra: 1 },
        { rate: '0.5', kinds: ['io'], durationMs: 1000 },
      )
      .map((body) => json('POST', '/admin/chaos', toJson(body))),
    // The right token, but not JSON.
    fc
      .tuple(
        slug,
        priority,
        validEntry,
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/jsonx',
        ),
      )
      .map(([u, p, e, type]): RequestParts => ({
        method: 'PUT',
        target: `/v1/model-configs/${u}/${p}`,
        headers: [auth, ['Content-Type', type]],
        body: toJson(e),
      })),
    fc.tuple(slug, priority, validEntry).map(([u, p, e]): RequestParts => ({
      method: 'PUT',
      target: `/v1/model-configs/${u}/${p}`,
      headers: [auth],
      body: toJson(e),
    })),
  )
}

/** A body over the 1 MiB limit (the same buffer every time, so generation stays cheap). */
const OVERSIZED = Buffer.alloc(1_100_000, 0x20)
/** A write whose body is over the limit. */
export const oversized = (token: string) =>
  fc.tuple(slug, priority).map(([u, p]): RequestParts => ({
    method: 'PUT',
    target: `/v1/model-configs/${u}/${p}`,
    headers: [['Authorization', `Bearer ${token}`], JSON_TYPE],
    body: Buffer.concat([
      Buffer.from('{"modelId":"'),
      OVERSIZED,
      Buffer.from('"}'),
    ]),
  }))
