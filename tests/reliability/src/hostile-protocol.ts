import fc from 'fast-check'
import { slug } from './hostile-parts.js'
import { type Header, type RequestParts } from './request-parts.js'

/** Percent-encodings that do not decode, and parameters longer than the router allows. */
export const badUrls = fc
  .oneof(
    fc
      .tuple(
        slug,
        fc.constantFrom(
          '%',
          '%Z',
          '%ZZ',
          '%E0%A4%A',
          '%C0%AF',
          '%FF',
          '%u0041',
          '%%30',
        ),
      )
      .map(([u, bad]) => `/v1/model-configs/${u}${bad}`),
    fc
      .stringMatching(/^[a-z]{101,300}$/)
      .map((long) => `/v1/model-configs/${long}`),
    fc
      .stringMatching(/^[a-z]{101,300}$/)
      .map((long) => `/v1/model-configs/chat_deep/${long}`),
  )
  .chain((target) =>
    fc
      .constantFrom('GET', 'HEAD', 'PUT', 'DELETE')
      .map((method): RequestParts => ({ method, target, headers: [] })),
  )

/** Requests the HTTP parser itself refuses. */
export const framing = fc.oneof(
  fc.constantFrom<RequestParts>(
    { method: 'GET', target: '/health', headers: [], noHost: true },
    { method: 'GET', target: '/health', headers: [], version: 'HTTP/9.9' },
    { method: 'GET', target: '/health', headers: [], version: 'HTTP/1.x' },
    { method: 'G ET', target: '/health', headers: [] },
    { method: 'GET', target: '/he alth', headers: [] },
    { method: 'GET', target: '/health\u0001', headers: [] },
    { method: 'GET', target: '/health', headers: [['Bad Header', 'x']] },
    { method: 'GET', target: '/health', headers: [['X-A', 'x\u0000y']] },
    {
      method: 'GET',
      target: '/health',
      headers: [['Content-Length', 'abc']],
      noLength: true,
    },
    {
      method: 'GET',
      target: '/health',
      headers: [['Content-Length', '-1']],
      noLength: true,
    },
    {
      method: 'PUT',
      target: '/v1/model-configs/a/1',
      headers: [
        ['Content-Length', '5'],
        ['Content-Length', '6'],
      ],
      body: 'hello',
      noLength: true,
    },
    {
      method: 'PUT',
      target: '/v1/model-configs/a/1',
      headers: [
        ['Content-Length', '5'],
        ['Transfer-Encoding', 'chunked'],
      ],
      body: 'hello',
      noLength: true,
    },
    {
      method: 'PUT',
      target: '/v1/model-configs/a/1',
      headers: [['Transfer-Encoding', 'chunked']],
      body: 'zz\r\nhello\r\n0\r\n\r\n',
      noLength: true,
    },
    {
      method: 'PUT',
      target: '/v1/model-configs/a/1',
      headers: [['Transfer-Encoding', 'gzip, chunked, identity']],
      body: '0\r\n\r\n',
      noLength: true,
    },
    {
      method: 'GET',
      target: '/health',
      headers: [
        ['X-A', 'x'],
        [' folded', 'y'],
      ],
    },
  ),
  fc
    .string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 })
    .map((junk): RequestParts => ({
      method: `\u0001${junk.replace(/[\r\n ]/g, '')}`,
      target: '/',
      headers: [],
    })),
)

/** Headers over the 16 KiB limit. */
export const hugeHeaders = fc
  .integer({ min: 17_000, max: 40_000 })
  .chain((size) =>
    fc.constantFrom<RequestParts>(
      {
        method: 'GET',
        target: '/health',
        headers: [['X-Big', 'a'.repeat(size)]],
      },
      {
        method: 'GET',
        target: `/v1/model-configs/${'a'.repeat(size)}`,
        headers: [],
      },
      {
        method: 'GET',
        target: '/health',
        headers: Array.from(
          { length: Math.ceil(size / 190) },
          (_, i): Header => [`X-H${i}`, 'b'.repeat(190)],
        ),
      },
    ),
  )
