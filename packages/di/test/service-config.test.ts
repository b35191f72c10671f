import { describe, expect, it } from 'vitest'
import {
  isConfigError,
  loadServiceConfig,
  resolveServiceConfig,
  SERVICE_CONFIG_FIELDS,
  type ConfigError,
} from '../src/index.js'

function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (error) {
    if (isConfigError(error)) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('service configuration', () => {
  it('fills in the documented defaults', () => {
    const config = loadServiceConfig({})
    expect(config).toEqual({
      databasePath: ':memory:',
      duckdbThreads: undefined,
      duckdbMemoryLimit: undefined,
      poolMin: 1,
      poolMax: undefined,
      acquireTimeoutMs: 10_000,
      statementTimeoutMs: 30_000,
      redisUrl: undefined,
      redisRequired: false,
      redisConnectTimeoutMs: 2000,
      cacheNamespace: 'duckkit',
      cacheTtlMs: 60_000,
      cacheL1MaxEntries: 10_000,
      txMaxAgeMs: 60_000,
      breakerResetTimeoutMs: 10_000,
      retryMaxAttempts: 3,
      chaosRate: 0,
      chaosSeed: undefined,
      modelConfigSeed: true,
      warmUp: true,
      installGlobalClient: true,
    })
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('parses every variable from the environment', () => {
    const config = loadServiceConfig({
      DUCKDB_PATH: '/data/app.duckdb',
      DUCKDB_THREADS: '2',
      DUCKDB_MEMORY_LIMIT: '512MB',
      DUCKKIT_POOL_MIN: '2',
      DUCKKIT_POOL_MAX: '8',
      DUCKKIT_POOL_ACQUIRE_TIMEOUT_MS: '500',
      DUCKKIT_STATEMENT_TIMEOUT_MS: '0',
      REDIS_URL: 'redis://cache:6379/2',
      DUCKKIT_REDIS_REQUIRED: 'yes',
      DUCKKIT_REDIS_CONNECT_TIMEOUT_MS: '900',
      DUCKKIT_CACHE_NAMESPACE: 'shop',
      DUCKKIT_CACHE_TTL_MS: '1500',
      DUCKKIT_CACHE_L1_MAX_ENTRIES: '0',
      DUCKKIT_TX_MAX_AGE_MS: '2000',
      DUCKKIT_BREAKER_RESET_TIMEOUT_MS: '3000',
      DUCKKIT_RETRY_MAX_ATTEMPTS: '5',
      DUCKKIT_CHAOS_RATE: '0.25',
      DUCKKIT_CHAOS_SEED: '-7',
      DUCKKIT_MODEL_CONFIG_SEED: 'off',
      DUCKKIT_WARM_UP: 'FALSE',
      DUCKKIT_INSTALL_GLOBAL_CLIENT: '0',
    })
    expect(config).toEqual({
      databasePath: '/data/app.duckdb',
      duckdbThreads: 2,
      duckdbMemoryLimit: '512MB',
      poolMin: 2,
      poolMax: 8,
      acquireTimeoutMs: 500,
      statementTimeoutMs: 0,
      redisUrl: 'redis://cache:6379/2',
      redisRequired: true,
      redisConnectTimeoutMs: 900,
      cacheNamespace: 'shop',
      cacheTtlMs: 1500,
      cacheL1MaxEntries: 0,
      txMaxAgeMs: 2000,
      breakerResetTimeoutMs: 3000,
      retryMaxAttempts: 5,
      chaosRate: 0.25,
      chaosSeed: -7,
      modelConfigSeed: false,
      warmUp: false,
      installGlobalClient: false,
    })
  })

  it('names every bad variable and its value in one error', () => {
    const error = configError(() =>
      loadServiceConfig({
        DUCKKIT_POOL_MAX: 'abc',
        REDIS_URL: 'http://cache:6379',
        DUCKKIT_CACHE_TTL_MS: '-5',
        DUCKKIT_WARM_UP: 'maybe',
        DUCKDB_PATH: '/ok.duckdb',
      }),
    )
    expect(error.code).toBe('E_DI_CONFIG')
    expect(error.issues.map((i) => [i.variable, i.value])).toEqual([
      ['DUCKKIT_POOL_MAX', 'abc'],
      ['REDIS_URL', 'http://cache:6379'],
      ['DUCKKIT_CACHE_TTL_MS', '-5'],
      ['DUCKKIT_WARM_UP', 'maybe'],
    ])
    expect(error.message).toContain(
      'DUCKKIT_POOL_MAX="abc" (expected an integer',
    )
    expect(error.message).toContain('REDIS_URL="http://cache:6379"')
    expect(error.message).toContain('DUCKKIT_CACHE_TTL_MS="-5"')
  })

  it('names bad and unknown fields of a config object', () => {
    const error = configError(() =>
      resolveServiceConfig({
        poolMax: 0,
        cacheTtlMs: '5s' as never,
        poolSize: 4,
      } as never),
    )
    expect(error.issues.map((i) => [i.field, i.variable])).toEqual([
      ['poolSize', undefined],
      ['poolMax', undefined],
      ['cacheTtlMs', undefined],
    ])
    expect(error.message).toContain('poolMax=0')
  })

  it('lets object fields win over the environment', () => {
    const config = resolveServiceConfig(
      { poolMax: 4 },
      { DUCKKIT_POOL_MAX: 'not even a number', DUCKDB_PATH: '/env.duckdb' },
    )
    expect(config.poolMax).toBe(4)
    expect(config.databasePath).toBe('/env.duckdb')
  })

  it('checks poolMin against poolMax', () => {
    const error = configError(() =>
      loadServiceConfig({ DUCKKIT_POOL_MIN: '5', DUCKKIT_POOL_MAX: '2' }),
    )
    expect(error.issues).toEqual([
      {
        field: 'poolMin',
        variable: 'DUCKKIT_POOL_MIN',
        value: 5,
        allowed: 'at most poolMax (2)',
      },
    ])
  })

  it('documents a variable for every field', () => {
    const variables = Object.values(SERVICE_CONFIG_FIELDS).map((f) => f.env)
    expect(new Set(variables).size).toBe(variables.length)
    expect(variables).toContain('DUCKDB_PATH')
    expect(variables).toContain('REDIS_URL')
  })
})
