import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_MODEL_CONFIGS, DEFAULT_USAGE_TYPES } from '../src/defaults.js'
import { isModelConfigNotFoundError } from '../src/not-found-error.js'
import { type ReadStrategy } from '../src/service-options.js'
import { isModelConfigValidationError } from '../src/validation-error.js'
import { openStack, type Stack } from './stack.js'

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

const gpt = {
  usageType: 'chat_deep',
  priority: 2,
  modelId: 'openai/gpt-4o',
  modelName: 'GPT-4o',
  provider: 'openai',
  parameters: { temperature: 0.2, max_tokens: 4096, stop: ['\n\n'] },
}

describe.each<ReadStrategy>(['snapshot', 'per-query'])(
  'ModelConfigService (%s reads)',
  (readStrategy) => {
    let stack: Stack
    beforeEach(async () => {
      stack = await openStack({ readStrategy })
    })
    afterEach(async () => {
      await stack.close()
    })

    it('seeds the defaults into an empty store at start', async () => {
      const all = await stack.service.getAllConfigs()
      expect(all).toHaveLength(DEFAULT_MODEL_CONFIGS.length)
      expect(all.map((c) => c.usageType)).toEqual(
        [...DEFAULT_USAGE_TYPES].sort(),
      )
      expect(await stack.service.getActiveModel('embedding')).toMatchObject({
        modelId: 'nomic-embed-text',
        provider: 'ollama',
      })
      expect(await stack.service.getActiveModel('inference')).toMatchObject({
        modelId: 'llama3.1:8b',
        provider: 'ollama',
      })
      for (const usageType of DEFAULT_USAGE_TYPES.filter(
        (u) => u !== 'embedding' && u !== 'inference',
      )) {
        expect(await stack.service.getActiveModel(usageType)).toMatchObject({
          modelId: 'openrouter/auto',
          provider: 'openrouter',
          priority: 1,
          enabled: true,
        })
      }
      expect(stack.service.stats().schemaVersion).toBe(1)
    })

    it('returns camelCase configurations with JSON parameters and ISO timestamps', async () => {
      const stored = await stack.service.upsertConfig(gpt)
      expect(stored).toEqual({
        ...gpt,
        enabled: true,
        createdAt: expect.stringMatching(ISO) as unknown,
        updatedAt: expect.stringMatching(ISO) as unknown,
      })
      const [, second] = await stack.service.getConfigsForUsage('chat_deep')
      expect(second).toEqual(stored)
      expect(Object.isFrozen(second)).toBe(true)
    })

    it('upsertConfig updates the row at (usageType, priority) and keeps createdAt', async () => {
      const first = await stack.service.upsertConfig(gpt)
      const second = await stack.service.upsertConfig({
        ...first,
        modelId: 'openai/gpt-4.1',
        parameters: {},
        enabled: false,
      })
      expect(second).toMatchObject({
        modelId: 'openai/gpt-4.1',
        parameters: {},
        enabled: false,
      })
      expect(second.createdAt).toBe(first.createdAt)
      expect(Date.parse(second.updatedAt)).toBeGreaterThanOrEqual(
        Date.parse(first.updatedAt),
      )
      const chain = await stack.service.getConfigsForUsage('chat_deep')
      expect(chain.map((c) => [c.priority, c.modelId])).toEqual([
        [1, 'openrouter/auto'],
        [2, 'openai/gpt-4.1'],
      ])
    })

    it('getActiveModel returns the first enabled configuration by priority', async () => {
      await stack.service.upsertConfig({ ...gpt, priority: 2 })
      await stack.service.upsertConfig({
        ...gpt,
        priority: 1,
        modelId: 'x/disabled',
        enabled: false,
      })
      expect((await stack.service.getActiveModel('chat_deep')).modelId).toBe(
        'openai/gpt-4o',
      )
    })

    it('getActiveModel throws E_NOT_FOUND when no configuration is enabled', async () => {
      const unknown = await stack.service
        .getActiveModel('no_such_usage')
        .catch((e: unknown) => e)
      expect(isModelConfigNotFoundError(unknown)).toBe(true)
      expect(unknown).toMatchObject({
        code: 'E_NOT_FOUND',
        usageType: 'no_such_usage',
      })
      await stack.service.upsertConfig({
        ...DEFAULT_MODEL_CONFIGS[0]!,
        enabled: false,
      })
      const disabled = await stack.service
        .getActiveModel(DEFAULT_MODEL_CONFIGS[0]!.usageType)
        .catch((e: unknown) => e)
      expect(disabled).toMatchObject({ code: 'E_NOT_FOUND' })
      expect(stack.service.stats().notFound).toBe(2)
    })

    it('getFallbackChain lists only enabled configurations in priority order', async () => {
      await stack.service.upsertConfig({ ...gpt, priority: 3 })
      await stack.service.upsertConfig({
        ...gpt,
        priority: 2,
        modelId: 'b/off',
        enabled: false,
      })
      const chain = await stack.service.getFallbackChain('chat_deep')
      expect(chain.map((c) => c.modelId)).toEqual([
        'openrouter/auto',
        'openai/gpt-4o',
      ])
      expect(await stack.service.getFallbackChain('nothing_here')).toEqual([])
    })

    it('getConfigsForUsage includes disabled configurations', async () => {
      await stack.service.upsertConfig({ ...gpt, enabled: false })
      const configs = await stack.service.getConfigsForUsage('chat_deep')
      expect(configs.map((c) => [c.priority, c.enabled])).toEqual([
        [1, true],
        [2, false],
      ])
      expect(await stack.service.getConfigsForUsage('nothing_here')).toEqual([])
    })

    it('getAllConfigsGrouped groups by usage type in priority order', async () => {
      await stack.service.upsertConfig({ ...gpt, priority: 5 })
      await stack.service.upsertConfig({ ...gpt, priority: 3, modelId: 'm3' })
      const grouped = await stack.service.getAllConfigsGrouped()
      expect(Object.keys(grouped).sort()).toEqual(
        [...DEFAULT_USAGE_TYPES].sort(),
      )
      expect(grouped.chat_deep?.map((c) => c.priority)).toEqual([1, 3, 5])
      expect(grouped.embedding?.[0]?.modelId).toBe('nomic-embed-text')
      const all = await stack.service.getAllConfigs()
      expect(Object.values(grouped).flat()).toHaveLength(all.length)
    })

    it('getAvailableModels lists distinct enabled model ids of a provider, sorted', async () => {
      await stack.service.upsertConfig({
        ...gpt,
        provider: 'ollama',
        modelId: 'zeta',
      })
      await stack.service.upsertConfig({
        ...gpt,
        priority: 3,
        provider: 'ollama',
        modelId: 'alpha',
      })
      await stack.service.upsertConfig({
        ...gpt,
        priority: 4,
        provider: 'ollama',
        modelId: 'zeta',
      })
      await stack.service.upsertConfig({
        ...gpt,
        priority: 5,
        provider: 'ollama',
        modelId: 'off',
        enabled: false,
      })
      expect(await stack.service.getAvailableModels('ollama')).toEqual([
        'alpha',
        'llama3.1:8b',
        'nomic-embed-text',
        'zeta',
      ])
      expect(await stack.service.getAvailableModels('openrouter')).toEqual([
        'openrouter/auto',
      ])
      expect(await stack.service.getAvailableModels('anthropic')).toEqual([])
    })

    it('validateModel tells whether an enabled configuration serves the model', async () => {
      await stack.service.upsertConfig({ ...gpt, enabled: false })
      expect(
        await stack.service.validateModel('chat_deep', 'openrouter/auto'),
      ).toBe(true)
      expect(
        await stack.service.validateModel('chat_deep', 'openai/gpt-4o'),
      ).toBe(false)
      expect(
        await stack.service.validateModel('embedding', 'openrouter/auto'),
      ).toBe(false)
      expect(
        await stack.service.validateModel('nothing_here', 'openrouter/auto'),
      ).toBe(false)
    })

    it('deleteConfig deletes one configuration and says whether it existed', async () => {
      await stack.service.upsertConfig(gpt)
      expect(await stack.service.deleteConfig('chat_deep', 2)).toBe(true)
      expect(await stack.service.deleteConfig('chat_deep', 2)).toBe(false)
      expect(
        (await stack.service.getConfigsForUsage('chat_deep')).map(
          (c) => c.priority,
        ),
      ).toEqual([1])
    })

    it('seedDefaults fills only usage types without configurations, idempotently', async () => {
      expect(await stack.service.seedDefaults()).toBe(0)
      await stack.service.deleteConfig('embedding', 1)
      await stack.service.upsertConfig({
        ...gpt,
        usageType: 'chat_title',
        priority: 1,
        modelId: 'mine',
      })
      expect(await stack.service.seedDefaults()).toBe(1)
      expect(await stack.service.seedDefaults()).toBe(0)
      expect((await stack.service.getActiveModel('embedding')).modelId).toBe(
        'nomic-embed-text',
      )
      expect((await stack.service.getActiveModel('chat_title')).modelId).toBe(
        'mine',
      )
    })

    it('resetToDefaults replaces everything with the defaults', async () => {
      await stack.service.upsertConfig(gpt)
      await stack.service.upsertConfig({
        ...gpt,
        usageType: 'custom_usage',
        priority: 1,
      })
      expect(await stack.service.resetToDefaults()).toBe(
        DEFAULT_MODEL_CONFIGS.length,
      )
      const all = await stack.service.getAllConfigs()
      expect(all.map((c) => [c.usageType, c.priority, c.modelId])).toEqual(
        [...DEFAULT_MODEL_CONFIGS]
          .sort((a, b) => (a.usageType < b.usageType ? -1 : 1))
          .map((c) => [c.usageType, c.priority, c.modelId]),
      )
    })

    it('resetToDefaults is one transaction: a failure leaves everything as it was', async () => {
      await stack.service.upsertConfig(gpt)
      const before = await stack.service.getAllConfigs()
      const failure = await stack.transactions
        .transaction(async () => {
          await stack.service.resetToDefaults()
          throw new Error('boom after reset')
        })
        .catch((e: unknown) => e)
      expect(failure).toMatchObject({ message: 'boom after reset' })
      expect(await stack.service.getAllConfigs()).toEqual(before)
    })

    it('replaceChain replaces the whole chain, numbering entries from 1', async () => {
      await stack.service.upsertConfig({ ...gpt, priority: 7 })
      const chain = await stack.service.replaceChain('chat_deep', [
        { modelId: 'a', modelName: 'A', provider: 'openai' },
        {
          modelId: 'b',
          modelName: 'B',
          provider: 'anthropic',
          parameters: { temperature: 1 },
          enabled: false,
        },
      ])
      expect(chain.map((c) => [c.priority, c.modelId, c.enabled])).toEqual([
        [1, 'a', true],
        [2, 'b', false],
      ])
      expect(await stack.service.getConfigsForUsage('chat_deep')).toEqual(chain)
      expect((await stack.service.getConfigsForUsage('embedding')).length).toBe(
        1,
      )
      const created = await stack.service.replaceChain('brand_new', [
        { modelId: 'n', modelName: 'N', provider: 'ollama' },
      ])
      expect(created.map((c) => c.usageType)).toEqual(['brand_new'])
    })

    it('reorderChain moves the configuration at order[i] to priority i + 1', async () => {
      await stack.service.upsertConfig({ ...gpt, priority: 2, modelId: 'two' })
      await stack.service.upsertConfig({ ...gpt, priority: 5, modelId: 'five' })
      const chain = await stack.service.reorderChain('chat_deep', [5, 1, 2])
      expect(chain.map((c) => [c.priority, c.modelId])).toEqual([
        [1, 'five'],
        [2, 'openrouter/auto'],
        [3, 'two'],
      ])
      expect(await stack.service.getConfigsForUsage('chat_deep')).toEqual(chain)
      expect((await stack.service.getActiveModel('chat_deep')).modelId).toBe(
        'five',
      )
    })

    it('reorderChain refuses an order that is not a permutation of the chain', async () => {
      await stack.service.upsertConfig(gpt)
      for (const order of [[1], [2, 1, 3], [3, 1]]) {
        const error = await stack.service
          .reorderChain('chat_deep', order)
          .catch((e: unknown) => e)
        expect(isModelConfigValidationError(error)).toBe(true)
        expect(error).toMatchObject({
          code: 'E_VALIDATION',
          field: 'order',
          rule: 'permutation',
        })
      }
      const missing = await stack.service
        .reorderChain('nothing_here', [1])
        .catch((e: unknown) => e)
      expect(missing).toMatchObject({
        code: 'E_NOT_FOUND',
        usageType: 'nothing_here',
      })
      expect(
        (await stack.service.getConfigsForUsage('chat_deep')).map(
          (c) => c.modelId,
        ),
      ).toEqual(['openrouter/auto', 'openai/gpt-4o'])
    })

    it('reads inside a transaction see its own uncommitted writes', async () => {
      await stack.service.getActiveModel('chat_deep')
      await stack.transactions.transaction(async () => {
        await stack.service.upsertConfig({
          ...gpt,
          priority: 1,
          modelId: 'inside',
        })
        expect((await stack.service.getActiveModel('chat_deep')).modelId).toBe(
          'inside',
        )
      })
      expect((await stack.service.getActiveModel('chat_deep')).modelId).toBe(
        'inside',
      )
    })

    it('serves repeated reads from the cache and re-reads after each write', async () => {
      await stack.service.getActiveModel('chat_deep')
      const before = stack.cache.stats()
      for (let i = 0; i < 5; i += 1)
        await stack.service.getActiveModel('chat_deep')
      const after = stack.cache.stats()
      expect(after.hits - before.hits).toBe(5)
      expect(after.misses).toBe(before.misses)
      await stack.service.upsertConfig({
        ...gpt,
        priority: 1,
        modelId: 'fresh',
      })
      expect((await stack.service.getActiveModel('chat_deep')).modelId).toBe(
        'fresh',
      )
      expect(stack.cache.stats().misses).toBe(after.misses + 1)
    })

    it('builds the snapshot of the table once per version', async () => {
      const perVersion = readStrategy === 'snapshot' ? 1 : 0
      await stack.service.getActiveModel('chat_deep')
      await stack.service.getFallbackChain('embedding')
      await stack.service.getAllConfigs()
      await stack.service.getAvailableModels('ollama')
      expect(stack.service.stats().snapshotBuilds).toBe(perVersion)
      await stack.service.upsertConfig(gpt)
      await stack.service.getActiveModel('chat_deep')
      await stack.service.getAllConfigsGrouped()
      expect(stack.service.stats().snapshotBuilds).toBe(2 * perVersion)
    })

    it('emits a changed event per committed write and counts calls', async () => {
      const changes: unknown[] = []
      stack.service.on('changed', (event) => changes.push(event))
      await stack.service.upsertConfig(gpt)
      await stack.service.deleteConfig('chat_deep', 2)
      expect(changes).toEqual([
        { operation: 'upsert', usageType: 'chat_deep', rows: 1 },
        { operation: 'delete', usageType: 'chat_deep', rows: 1 },
      ])
      await stack.service.getAllConfigs()
      expect(stack.service.stats()).toMatchObject({
        writes: 2,
        reads: 1,
        validationErrors: 0,
      })
    })
  },
)
