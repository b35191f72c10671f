import { createHash } from 'node:crypto'
import { type FastifyReply, type FastifyRequest } from 'fastify'

/** Strong validator of a response body. */
function etagOf(body: string | Buffer): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`
}

/** Whether an `If-None-Match` header matches an entity tag (weak comparison, RFC 9110 13.1.2). */
function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const trimmed = header.trim()
  if (trimmed === '*') return true
  const opaque = etag.replace(/^W\//, '')
  return trimmed
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === opaque)
}

/**
 * An `onSend` hook: a 200 answer to GET or HEAD with a string or buffer body
 * gets an ETag, and a request whose `If-None-Match` matches it gets 304 with
 * no body instead.
 */
export function etagHook(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  if (
    (request.method !== 'GET' && request.method !== 'HEAD') ||
    reply.statusCode !== 200 ||
    (typeof payload !== 'string' && !Buffer.isBuffer(payload))
  ) {
    return Promise.resolve(payload)
  }
  const existing = reply.getHeader('etag')
  const etag = typeof existing === 'string' ? existing : etagOf(payload)
  reply.header('etag', etag)
  if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
    reply.code(304)
    reply.removeHeader('content-type')
    reply.removeHeader('content-length')
    return Promise.resolve('')
  }
  return Promise.resolve(payload)
}
