import {
  createPool,
  type DuckDBClient,
  isPoolAcquireTimeoutError,
  isPoolQueueFullError,
  type Pool,
} from '@duckkit/db-pool'
import {
  createTransactionManager,
  type TransactionManager,
} from '@duckkit/db-tx'
import {
  ModelConfigRepository,
  ModelConfigService,
  runMigrations,
  type MigrationResult,
} from '@duckkit/model-config'
import { createQueryCache, type QueryCache } from '@duckkit/query-cache'
import {
  BreakerRegistry,
  classifyError,
  countsAsFailure,
  createChaosInjector,
  createPolicy,
  InvalidOptionError,
  type ChaosInjector,
  type Clock,
  type Logger,
  type Policy,
  clockOption,
} from '@duckkit/resilience'
import type { Redis } from 'ioredis'
import { createContainer, type Container } from './container.js'
import { resolveContainerOptions } from './container-options.js'
import { createLegacyClient } from './legacy-client.js'
import { installProcessClient } from './process-client.js'
import { fromScope } from './registration.js'
import { closeRedis, connectRedis } from './redis-connection.js'
import { requestLogger } from './request-logger.js'
import {
  resolveServiceConfig,
  type Environment,
  type ServiceConfig,
  type ServiceConfigInput,
} from './service-config.js'

/** What {@link createServiceContainer} registers, by name. */
export interface ServiceRegistry {
  /** The validated configuration. */
  config: ServiceConfig
  /** The application logger (pino's shape). */
  logger: Logger
  /** Source of time and timers every package uses. */
  clock: Clock
  /** Circuit breakers by name; `duckdb` guards the database. */
  breakers: BreakerRegistry
  /** Fault injector consulted by the pool; off unless `chaosRate > 0`. */
  chaos: ChaosInjector
  /** Retry + breaker policy for database calls the application wraps. */
  dbPolicy: Policy
  /** The connection pool (opened by `start()`). */
  pool: Pool
  /** The Redis client of the cache's L2 and bus, when `redisUrl` is set. */
  redis: Redis | undefined
  /** The query cache (L1, plus L2 and the bus with Redis). */
  queryCache: QueryCache
  /** Transactions over the pool; commits invalidate the cache. */
  transactionManager: TransactionManager
  /** What the model-config migrations did at start. */
  migrations: MigrationResult
  /** Single-SQL repository of model configurations (reads uncached). */
  modelConfigRepository: ModelConfigRepository
  /** The model-config service (cached reads, transactional writes). */
  modelConfigService: ModelConfigService
  /** Compatibility client on the container's database, for code using `getDuckDBClient()`. */
  duckdbClient: DuckDBClient
  /** Id of the current request (a scope value). */
  requestId: string
  /** Logger of the current request, carrying its `requestId`. */
  requestLogger: Logger
}

/** Names of the scoped registrations of {@link ServiceRegistry}. */
export type ServiceScopedNames = 'requestId' | 'requestLogger'

/** The container {@link createServiceContainer} returns. */
export type ServiceContainer = Container<ServiceRegistry, ServiceScopedNames>

/** Options of {@link createServiceContainer}. */
export interface ServiceContainerOptions {
  /**
   * Configuration fields; they win over the environment.
   * @default {}
   */
  readonly config?: ServiceConfigInput
  /**
   * Environment variables to read (see `SERVICE_CONFIG_FIELDS`).
   * @default process.env when `config` is not given, else none
   */
  readonly env?: Environment
  /**
   * Logger registered as `logger` and passed to every package, such as a pino instance.
   * @default a logger that drops everything
   */
  readonly logger?: Logger
  /**
   * Clock registered as `clock` and passed to every package.
   * @default systemClock
   */
  readonly clock?: Clock
}

/**
 * Creates the DuckKit service container: configuration, logger, resilience
 * (breakers, database policy, chaos injector), the pool, Redis, the query
 * cache, the transaction manager, the model-config migrations, repository and
 * service, and a `getDuckDBClient()` bridge. Configuration is validated here,
 * once. `start()` opens the pool, connects Redis, runs the migrations, seeds
 * and warms up; `dispose()` closes everything in reverse.
 *
 * @example
 * ```ts
 * const container = createServiceContainer({ env: process.env, logger: pino() })
 * await container.start()
 * const models = container.resolve('modelConfigService')
 * await using scope = container.createScope({ requestId: 'r-1' })
 * scope.resolve('requestLogger').info('handling')
 * await container.dispose()
 * ```
 */
export function createServiceContainer(
  options: ServiceContainerOptions = {},
): ServiceContainer {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidOptionError('options', options, 'an object')
  }
  const env =
    options.env ?? (options.config === undefined ? process.env : undefined)
  const config = resolveServiceConfig(options.config ?? {}, env)
  const { logger } = resolveContainerOptions(
    options.logger === undefined ? {} : { logger: options.logger },
  )
  const clock = clockOption(options.clock)
  let uninstallClient: (() => void) | undefined
  const container = createContainer({ logger, now: () => clock.now() })
    .value('config', config)
    .value('logger', logger)
    .value('clock', clock)
    .singleton(
      'breakers',
      (c) =>
        new BreakerRegistry({
          resetTimeoutMs: c.config.breakerResetTimeoutMs,
          // A full pool is local overload, not an unhealthy database: it must not open the breaker.
          isFailure: countsAsDatabaseFailure,
          clock: c.clock,
          logger: c.logger,
        }),
      { dispose: (breakers) => breakers.shutdown() },
    )
    .singleton(
      'chaos',
      (c) =>
        createChaosInjector({
          enabled: c.config.chaosRate > 0,
          ...(c.config.chaosRate > 0 ? { rate: c.config.chaosRate } : {}),
          ...(c.config.chaosSeed === undefined
            ? {}
            : { seed: c.config.chaosSeed }),
          clock: c.clock,
        }),
      { dispose: (chaos) => chaos.disable() },
    )
    .singleton(
      'dbPolicy',
      (c) =>
        createPolicy({
          name: 'duckdb',
          breaker: c.breakers.get('duckdb'),
          retry: { maxAttempts: c.config.retryMaxAttempts },
          clock: c.clock,
        }),
      { dispose: (policy) => policy.shutdown() },
    )
    .asyncSingleton(
      'pool',
      (c) =>
        createPool({
          path: c.config.databasePath,
          config: duckdbSettings(c.config),
          min: c.config.poolMin,
          ...(c.config.poolMax === undefined ? {} : { max: c.config.poolMax }),
          acquireTimeoutMs: c.config.acquireTimeoutMs,
          statementTimeoutMs: c.config.statementTimeoutMs,
          logger: c.logger,
          clock: c.clock,
          chaos: c.chaos,
        }),
      { dispose: (pool) => pool.close() },
    )
    .asyncSingleton(
      'redis',
      (c): Promise<Redis | undefined> =>
        c.config.redisUrl === undefined
          ? Promise.resolve(undefined)
          : connectRedis(c.config.redisUrl, {
              connectTimeoutMs: c.config.redisConnectTimeoutMs,
              required: c.config.redisRequired,
              logger: c.logger,
            }),
      {
        dispose: (redis) =>
          redis === undefined ? undefined : closeRedis(redis),
      },
    )
    .singleton(
      'queryCache',
      (c) =>
        createQueryCache({
          namespace: c.config.cacheNamespace,
          redis: c.redis,
          defaultTtlMs: c.config.cacheTtlMs,
          l1MaxEntries: c.config.cacheL1MaxEntries,
          logger: c.logger,
          clock: c.clock,
        }),
      { dispose: (cache) => cache.close() },
    )
    .singleton(
      'transactionManager',
      (c) =>
        createTransactionManager({
          pool: c.pool,
          listeners: [c.queryCache.transactionListener],
          maxAgeMs: c.config.txMaxAgeMs,
          logger: c.logger,
          clock: c.clock,
        }),
      { dispose: (transactions) => transactions.close() },
    )
    .asyncSingleton('migrations', (c) => runMigrations(c.transactionManager))
    .singleton(
      'modelConfigRepository',
      (c) => new ModelConfigRepository(c.transactionManager),
    )
    .singleton(
      'modelConfigService',
      (c) =>
        new ModelConfigService({
          transactions: c.transactionManager,
          cache: c.queryCache,
          autoSeed: c.config.modelConfigSeed,
          logger: c.logger,
        }),
      {
        dependsOn: ['migrations'],
        start: async (service) => {
          await service.start()
          if (container.resolve('config').warmUp) {
            await service.getAllConfigsGrouped()
          }
        },
      },
    )
    .singleton(
      'duckdbClient',
      (c) =>
        createLegacyClient({
          pool: c.pool,
          cache: c.queryCache,
          logger: c.logger,
        }),
      {
        start: (client) => {
          if (container.resolve('config').installGlobalClient) {
            uninstallClient = installProcessClient(client)
          }
        },
        dispose: async (client) => {
          uninstallClient?.()
          uninstallClient = undefined
          await client.close()
        },
      },
    )
    .scoped('requestId', fromScope<string>())
    .scoped('requestLogger', (c) => requestLogger(c.logger, c.requestId))
  return container
}

function duckdbSettings(
  config: ServiceConfig,
): Record<string, string | number> {
  const settings: Record<string, string | number> = {}
  if (config.duckdbThreads !== undefined)
    settings.threads = config.duckdbThreads
  if (config.duckdbMemoryLimit !== undefined) {
    settings.memory_limit = config.duckdbMemoryLimit
  }
  return settings
}

/** The breaker's judgement: resilience's, except that pool exhaustion does not count. */
function countsAsDatabaseFailure(error: unknown): boolean {
  if (isPoolAcquireTimeoutError(error) || isPoolQueueFullError(error))
    return false
  return countsAsFailure(classifyError(error))
}
