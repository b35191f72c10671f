import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { pingRedis } from '@duckkit/test-utils'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

/**
 * Runs the usage examples of the package READMEs (mirrored verbatim in
 * src/readme/, see snippets.test.ts) against real DuckDB and Redis, and
 * checks what they did. The examples open files such as `app.duckdb` in the
 * working directory, so each runs in a fresh temporary one.
 */

const home = process.cwd()
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'duckkit-readme-'))
  process.chdir(dir)
})
afterAll(() => {
  process.chdir(home)
  rmSync(dir, { recursive: true, force: true })
})

/** Runs SQL on a database file and closes it again (the examples open it next). */
async function prepare(path: string, ...statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(path)
  const connection = await instance.connect()
  for (const sql of statements) await connection.run(sql)
  connection.closeSync()
  instance.closeSync()
}

/** Reads rows of a database file the examples wrote. */
async function read(path: string, sql: string): Promise<unknown[]> {
  const instance = await DuckDBInstance.create(path)
  const connection = await instance.connect()
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJson()
  connection.closeSync()
  instance.closeSync()
  return rows
}

describe('README usage examples', () => {
  it('resilience: the policy runs the query through breaker and timeout', async () => {
    const example = await import('../src/readme/resilience-usage.js')
    expect(example.policyStats).toMatchObject({ calls: 1, successes: 1 })
    expect(example.headers.size).toBe(0)
  })

  it('db-pool: query, execute, withConnection and acquire on a file database', async () => {
    await prepare(
      'app.duckdb',
      'CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR)',
      "INSERT INTO users VALUES (1, 'ada')",
      'CREATE TABLE audit (event VARCHAR)',
    )
    const example = await import('../src/readme/db-pool-usage.js')
    expect(example.result.users).toEqual([{ id: 1, name: 'ada' }])
    expect(example.result.state).toBe('closed')
    expect(await read('app.duckdb', 'SELECT name FROM users')).toEqual([
      { name: 'Ada' },
    ])
    expect(await read('app.duckdb', 'SELECT event FROM audit')).toEqual([
      { event: 'login' },
    ])
  })

  it('db-pool: the DuckDBClient facade in pool mode', async () => {
    await prepare(
      'app.duckdb',
      'CREATE TABLE orders (id INTEGER PRIMARY KEY, status VARCHAR)',
      "INSERT INTO orders VALUES (1, 'open')",
    )
    const example = await import('../src/readme/db-pool-client.js')
    expect(example.result).toEqual({
      rows: [{ id: 1, status: 'open' }],
      closed: true,
    })
    expect(await read('app.duckdb', 'SELECT * FROM orders')).toEqual([
      { id: 2, status: 'open' },
    ])
  })

  it('db-tx: a transfer with afterCommit, and a nested unit rolled back alone', async () => {
    await prepare(
      'bank.duckdb',
      'CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER)',
      'INSERT INTO accounts VALUES (1, 100), (2, 0)',
      'CREATE TABLE orders (id INTEGER, total INTEGER)',
      'CREATE TABLE points (order_id INTEGER, points INTEGER)',
      'CREATE TABLE outbox (order_id INTEGER)',
    )
    const example = await import('../src/readme/db-tx-usage.js')
    expect(example.notifications).toEqual(['1 -> 2: 30'])
    expect(example.warnings).toEqual(['no points this time'])
    // The inner unit wrote before failing, so its rollback replayed the
    // outer unit's INSERT on a fresh transaction.
    expect(example.txStats).toMatchObject({
      committed: 2,
      savepointRollbacks: 1,
      replays: 1,
      replayedStatements: 1,
    })
    expect(
      await read('bank.duckdb', 'SELECT id, balance FROM accounts ORDER BY id'),
    ).toEqual([
      { id: 1, balance: 70 },
      { id: 2, balance: 30 },
    ])
    expect(await read('bank.duckdb', 'SELECT id FROM orders')).toEqual([
      { id: 7 },
    ])
    expect(await read('bank.duckdb', 'SELECT * FROM points')).toEqual([])
    expect(await read('bank.duckdb', 'SELECT * FROM outbox')).toEqual([
      { order_id: 7 },
    ])
  })

  it('di: the typed container starts, scopes and disposes in order', async () => {
    await prepare('app.duckdb', 'SELECT 1')
    const example = await import('../src/readme/di-container.js')
    expect(example.flushed).toEqual(['r-1'])
    expect(example.state).toBe('disposed')
  })

  it('di: the service container serves model configurations', async () => {
    const example = await import('../src/readme/di-service-container.js')
    expect(example.active).toMatchObject({
      usageType: 'chat_deep',
      priority: 1,
    })
  })
})

// The two examples below name Redis at 127.0.0.1:6379 in their code.
const redisUp = await pingRedis('127.0.0.1', 6379)
if (!redisUp && process.env.CI === 'true') {
  throw new Error('Redis at 127.0.0.1:6379 is required under CI=true')
}

describe.skipIf(!redisUp)('README usage examples with Redis', () => {
  // The examples' namespaces are fixed by the READMEs: remove what they leave.
  afterAll(async () => {
    const redis = new Redis({ host: '127.0.0.1', port: 6379 })
    try {
      for (const namespace of ['shop', 'app']) {
        await redis.del(`{${namespace}:}v`, `{${namespace}:}m`)
        const entries = await redis.keys(`${namespace}:e:*`)
        if (entries.length > 0) await redis.del(...entries)
      }
    } finally {
      redis.disconnect()
    }
  })

  it('query-cache: cached reads, invalidation by statement and by tag', async () => {
    const example = await import('../src/readme/query-cache-usage.js')
    expect(example.result.user).toEqual({ id: 42, name: 'ada' })
    expect(example.result.report).toEqual({ orders: 3, users: 1 })
    expect(example.result.stats.invalidations).toMatchObject({
      tables: { users: 1 },
      tags: { reports: 1 },
    })
  })

  it('model-config: migrate, seed, read and write model configurations', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    try {
      const example = await import('../src/readme/model-config-usage.js')
      expect(example.result.modelId).toBe('openrouter/auto')
      expect(example.result.chain.map((c) => c.modelId)).toEqual([
        'openrouter/auto',
      ])
      expect(log).toHaveBeenCalledWith('E_NOT_FOUND', 'vision')
    } finally {
      log.mockRestore()
    }
    const chain = await read(
      'app.duckdb',
      "SELECT priority, model_id FROM model_configs WHERE usage_type = 'chat_deep' ORDER BY priority",
    )
    expect(chain).toEqual([
      { priority: 1, model_id: 'anthropic/claude-sonnet-4' },
      { priority: 2, model_id: 'openrouter/auto' },
    ])
  })
})
