import fc from 'fast-check'
import { brokenJson, validEntry } from './hostile-bodies.js'
import {
  badPriority,
  badSlug,
  enc,
  priority,
  slug,
  wrongAuth,
} from './hostile-parts.js'
import { JSON_TYPE, type RequestParts } from './request-parts.js'

const readPath = fc.oneof(
  badSlug.map((u) => `/v1/model-configs/${u}`),
  badSlug.map((u) => `/v1/model-configs/${u}/active`),
  badSlug.map((u) => `/v1/model-configs/${u}/fallback-chain`),
  fc.tuple(badSlug, priority).map(([u, p]) => `/v1/model-configs/${u}/${p}`),
  fc
    .tuple(slug, badPriority)
    .map(([u, p]) => `/v1/model-configs/${u}/${enc(p)}`),
  badSlug.map((p) => `/v1/providers/${p}/models`),
  fc
    .tuple(badSlug, slug)
    .map(([u, m]) => `/v1/model-configs/${u}/validate?modelId=${m}`),
  slug.map((u) => `/v1/model-configs/${u}/validate`),
  fc
    .tuple(
      slug,
      fc.constantFrom(
        '?modelId=',
        `?modelId=${'m'.repeat(257)}`,
        '?modelId=a&extra=1',
        '?modelId=%01',
        '?modelId=%20%20',
        '?model=a',
        '?__proto__[modelId]=a',
      ),
    )
    .map(([u, q]) => `/v1/model-configs/${u}/validate${q}`),
)

const unknownPath = fc.oneof(
  fc
    .array(fc.stringMatching(/^[a-z0-9]{1,10}$/), {
      minLength: 1,
      maxLength: 5,
    })
    .map((segments) => `/zz/${segments.join('/')}`),
  fc
    .tuple(slug, slug, slug)
    .map(([a, b, c]) => `/v1/model-configs/${a}/1/${b}/${c}`),
  fc.constantFrom(
    '/v2/model-configs',
    '/v1',
    '/v1/',
    '/admin',
    '/admin/chaos/x',
    '/etc/passwd',
    '/..%2f..%2fetc%2fpasswd',
    '/v1/model-configs/a/1/active',
    '/health/../../etc/passwd',
    '/.env',
    '/wp-login.php',
  ),
)

/** Reads with invalid parameters or queries, and unknown routes. */
export const reads = fc
  .tuple(fc.oneof(readPath, unknownPath), fc.constantFrom('GET', 'GET', 'HEAD'))
  .map(([target, method]): RequestParts => ({ method, target, headers: [] }))

const writeTarget = fc.oneof(
  fc.tuple(slug, priority).map(([u, p]) => ({
    method: 'PUT',
    target: `/v1/model-configs/${u}/${p}`,
  })),
  slug.map((u) => ({ method: 'PUT', target: `/v1/model-configs/${u}` })),
  slug.map((u) => ({
    method: 'POST',
    target: `/v1/model-configs/${u}/reorder`,
  })),
  fc.tuple(slug, priority).map(([u, p]) => ({
    method: 'DELETE',
    target: `/v1/model-configs/${u}/${p}`,
  })),
  fc.constant({ method: 'POST', target: '/v1/model-configs/reset' }),
  fc
    .constantFrom('GET', 'POST', 'DELETE')
    .map((method) => ({ method, target: '/admin/chaos' })),
)

/** Writes and admin calls without the right token: 401 whatever the body. */
export const unauthorized = fc
  .tuple(
    writeTarget,
    wrongAuth,
    fc.option(
      fc.oneof(
        validEntry.map((e) => JSON.stringify(e)),
        brokenJson,
      ),
    ),
  )
  .map(([{ method, target }, auth, body]): RequestParts => ({
    method,
    target,
    headers: body === null ? auth : [...auth, JSON_TYPE],
    ...(body === null ? {} : { body }),
  }))

/** Methods no route has. */
export const otherMethods = fc
  .tuple(
    fc.constantFrom(
      'PATCH',
      'OPTIONS',
      'TRACE',
      'PROPFIND',
      'MKCOL',
      'LOCK',
      'SEARCH',
      'PURGE',
    ),
    fc.oneof(
      fc.tuple(slug, priority).map(([u, p]) => `/v1/model-configs/${u}/${p}`),
      fc.constantFrom(
        '/v1/model-configs',
        '/health',
        '/metrics',
        '/admin/chaos',
      ),
    ),
  )
  .map(([method, target]): RequestParts => ({ method, target, headers: [] }))
