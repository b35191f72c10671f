import type { DuckDBInstance } from '@duckdb/node-api'
import {
  createPool,
  PoolAcquireTimeoutError,
  type Pool,
} from '@duckkit/db-pool'
import type { TransactionManager } from '@duckkit/db-tx'
import type { ModelConfigService } from '@duckkit/model-config'
import type { QueryCache } from '@duckkit/query-cache'
import {
  requireRedis,
  tempDatabasePath,
  uniqueKeyPrefix,
} from '@duckkit/test-utils'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  createServiceContainer,
  isStartError,
  type ServiceConfigInput,
  type StartError,
} from '../src/index.js'
import { memoryLogger, type LogEntry } from './memory-logger.js'

const redis = await requireRedis()

/** Config of a hermetic container: in-memory database, no Redis, no global client. */
function testConfig(extra: ServiceConfigInput = {}): ServiceConfigInput {
  return {
    databasePath: ':memory:',
    duckdbThreads: 1,
    poolMax: 2,
    installGlobalClient: false,
    ...extra,
  }
}

function recordSteps(container: ReturnType<typeof createServiceContainer>) {
  const started: string[] = []
  const disposed: string[] = []
  container.on('started', (e) => started.push(e.name))
  container.on('disposed', (e) => disposed.push(e.name))
  return { started, disposed }
}

describe('createServiceContainer', () => {
  it('opens the database breaker on I/O failures, never on pool exhaustion', async () => {
    const container = createServiceContainer({ config: testConfig() })
    try {
      const breaker = container.resolve('breakers').get('duckdb')
      const exhausted = new PoolAcquireTimeoutError(10, 5, 2)
      for (let i = 0; i < 20; i++) {
        await expect(
          breaker.execute(() => Promise.reject(exhausted)),
        ).rejects.toBe(exhausted)
      }
      expect(breaker.state).toBe('closed')
      // Same registry defaults, fresh window: real I/O failures do open it.
      const other = container.resolve('breakers').get('duckdb-io-probe')
      const io = new Error(
        'IO Error: Could not read from file "db.duckdb": Input/output error',
      )
      for (let i = 0; i < 20 && other.state === 'closed'; i++) {
        await other.execute(() => Promise.reject(io)).catch(() => undefined)
      }
      expect(other.state).toBe('open')
    } finally {
      await container.dispose()
    }
  })

  it('starts in dependency order and disposes in reverse', async () => {
    const container = createServiceContainer({ config: testConfig() })
    const steps = recordSteps(container)
    await container.start()
    expect(steps.started).toEqual([
      'pool',
      'redis',
      'migrations',
      'modelConfigService',
      'duckdbClient',
    ])
    await container.dispose()
    expect(steps.disposed).toEqual([
      'duckdbClient',
      'transactionManager',
      'queryCache',
      'redis',
      'pool',
      'dbPolicy',
      'chaos',
      'breakers',
    ])
  })

  it('resolves typed services that work together', async () => {
    await using container = createServiceContainer({ config: testConfig() })
    await container.start()
    expectTypeOf(container.resolve('pool')).toEqualTypeOf<Pool>()
    expectTypeOf(
      container.resolve('pool').instance,
    ).toEqualTypeOf<DuckDBInstance>()
    expectTypeOf(
      container.resolve('transactionManager'),
    ).toEqualTypeOf<TransactionManager>()
    expectTypeOf(container.resolve('queryCache')).toEqualTypeOf<QueryCache>()
    expectTypeOf(
      container.resolve('modelConfigService'),
    ).toEqualTypeOf<ModelConfigService>()
    expect(container.resolve('migrations').toVersion).toBeGreaterThan(0)
    const service = container.resolve('modelConfigService')
    const all = await service.getAllConfigs()
    expect(all.length).toBeGreaterThan(0)
    const first = all[0]
    if (first === undefined) throw new Error('seeded configs expected')
    const fromRepository = await container
      .resolve('modelConfigRepository')
      .findByUsageType(first.usageType)
    expect(fromRepository.map((c) => c.modelId)).toContain(first.modelId)
    expect(container.resolve('pool').stats().max).toBe(2)
    expect(container.resolve('redis')).toBeUndefined()
  })

  it('names a failing pool step and stops what had started', async () => {
    const container = createServiceContainer({
      config: testConfig({ databasePath: '/proc/duckkit-nope/x.duckdb' }),
    })
    const steps = recordSteps(container)
    const error = (await container
      .start()
      .catch((e: unknown) => e)) as StartError
    expect(isStartError(error)).toBe(true)
    expect(error.step).toBe('pool')
    expect(error.phase).toBe('create')
    expect(error.message).toContain('"pool"')
    expect(steps.disposed).toEqual(['dbPolicy', 'chaos', 'breakers'])
    expect(container.state).toBe('disposed')
  })

  it('gives every request scope its id and logger', async () => {
    const entries: LogEntry[] = []
    await using container = createServiceContainer({
      config: testConfig(),
      logger: memoryLogger(entries),
    })
    await container.start()
    await using scope = container.createScope({ requestId: 'req-42' })
    expect(scope.resolve('requestId')).toBe('req-42')
    scope.resolve('requestLogger').info({ route: '/models' }, 'handled')
    expect(entries.at(-1)).toEqual({
      level: 'info',
      obj: { route: '/models', requestId: 'req-42' },
      msg: 'handled',
    })
  })

  it('uses a pre-built pool it does not own', async () => {
    const pool = await createPool({ path: ':memory:', max: 2 })
    try {
      const container = createServiceContainer({ config: testConfig() })
      container.override('pool', { value: pool })
      await container.start()
      expect(container.resolve('pool')).toBe(pool)
      const rows = await pool.query<{ n: number }>(
        'SELECT count(*)::INTEGER AS n FROM model_configs',
      )
      expect(rows[0]?.n).toBeGreaterThan(0)
      await container.dispose()
      expect(pool.stats().state).toBe('open')
    } finally {
      await pool.close()
    }
  })

  it('reads its configuration from the environment', async () => {
    const path = tempDatabasePath()
    const container = createServiceContainer({
      env: {
        DUCKDB_PATH: path,
        DUCKKIT_POOL_MAX: '3',
        DUCKKIT_POOL_MIN: '0',
        DUCKKIT_CACHE_TTL_MS: '5000',
        DUCKKIT_MODEL_CONFIG_SEED: 'false',
        DUCKKIT_INSTALL_GLOBAL_CLIENT: '0',
      },
    })
    const config = container.resolve('config')
    expect(config).toMatchObject({
      databasePath: path,
      poolMax: 3,
      poolMin: 0,
      cacheTtlMs: 5000,
      modelConfigSeed: false,
    })
    await container.start()
    expect(
      await container.resolve('modelConfigService').getAllConfigs(),
    ).toEqual([])
    await container.dispose()
  })
})

describe.skipIf(redis.skip)('createServiceContainer with Redis', () => {
  it('connects Redis before the cache and closes it after', async () => {
    const namespace = uniqueKeyPrefix('di').slice(0, -1)
    const container = createServiceContainer({
      config: testConfig({ redisUrl: redis.url, cacheNamespace: namespace }),
    })
    const steps = recordSteps(container)
    await container.start()
    const client = container.resolve('redis')
    expect(client?.status).toBe('ready')
    const cache = container.resolve('queryCache')
    const pool = container.resolve('pool')
    await cache.query(pool, 'SELECT count(*) AS n FROM model_configs')
    await cache.query(pool, 'SELECT count(*) AS n FROM model_configs')
    expect(cache.stats().l2.enabled).toBe(true)
    expect(cache.stats().hits).toBeGreaterThan(0)
    expect((await client?.keys(`${namespace}*`))?.length).toBeGreaterThan(0)
    await container.dispose()
    expect(steps.disposed.indexOf('queryCache')).toBeLessThan(
      steps.disposed.indexOf('redis'),
    )
    expect(client?.status).toBe('end')
  })

  it('fails the redis step when Redis is required and unreachable', async () => {
    const container = createServiceContainer({
      config: testConfig({
        redisUrl: 'redis://127.0.0.1:1',
        redisRequired: true,
        redisConnectTimeoutMs: 500,
      }),
    })
    const steps = recordSteps(container)
    const error = (await container
      .start()
      .catch((e: unknown) => e)) as StartError
    expect(isStartError(error)).toBe(true)
    expect(error.step).toBe('redis')
    expect(steps.disposed).toEqual(['pool', 'dbPolicy', 'chaos', 'breakers'])
  })

  it('starts degraded when Redis is optional and unreachable', async () => {
    const entries: LogEntry[] = []
    const container = createServiceContainer({
      config: testConfig({
        redisUrl: 'redis://127.0.0.1:1',
        redisConnectTimeoutMs: 500,
      }),
      logger: memoryLogger(entries),
    })
    await container.start()
    expect(container.resolve('redis')?.status).not.toBe('ready')
    expect(
      entries.some(
        (e) => e.level === 'warn' && /not reachable/.test(e.msg ?? ''),
      ),
    ).toBe(true)
    expect(
      (await container.resolve('modelConfigService').getAllConfigs()).length,
    ).toBeGreaterThan(0)
    await container.dispose()
  })
})
