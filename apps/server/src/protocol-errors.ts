import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import { type Socket } from 'node:net'
import {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type onRequestHookHandler,
  type onSendHookHandler,
} from 'fastify'
import { mapError } from './error-mapping.js'
import { sendProblem } from './problem.js'

/**
 * Answers a request the HTTP parser refused (malformed request line or
 * headers, headers over the size limit, a timeout) with a problem document,
 * written straight to the socket since there is no request object, then
 * closes the connection. Replaces Fastify's default, which answers with a
 * plain JSON body that is not `application/problem+json`.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 408
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : 400
  const requestId = randomUUID()
  const body = JSON.stringify({
    type: 'urn:duckkit:problem:bad-request',
    title: 'Bad request',
    status,
    detail:
      status === 408
        ? 'The request did not arrive in time.'
        : status === 431
          ? 'The request line and headers are larger than the limit.'
          : 'The request is not valid HTTP.',
    // The request could not be parsed, so its path is unknown.
    instance: '/',
    code: 'E_BAD_REQUEST',
    requestId,
  })
  this.log.debug({ err: error, requestId, status }, 'malformed request')
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\n` +
        `Content-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${requestId}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}

/**
 * Answers the errors the router raises before any hook runs (a path that
 * does not percent-decode, a path parameter over the length limit) with a
 * problem document, like every other error.
 */
export function frameworkErrors(
  error: Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.header('x-request-id', request.id)
  sendProblem(request, reply, mapError(error))
}

/**
 * Refuses an HTTP/1.1 request without a `Host` header with a 400 problem
 * (RFC 9112 requires it). Node's own check answers with an empty body, so the
 * server turns it off (`requireHostHeader: false`) and checks here instead.
 */
export const requireHostHeader: onRequestHookHandler = (
  request,
  reply,
  done,
) => {
  if (request.raw.httpVersion !== '1.1' || request.headers.host !== undefined) {
    done()
    return
  }
  sendProblem(request, reply, {
    status: 400,
    code: 'E_BAD_REQUEST',
    title: 'Bad request',
    detail: 'An HTTP/1.1 request needs a Host header.',
  })
}

/** Largest declared body the server reads and discards after refusing it, in bytes. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024

/**
 * Keeps the connection open after a 413 for a body whose declared length is
 * at most 16 MiB, so Node reads and discards the rest of the body. Fastify
 * closes the connection after refusing a body; the client is then still
 * sending, and the kernel answers the unread bytes with a reset that can
 * destroy the 413 before the client has read it (no lingering close in
 * Node). Larger or undeclared bodies still close the connection.
 */
export const drainRefusedBody: onSendHookHandler = (
  request,
  reply,
  payload,
  done,
) => {
  const declared = Number(request.headers['content-length'])
  if (
    reply.statusCode === 413 &&
    Number.isSafeInteger(declared) &&
    declared <= DRAIN_LIMIT_BYTES
  )
    reply.removeHeader('connection')
  done(null, payload)
}
