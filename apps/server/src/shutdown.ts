import { type FastifyInstance } from 'fastify'
import { type Logger } from 'pino'
import { type Lifecycle } from './routes/health.js'

/** Options of {@link gracefulShutdown}. */
export interface ShutdownOptions {
  /** The listening application. */
  readonly app: FastifyInstance
  /** Stops the services (the container's dispose). */
  readonly dispose: () => Promise<void>
  /** Readiness reads `shuttingDown` from here. */
  readonly lifecycle: Lifecycle
  /** How long in-flight requests may take before their connections are closed. */
  readonly timeoutMs: number
  /** Logger. */
  readonly logger: Logger
}

/**
 * Stops the service: readiness turns 503, the server stops accepting
 * connections and closes idle ones, in-flight requests finish (for at most
 * `timeoutMs`, after which their connections are closed), then the services
 * are disposed. Resolves the exit code: 0 when everything stopped cleanly.
 */
export async function gracefulShutdown(
  options: ShutdownOptions,
): Promise<number> {
  const { app, logger, timeoutMs } = options
  options.lifecycle.shuttingDown = true
  let code = 0
  const timer = setTimeout(() => {
    logger.warn(
      { timeoutMs },
      'in-flight requests did not finish in time: closing their connections',
    )
    app.server.closeAllConnections()
  }, timeoutMs)
  try {
    await app.close()
    logger.info('HTTP server closed; in-flight requests finished')
  } catch (error) {
    code = 1
    logger.error({ err: error }, 'closing the HTTP server failed')
  } finally {
    clearTimeout(timer)
  }
  try {
    await options.dispose()
    logger.info('services disposed')
  } catch (error) {
    code = 1
    logger.error({ err: error }, 'disposing the services failed')
  }
  return code
}
