import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'

const QUIET_ROUTES = /^\/(health|metrics|stats\/|dashboard|docs)/

/**
 * One log line per request instead of Fastify's two: `request completed`
 * with the request, the status and the response time, under `requestId`.
 * Health checks, metrics scrapes, statistics polls, the dashboard and the
 * docs are not logged.
 */
export class RequestLogController extends LogController {
  /** Uses `requestId` as the label of the request id. */
  constructor() {
    super({
      requestIdLogLabel: 'requestId',
      disableRequestLogging: (request) => QUIET_ROUTES.test(request.url),
    })
  }

  /** Logs nothing: the completion line carries the request. */
  override incomingRequest(): void {}

  /** Logs the request, its outcome and its duration. */
  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime }
    if (error) reply.log.error({ ...fields, err: error }, 'request errored')
    else reply.log.info(fields, 'request completed')
  }
}
