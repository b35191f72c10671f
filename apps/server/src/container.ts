import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { createServiceContainer } from '@duckkit/di'
import { type Logger } from 'pino'
import { type ServerConfig } from './config.js'
import { type Services } from './services.js'

/** Name of the breaker that guards the database. */
export const DATABASE_BREAKER = 'duckdb'

/**
 * Creates the DuckKit container for the configuration and starts it (pool,
 * Redis, migrations, seeding, warm-up, in dependency order; what started is
 * stopped again when a step fails), then hands out the parts the HTTP layer
 * uses. The folder of a database file is created first.
 */
export async function createServices(
  config: ServerConfig,
  logger: Logger,
): Promise<Services> {
  ensureParentFolder(config.services.databasePath)
  const container = createServiceContainer({
    config: config.services,
    env: {},
    logger,
  })
  await container.start()
  return {
    pool: container.resolve('pool'),
    transactionManager: container.resolve('transactionManager'),
    queryCache: container.resolve('queryCache'),
    modelConfigService: container.resolve('modelConfigService'),
    breakers: container.resolve('breakers'),
    chaos: container.resolve('chaos'),
    dispose: () => container.dispose(),
  }
}

/** Creates the folder of a database file (not for `:memory:` or `md:`-style paths). */
function ensureParentFolder(path: string): void {
  if (path === ':memory:' || /^[a-z]{2,}:/i.test(path)) return
  mkdirSync(dirname(resolve(path)), { recursive: true })
}
