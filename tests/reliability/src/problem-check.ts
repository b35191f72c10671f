import { type HttpResponse } from './http-client.js'

/**
 * Says what is wrong with an error answer, or undefined when it is a proper
 * RFC 9457 document: `application/problem+json`, a body whose `status`
 * matches the status line, a `urn:duckkit:problem:` type, a string `code`,
 * `title` and `detail`, the `requestId` of the `x-request-id` header, no
 * stack trace, and for a 503 a `Retry-After` of whole seconds. A HEAD answer
 * has no body, so only its headers are checked.
 */
export function problemViolation(
  response: HttpResponse,
  method = 'GET',
): string | undefined {
  const type = String(response.headers['content-type'] ?? '')
  if (!type.startsWith('application/problem+json'))
    return `content-type is ${JSON.stringify(type)}`
  if (response.status === 503) {
    const retryAfter = String(response.headers['retry-after'] ?? '')
    if (!/^\d+$/.test(retryAfter))
      return `503 without a Retry-After in seconds (${JSON.stringify(retryAfter)})`
  }
  if (method === 'HEAD') return undefined
  let body: Record<string, unknown>
  try {
    body = JSON.parse(response.body) as Record<string, unknown>
  } catch {
    return `the body is not JSON: ${response.body.slice(0, 200)}`
  }
  if (body.status !== response.status)
    return `body status ${String(body.status)} differs from ${response.status}`
  if (
    typeof body.type !== 'string' ||
    !body.type.startsWith('urn:duckkit:problem:')
  )
    return `type is ${JSON.stringify(body.type)}`
  for (const field of ['code', 'title', 'detail', 'instance'] as const) {
    if (typeof body[field] !== 'string') return `${field} is not a string`
  }
  if (body.requestId !== response.headers['x-request-id'])
    return `requestId ${JSON.stringify(body.requestId)} differs from the x-request-id header`
  if (/\n\s+at /.test(response.body)) return 'the body holds a stack trace'
  return undefined
}

/** The `code` of a problem answer, or undefined when the body is not one. */
export function problemCode(response: HttpResponse): string | undefined {
  try {
    const body = JSON.parse(response.body) as { code?: unknown }
    return typeof body.code === 'string' ? body.code : undefined
  } catch {
    return undefined
  }
}
