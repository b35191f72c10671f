import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import {
  isServerConfigError,
  type ServerConfigError,
} from '../src/config-error.js'

describe('loadConfig', () => {
  it('fills the embedded defaults: a DuckDB file under ./data, memory cache, 127.0.0.1:3000', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      adminToken: undefined,
      chaos: false,
      bodyLimitBytes: 1_048_576,
      shutdownTimeoutMs: 10_000,
      logLevel: 'info',
    })
    expect(config.services).toMatchObject({
      databasePath: './data/duckkit.duckdb',
      redisUrl: undefined,
      installGlobalClient: false,
    })
  })

  it('reads the server variables and passes the container variables to @duckkit/di', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '0',
      DUCKKIT_ADMIN_TOKEN: 'a-long-enough-token',
      DUCKKIT_CHAOS: '1',
      DUCKKIT_BODY_LIMIT: '2048',
      DUCKKIT_SHUTDOWN_TIMEOUT_MS: '500',
      LOG_LEVEL: 'WARN',
      DUCKDB_PATH: '/tmp/x.duckdb',
      DUCKKIT_POOL_MAX: '3',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      DUCKKIT_CACHE_NAMESPACE: 'svc',
      DUCKKIT_INSTALL_GLOBAL_CLIENT: '1',
    })
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      adminToken: 'a-long-enough-token',
      chaos: true,
      bodyLimitBytes: 2048,
      shutdownTimeoutMs: 500,
      logLevel: 'warn',
    })
    expect(config.services).toMatchObject({
      databasePath: '/tmp/x.duckdb',
      poolMax: 3,
      redisUrl: 'redis://127.0.0.1:6379/2',
      cacheNamespace: 'svc',
      installGlobalClient: true,
    })
    expect(loadConfig({ PORT: '', DUCKKIT_CHAOS: 'off' })).toMatchObject({
      port: 3000,
      chaos: false,
    })
  })

  it('names every bad variable at once, its own and the container ones, and never shows the token', () => {
    let error: unknown
    try {
      loadConfig({
        PORT: '70000',
        DUCKKIT_POOL_MAX: 'many',
        REDIS_URL: 'http://localhost',
        DUCKKIT_ADMIN_TOKEN: 'short secret',
        DUCKKIT_CHAOS: 'maybe',
        LOG_LEVEL: 'loud',
        DUCKKIT_BODY_LIMIT: '-1',
      })
    } catch (caught) {
      error = caught
    }
    expect(isServerConfigError(error)).toBe(true)
    const e = error as ServerConfigError
    expect(e.code).toBe('E_SERVER_CONFIG')
    expect(e.issues.map((issue) => issue.variable).sort()).toEqual(
      [
        'PORT',
        'DUCKKIT_ADMIN_TOKEN',
        'DUCKKIT_CHAOS',
        'DUCKKIT_BODY_LIMIT',
        'LOG_LEVEL',
        'DUCKKIT_POOL_MAX',
        'REDIS_URL',
      ].sort(),
    )
    expect(e.message).toContain(
      'PORT="70000" (expected an integer from 0 to 65535)',
    )
    expect(e.message).toContain('DUCKKIT_POOL_MAX="many"')
    expect(e.message).not.toContain('short secret')
    expect(isServerConfigError(new Error('x'))).toBe(false)
  })
})
