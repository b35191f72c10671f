import { createPool, type Pool } from '@duckkit/db-pool'
import { createTransactionManager } from '@duckkit/db-tx'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_MODEL_CONFIGS } from '../src/defaults.js'
import { type NewModelConfig } from '../src/model-config.js'
import { ModelConfigRepository } from '../src/repository.js'
import { runMigrations } from '../src/run-migrations.js'
import { type SqlParams } from '../src/sql-runner.js'

const config = (
  usageType: string,
  priority: number,
  modelId: string,
  extra: Partial<NewModelConfig> = {},
): NewModelConfig => ({
  usageType,
  priority,
  modelId,
  modelName: modelId.toUpperCase(),
  provider: 'openai',
  parameters: {},
  enabled: true,
  ...extra,
})

describe('ModelConfigRepository', () => {
  let pool: Pool
  let repository: ModelConfigRepository
  let statements: string[]
  beforeEach(async () => {
    pool = await createPool({ path: ':memory:', max: 2 })
    const tm = createTransactionManager({ pool })
    await runMigrations(tm)
    await tm.close()
    statements = []
    repository = new ModelConfigRepository({
      query: (sql: string, params?: SqlParams) => {
        statements.push(sql)
        return pool.query(sql, params)
      },
    })
  })
  afterEach(async () => {
    await pool.close()
  })

  it('runs exactly one statement per operation', async () => {
    const operations: (() => Promise<unknown>)[] = [
      () => repository.findByUsageType('a'),
      () => repository.findEnabledByUsageType('a'),
      () => repository.findActive('a'),
      () => repository.findAll(),
      () => repository.findAllGrouped(),
      () => repository.findAvailableModels('openai'),
      () => repository.upsert(config('a', 1, 'm')),
      () => repository.delete('a', 1),
      () => repository.deleteAll(),
      () => repository.isEmpty(),
      () => repository.seedDefaults(DEFAULT_MODEL_CONFIGS),
      () => repository.replaceChain('a', [config('a', 1, 'x')]),
      () => repository.reorderChain('a', [1]),
    ]
    for (const operation of operations) {
      statements = []
      await operation()
      expect(statements).toHaveLength(1)
    }
  })

  it('upserts, reads and deletes', async () => {
    expect(await repository.isEmpty()).toBe(true)
    await repository.upsert(
      config('a', 2, 'two', {
        parameters: { temperature: 0.5, nested: { x: [1, 'é"'] } },
      }),
    )
    await repository.upsert(config('a', 1, 'one', { enabled: false }))
    await repository.upsert(config('b', 1, 'bee', { provider: 'ollama' }))
    expect(await repository.isEmpty()).toBe(false)
    expect(
      (await repository.findByUsageType('a')).map((c) => c.modelId),
    ).toEqual(['one', 'two'])
    expect(
      (await repository.findEnabledByUsageType('a')).map((c) => c.modelId),
    ).toEqual(['two'])
    expect(await repository.findActive('a')).toMatchObject({
      modelId: 'two',
      parameters: { temperature: 0.5, nested: { x: [1, 'é"'] } },
    })
    expect(await repository.findActive('zzz')).toBeUndefined()
    expect(
      (await repository.findAll()).map((c) => `${c.usageType}/${c.priority}`),
    ).toEqual(['a/1', 'a/2', 'b/1'])
    const grouped = await repository.findAllGrouped()
    expect(Object.keys(grouped)).toEqual(['a', 'b'])
    expect(grouped.a?.map((c) => c.modelId)).toEqual(['one', 'two'])
    expect(await repository.findAvailableModels('openai')).toEqual(['two'])
    expect(await repository.delete('a', 1)).toBe(true)
    expect(await repository.delete('a', 1)).toBe(false)
    expect(await repository.deleteAll()).toBe(2)
    expect(await repository.isEmpty()).toBe(true)
  })

  it('seeds only usage types without configurations', async () => {
    await repository.upsert(config('embedding', 3, 'mine'))
    expect(await repository.seedDefaults(DEFAULT_MODEL_CONFIGS)).toBe(
      DEFAULT_MODEL_CONFIGS.length - 1,
    )
    expect(await repository.seedDefaults(DEFAULT_MODEL_CONFIGS)).toBe(0)
    expect(
      (await repository.findByUsageType('embedding')).map((c) => c.modelId),
    ).toEqual(['mine'])
    expect(await repository.seedDefaults([])).toBe(0)
  })

  it('replaces a chain with MERGE and leaves other usage types alone', async () => {
    for (const p of [1, 2, 3, 4])
      await repository.upsert(config('a', p, `a${p}`))
    await repository.upsert(config('b', 1, 'b1'))
    const chain = await repository.replaceChain('a', [
      {
        modelId: 'n1',
        modelName: 'N1',
        provider: 'x',
        parameters: { t: 1 },
        enabled: false,
      },
      {
        modelId: 'n2',
        modelName: 'N2',
        provider: 'y',
        parameters: {},
        enabled: true,
      },
    ])
    expect(
      chain.map((c) => [c.priority, c.modelId, c.enabled, c.parameters]),
    ).toEqual([
      [1, 'n1', false, { t: 1 }],
      [2, 'n2', true, {}],
    ])
    expect((await repository.findAll()).map((c) => c.modelId)).toEqual([
      'n1',
      'n2',
      'b1',
    ])
  })

  it('reorders a chain with one UPDATE, even when priorities swap', async () => {
    for (const p of [1, 2, 3, 4])
      await repository.upsert(config('a', p, `a${p}`))
    expect(
      (await repository.reorderChain('a', [4, 3, 2, 1])).map((c) => c.modelId),
    ).toEqual(['a4', 'a3', 'a2', 'a1'])
    expect(
      (await repository.reorderChain('a', [2, 3, 4, 1])).map((c) => c.modelId),
    ).toEqual(['a3', 'a2', 'a1', 'a4'])
    expect(await repository.reorderChain('a', [1, 2, 3])).toEqual([])
    expect(await repository.reorderChain('a', [1, 2, 3, 5])).toEqual([])
    expect(
      (await repository.findByUsageType('a')).map((c) => c.modelId),
    ).toEqual(['a3', 'a2', 'a1', 'a4'])
  })

  it('compacts priorities when reordering a chain with gaps', async () => {
    for (const p of [2, 5, 9]) await repository.upsert(config('a', p, `a${p}`))
    const chain = await repository.reorderChain('a', [9, 2, 5])
    expect(chain.map((c) => [c.priority, c.modelId])).toEqual([
      [1, 'a9'],
      [2, 'a2'],
      [3, 'a5'],
    ])
  })

  it('reuses the mapped result when the runner returns the same rows again', async () => {
    await repository.upsert(config('a', 1, 'one'))
    let cached: readonly object[] | undefined
    const memo = new ModelConfigRepository({
      query: async (sql: string, params?: SqlParams) =>
        (cached ??= await pool.query(sql, params)),
    })
    const first = await memo.findAllGrouped()
    expect(await memo.findAllGrouped()).toBe(first)
    expect(Object.isFrozen(first.a?.[0]?.parameters)).toBe(true)
  })
})
