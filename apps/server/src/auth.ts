import { createHash, timingSafeEqual } from 'node:crypto'
import { type onRequestHookHandler } from 'fastify'
import { sendProblem } from './problem.js'

/** OpenAPI security requirement of the routes that need the bearer token. */
export const BEARER_SECURITY = [{ bearerAuth: [] }]

/**
 * Builds an `onRequest` hook that lets a request through only with
 * `Authorization: Bearer <token>`. Both sides are hashed before a
 * constant-time comparison, so neither the content nor the length of the
 * token leaks through timing.
 */
export function bearerAuth(token: string): onRequestHookHandler {
  const expected = digest(token)
  return (request, reply, done) => {
    const header = request.headers.authorization
    const match =
      typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null
    const given = match?.[1]
    if (given !== undefined && timingSafeEqual(digest(given), expected)) {
      done()
      return
    }
    // Answered here: `done` is not called, so the route handler never runs.
    sendProblem(request, reply, {
      status: 401,
      code: 'E_UNAUTHORIZED',
      title: 'Unauthorized',
      detail:
        given === undefined
          ? 'Writes need an Authorization: Bearer <token> header.'
          : 'The bearer token is not valid.',
      headers: {
        'www-authenticate':
          given === undefined
            ? 'Bearer realm="duckkit"'
            : 'Bearer realm="duckkit", error="invalid_token"',
      },
    })
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}
