import { createPool, getDuckDBClient } from '@duckkit/db-pool'
import { createTransactionManager } from '@duckkit/db-tx'
import { createServiceContainer } from '@duckkit/di'
import { createQueryCache } from '@duckkit/query-cache'
import { tempDatabasePath } from '@duckkit/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as before from '../src/migration/before.js'
import { runOldCodeOnTheContainer } from '../src/migration/bridge.js'
import { createModelsContainer } from '../src/migration/container.js'
import {
  isModelExistsError,
  isModelNotFoundError,
} from '../src/migration/errors.js'
import { ModelStore } from '../src/migration/model-store.js'
import { MODELS_DDL, type Model } from '../src/migration/schema.js'
import { startModels } from '../src/migration/startup.js'
import { statusOf } from '../src/migration/status.js'

/**
 * The migration guide's claims, checked on its own code: the old module
 * serves a stale chain after a write and reads grouped data in 1 + N
 * queries; the new store serves fresh data, reads in one statement, and
 * throws typed errors that map to HTTP statuses.
 */

const model = (
  usageType: string,
  priority: number,
  modelId: string,
): Model => ({
  usageType,
  priority,
  modelId,
  provider: 'openai',
  enabled: true,
})

const SEED = [
  model('chat', 1, 'gpt-4o'),
  model('chat', 2, 'gpt-4o-mini'),
  model('title', 1, 'gpt-4o-mini'),
  model('embedding', 1, 'text-embedding-3-small'),
]

afterEach(async () => {
  // The old module's client is process-wide; close it between cases.
  await getDuckDBClient().close()
  before.resetLegacyCache()
  vi.unstubAllEnvs()
})

/** Creates the table and the seed rows through the old client. */
async function seedThroughLegacyClient(path: string): Promise<void> {
  vi.stubEnv('DUCKDB_PATH', path)
  await getDuckDBClient().execute(MODELS_DDL)
  for (const m of SEED) await before.addModel(m)
}

describe('before: the old pattern', () => {
  it('serves a stale chain after a write (a forgotten cache key)', async () => {
    await seedThroughLegacyClient(tempDatabasePath())
    expect((await before.getChain('chat')).map((m) => m.modelId)).toEqual([
      'gpt-4o',
      'gpt-4o-mini',
    ])
    await before.setModel(model('chat', 1, 'o3'))
    expect((await before.getActiveModel('chat')).modelId).toBe('o3')
    // The write dropped `active:chat` but not `chain:chat`.
    expect((await before.getChain('chat'))[0]?.modelId).toBe('gpt-4o')
  })

  it('reads grouped data in 1 + N queries', async () => {
    await seedThroughLegacyClient(tempDatabasePath())
    const query = vi.spyOn(getDuckDBClient(), 'query')
    const grouped = await before.getAllGrouped()
    expect(Object.keys(grouped)).toEqual(['chat', 'embedding', 'title'])
    expect(query).toHaveBeenCalledTimes(1 + 3)
  })

  it('throws bare errors that callers can only tell apart by their text', async () => {
    await seedThroughLegacyClient(tempDatabasePath())
    const duplicate = await before
      .addModel(SEED[0] as Model)
      .catch((e: unknown) => e)
    expect(duplicate).toBeInstanceOf(Error)
    expect(Object.getPrototypeOf(duplicate)).toBe(Error.prototype)
    expect(await before.activeModelHandler('vision')).toMatchObject({
      status: 404,
    })
  })
})

describe('after: pool, transactions, query cache, typed errors', () => {
  it('serves fresh data after every write, with no cache key in sight', async () => {
    const app = await startModels(tempDatabasePath())
    try {
      for (const m of SEED) await app.models.addModel(m)
      expect((await app.models.getChain('chat')).map((m) => m.modelId)).toEqual(
        ['gpt-4o', 'gpt-4o-mini'],
      )
      await app.models.setModel(model('chat', 1, 'o3'))
      expect((await app.models.getActiveModel('chat')).modelId).toBe('o3')
      expect((await app.models.getChain('chat'))[0]?.modelId).toBe('o3')
      expect((await app.models.getAllGrouped()).chat?.[0]?.modelId).toBe('o3')
    } finally {
      await app.close()
    }
  })

  it('reads grouped data in one statement, and from the cache the second time', async () => {
    const path = tempDatabasePath()
    const app = await startModels(path)
    try {
      for (const m of SEED) await app.models.addModel(m)
      const first = await app.models.getAllGrouped()
      expect(Object.keys(first)).toEqual(['chat', 'embedding', 'title'])
      expect(first.chat?.map((m) => m.priority)).toEqual([1, 2])
    } finally {
      await app.close()
    }
    // Count what reaches DuckDB, with more usage types, over a fresh cache.
    const pool = await createPool({ path })
    const transactions = createTransactionManager({ pool })
    const cache = createQueryCache()
    try {
      for (let i = 0; i < 10; i += 1) {
        await pool.execute('INSERT INTO models VALUES (?, 1, ?, ?, true)', [
          `usage_${i}`,
          'm',
          'p',
        ])
      }
      const store = new ModelStore({ transactions, cache })
      const query = vi.spyOn(transactions, 'query')
      expect(Object.keys(await store.getAllGrouped())).toHaveLength(13)
      // The statement itself, plus DuckDB's parse of it (once per SQL text).
      expect(query).toHaveBeenCalledTimes(2)
      await store.getAllGrouped()
      expect(query).toHaveBeenCalledTimes(2)
    } finally {
      await transactions.close()
      await cache.close()
      await pool.close()
    }
  })

  it('throws typed errors that map to HTTP statuses', async () => {
    const app = await startModels(tempDatabasePath())
    try {
      await app.models.addModel(SEED[0] as Model)
      const duplicate = await app.models
        .addModel(SEED[0] as Model)
        .catch((e: unknown) => e)
      expect(isModelExistsError(duplicate)).toBe(true)
      expect(statusOf(duplicate)).toBe(409)
      const missing = await app.models
        .getActiveModel('vision')
        .catch((e: unknown) => e)
      expect(isModelNotFoundError(missing)).toBe(true)
      expect(statusOf(missing)).toBe(404)
      expect(statusOf(new Error('anything else'))).toBe(500)
    } finally {
      await app.close()
    }
  })

  it('wires the same store through the container', async () => {
    const container = createModelsContainer(tempDatabasePath())
    await container.start()
    try {
      const models = container.resolve('models')
      await models.addModel(model('chat', 1, 'gpt-4o'))
      expect((await models.getActiveModel('chat')).modelId).toBe('gpt-4o')
    } finally {
      await container.dispose()
    }
    expect(container.stats().state).toBe('disposed')
  })
})

describe('the bridge: old code on the new infrastructure', () => {
  it("runs the old module unchanged on the container's database", async () => {
    const path = tempDatabasePath()
    // The table the old module expects.
    const setup = await createPool({ path })
    await setup.execute(MODELS_DDL)
    await setup.close()

    const chain = await runOldCodeOnTheContainer(path, model('chat', 1, 'o3'))
    expect(chain.map((m) => m.modelId)).toEqual(['o3'])
    const pool = await createPool({ path })
    expect(await pool.query('SELECT model_id FROM models')).toEqual([
      { model_id: 'o3' },
    ])
    await pool.close()
  })

  it("the bridge client's commits invalidate the container's query cache", async () => {
    const path = tempDatabasePath()
    const container = createServiceContainer({
      config: { databasePath: path, installGlobalClient: true },
    })
    await container.start()
    try {
      await getDuckDBClient().execute(MODELS_DDL)
      await before.addModel(model('chat', 1, 'gpt-4o'))
      const cache = container.resolve('queryCache')
      const runner = container.resolve('transactionManager')
      const sql = 'SELECT model_id FROM models WHERE usage_type = ?'
      expect(await cache.query(runner, sql, ['chat'])).toEqual([
        { model_id: 'gpt-4o' },
      ])
      await before.setModel(model('chat', 1, 'o3'))
      expect(await cache.query(runner, sql, ['chat'])).toEqual([
        { model_id: 'o3' },
      ])
    } finally {
      await container.dispose()
    }
  })
})
