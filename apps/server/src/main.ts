import { randomBytes } from 'node:crypto'
import { pino } from 'pino'
import { buildApp } from './app.js'
import { loadConfig, type ServerConfig } from './config.js'
import { isServerConfigError } from './config-error.js'
import { createServices } from './container.js'
import { type Lifecycle } from './routes/health.js'
import { gracefulShutdown } from './shutdown.js'

/** Entry point: `node dist/main.js`. Configuration comes from the environment (see README). */
async function main(): Promise<void> {
  let config: ServerConfig
  try {
    config = loadConfig()
  } catch (error) {
    if (!isServerConfigError(error)) throw error
    pino().fatal({ issues: error.issues, code: error.code }, error.message)
    process.exitCode = 2
    return
  }
  const logger = pino({
    level: config.logLevel,
    base: { service: 'duckkit-server' },
  })
  let adminToken = config.adminToken
  if (adminToken === undefined) {
    adminToken = randomBytes(24).toString('base64url')
    logger.warn(
      { adminToken },
      'DUCKKIT_ADMIN_TOKEN is not set: generated an admin token for this run (logged only now)',
    )
  }
  const services = await createServices(config, logger)
  const lifecycle: Lifecycle = { shuttingDown: false }
  const app = await buildApp({
    services,
    adminToken,
    chaos: config.chaos,
    bodyLimitBytes: config.bodyLimitBytes,
    logger,
    lifecycle,
  })

  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once')
      logger.flush()
      process.exit(1)
    }
    stopping = true
    logger.info({ signal }, 'shutting down')
    void gracefulShutdown({
      app,
      dispose: () => services.dispose(),
      lifecycle,
      timeoutMs: config.shutdownTimeoutMs,
      logger,
    }).then((code) => {
      logger.info({ code }, 'stopped')
      logger.flush()
      process.exit(code)
    })
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)

  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    logger.fatal({ err: error }, 'could not listen')
    await app.close().catch(() => undefined)
    await services.dispose()
    process.exitCode = 1
    return
  }
  logger.info(
    {
      database: config.services.databasePath,
      redis: config.services.redisUrl === undefined ? 'off' : 'on',
      chaos: config.chaos,
    },
    'duckkit server ready',
  )
}

try {
  await main()
} catch (error) {
  pino().fatal({ err: error }, 'the service could not start')
  process.exitCode = 1
}
