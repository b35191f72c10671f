import { createPool, type Pool } from '@duckkit/db-pool'
import { requireRedis, uniqueKeyPrefix } from '@duckkit/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type ReadStrategy } from '../src/service-options.js'
import { openStack, type Stack } from './stack.js'

const redis = await requireRedis()

describe.skipIf(redis.skip).each<ReadStrategy>(['snapshot', 'per-query'])(
  'two service instances sharing Redis (%s reads)',
  (readStrategy) => {
    let pool: Pool
    let a: Stack
    let b: Stack
    beforeEach(async () => {
      pool = await createPool({ path: ':memory:', max: 4 })
      const namespace = uniqueKeyPrefix('model-config').replace(/:$/, '')
      a = await openStack({
        pool,
        readStrategy,
        redis: { url: redis.url, namespace },
      })
      b = await openStack({
        pool,
        readStrategy,
        redis: { url: redis.url, namespace },
      })
    })
    afterEach(async () => {
      await a.close()
      await b.close()
      await pool.close()
    })

    it('returns a write made through one instance on the other at once', async () => {
      expect((await a.service.getActiveModel('chat_deep')).modelId).toBe(
        'openrouter/auto',
      )
      expect((await b.service.getActiveModel('chat_deep')).modelId).toBe(
        'openrouter/auto',
      )
      await b.service.upsertConfig({
        usageType: 'chat_deep',
        priority: 1,
        modelId: 'anthropic/claude-sonnet',
        modelName: 'Claude Sonnet',
        provider: 'anthropic',
      })
      expect((await a.service.getActiveModel('chat_deep')).modelId).toBe(
        'anthropic/claude-sonnet',
      )
      expect((await b.service.getActiveModel('chat_deep')).modelId).toBe(
        'anthropic/claude-sonnet',
      )

      await a.service.replaceChain('chat_deep', [
        { modelId: 'x', modelName: 'X', provider: 'openai' },
      ])
      expect(
        (await b.service.getFallbackChain('chat_deep')).map((c) => c.modelId),
      ).toEqual(['x'])
      await a.service.reorderChain('embedding', [1])
      await b.service.deleteConfig('chat_deep', 1)
      await expect(a.service.getActiveModel('chat_deep')).rejects.toMatchObject(
        { code: 'E_NOT_FOUND' },
      )
      await a.service.resetToDefaults()
      expect((await b.service.getActiveModel('chat_deep')).modelId).toBe(
        'openrouter/auto',
      )
    })

    it('serves the other instance from the shared Redis tier', async () => {
      await a.service.getAllConfigsGrouped()
      const before = b.cache.stats()
      await b.service.getAllConfigsGrouped()
      const after = b.cache.stats()
      expect(after.l2.hits - before.l2.hits).toBe(1)
      expect(after.misses).toBe(before.misses)
    })
  },
)
