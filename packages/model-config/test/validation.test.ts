import { createPool } from '@duckkit/db-pool'
import { createTransactionManager } from '@duckkit/db-tx'
import { createQueryCache } from '@duckkit/query-cache'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isInvalidOptionError } from '@duckkit/resilience'
import { ModelConfigService } from '../src/service.js'
import { MAX_INPUT_DEPTH } from '../src/validate.js'
import {
  isModelConfigValidationError,
  type ModelConfigValidationError,
} from '../src/validation-error.js'
import { openStack, type Stack } from './stack.js'

const valid = {
  usageType: 'chat_deep',
  priority: 1,
  modelId: 'openai/gpt-4o',
  modelName: 'GPT-4o',
  provider: 'openai',
}

async function rejection(
  promise: Promise<unknown>,
): Promise<ModelConfigValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isModelConfigValidationError(error))
    throw new Error(`expected a validation error, got ${String(error)}`)
  return error
}

describe('input validation', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await openStack()
  })
  afterAll(async () => {
    await stack.close()
  })

  it.each([
    [{ ...valid, usageType: '' }, 'usageType', 'too_small'],
    [{ ...valid, usageType: 'has space' }, 'usageType', 'pattern'],
    [{ ...valid, usageType: 'x'.repeat(65) }, 'usageType', 'too_big'],
    [{ ...valid, priority: 0 }, 'priority', 'too_small'],
    [{ ...valid, priority: 1.5 }, 'priority', 'invalid_type'],
    [{ ...valid, priority: '1' }, 'priority', 'invalid_type'],
    [{ ...valid, priority: 1001 }, 'priority', 'too_big'],
    [{ ...valid, modelId: '   ' }, 'modelId', 'too_small'],
    [{ ...valid, modelId: 'a\u0000b' }, 'modelId', 'pattern'],
    [{ ...valid, modelName: 42 }, 'modelName', 'invalid_type'],
    [{ ...valid, provider: 'Open AI' }, 'provider', 'pattern'],
    [{ ...valid, enabled: 'yes' }, 'enabled', 'invalid_type'],
    [{ ...valid, parameters: [] }, 'parameters', 'invalid_type'],
    [
      { ...valid, parameters: { temperature: 3 } },
      'parameters.temperature',
      'too_big',
    ],
    [
      { ...valid, parameters: { top_p: -0.1 } },
      'parameters.top_p',
      'too_small',
    ],
    [
      { ...valid, parameters: { max_tokens: 0 } },
      'parameters.max_tokens',
      'too_small',
    ],
    [
      { ...valid, parameters: { max_tokens: 10.5 } },
      'parameters.max_tokens',
      'invalid_type',
    ],
    [
      { ...valid, parameters: { big: 'x'.repeat(20_000) } },
      'parameters',
      'too_big',
    ],
    [{ ...valid, modelID: 'typo' }, 'modelID', 'unknown_key'],
    [{ ...valid, modelId: undefined }, 'modelId', 'invalid_type'],
  ])(
    'upsertConfig input #%# names its field and rule',
    async (input, field, rule) => {
      const error = await rejection(stack.service.upsertConfig(input as never))
      expect(error).toMatchObject({ code: 'E_VALIDATION', field, rule })
      expect(error.message).toContain(field)
      expect(error.issues[0]).toMatchObject({ field, rule })
    },
  )

  it('lists every problem of an input', async () => {
    const error = await rejection(
      stack.service.upsertConfig({
        ...valid,
        priority: -1,
        provider: '',
      }),
    )
    expect(error.issues.map((i) => i.field).sort()).toEqual([
      'priority',
      'provider',
    ])
  })

  it('refuses parameters nested deeper than MAX_INPUT_DEPTH, however deep, without overflowing the stack', async () => {
    const nest = (depth: number): unknown => {
      let value: unknown = 1
      for (let i = 0; i < depth; i += 1) value = { a: value }
      return value
    }
    const fits = await stack.service.upsertConfig({
      ...valid,
      priority: 11,
      parameters: { nested: nest(MAX_INPUT_DEPTH - 2) as never },
    })
    expect(fits.priority).toBe(11)
    for (const depth of [MAX_INPUT_DEPTH, 5000, 100_000]) {
      const error = await rejection(
        stack.service.upsertConfig({
          ...valid,
          priority: 12,
          parameters: { nested: nest(depth) as never },
        }),
      )
      expect(error).toMatchObject({ field: 'parameters', rule: 'too_deep' })
    }
    await expect(
      rejection(
        stack.service.replaceChain('chat_deep', [
          { modelId: 'a', modelName: 'A', provider: 'openai' },
          {
            modelId: 'b',
            modelName: 'B',
            provider: 'openai',
            parameters: { nested: nest(3000) as never },
          },
        ]),
      ),
    ).resolves.toMatchObject({
      field: 'entries.1.parameters',
      rule: 'too_deep',
    })
  })

  it('ignores createdAt and updatedAt so a read configuration can be written back', async () => {
    const stored = await stack.service.upsertConfig({ ...valid, priority: 9 })
    await expect(
      stack.service.upsertConfig({ ...stored, modelName: 'Renamed' }),
    ).resolves.toMatchObject({
      modelName: 'Renamed',
      createdAt: stored.createdAt,
    })
  })

  it('validates the arguments of reads', async () => {
    await expect(
      rejection(stack.service.getActiveModel('bad usage')),
    ).resolves.toMatchObject({
      field: 'usageType',
      rule: 'pattern',
    })
    await expect(
      rejection(stack.service.getFallbackChain(7 as never)),
    ).resolves.toMatchObject({
      field: 'usageType',
      rule: 'invalid_type',
    })
    await expect(
      rejection(stack.service.getConfigsForUsage('')),
    ).resolves.toMatchObject({
      field: 'usageType',
    })
    await expect(
      rejection(stack.service.getAvailableModels('a b')),
    ).resolves.toMatchObject({
      field: 'provider',
      rule: 'pattern',
    })
    await expect(
      rejection(stack.service.validateModel('chat_deep', '')),
    ).resolves.toMatchObject({
      field: 'modelId',
      rule: 'too_small',
    })
    await expect(
      rejection(stack.service.deleteConfig('chat_deep', 0)),
    ).resolves.toMatchObject({
      field: 'priority',
      rule: 'too_small',
    })
  })

  it('validates replaceChain entries with their index', async () => {
    await expect(
      rejection(stack.service.replaceChain('chat_deep', [])),
    ).resolves.toMatchObject({
      field: 'entries',
      rule: 'too_small',
    })
    await expect(
      rejection(
        stack.service.replaceChain('chat_deep', [
          { modelId: 'a', modelName: 'A', provider: 'openai' },
          {
            modelId: 'b',
            modelName: 'B',
            provider: 'openai',
            parameters: { temperature: -1 },
          },
        ]),
      ),
    ).resolves.toMatchObject({
      field: 'entries.1.parameters.temperature',
      rule: 'too_small',
    })
    await expect(
      rejection(
        stack.service.replaceChain('chat_deep', [
          {
            modelId: 'a',
            modelName: 'A',
            provider: 'openai',
            priority: 3,
          } as never,
        ]),
      ),
    ).resolves.toMatchObject({
      field: 'entries.0.priority',
      rule: 'unknown_key',
    })
  })

  it('validates reorderChain orders', async () => {
    await expect(
      rejection(stack.service.reorderChain('chat_deep', [1, 1])),
    ).resolves.toMatchObject({
      field: 'order',
      rule: 'unique',
    })
    await expect(
      rejection(stack.service.reorderChain('chat_deep', [0])),
    ).resolves.toMatchObject({
      field: 'order.0',
      rule: 'too_small',
    })
    await expect(
      rejection(stack.service.reorderChain('chat_deep', [])),
    ).resolves.toMatchObject({
      field: 'order',
      rule: 'too_small',
    })
  })

  it('writes nothing when an input is refused and counts the refusals', async () => {
    const before = await stack.service.getAllConfigs()
    const { validationErrors } = stack.service.stats()
    await rejection(stack.service.upsertConfig({ ...valid, priority: 0 }))
    await rejection(stack.service.replaceChain('chat_deep', []))
    expect(await stack.service.getAllConfigs()).toEqual(before)
    expect(stack.service.stats().validationErrors).toBe(validationErrors + 2)
  })
})

describe('wiring', () => {
  it('refuses to start when the transaction manager does not tell the cache about commits', async () => {
    const pool = await createPool({ path: ':memory:', max: 2 })
    const cache = createQueryCache()
    const transactions = createTransactionManager({ pool })
    const error = await new ModelConfigService({ transactions, cache })
      .start()
      .catch((e: unknown) => e)
    expect(isInvalidOptionError(error)).toBe(true)
    expect(error).toMatchObject({ field: 'transactions' })
    expect((error as Error).message).toContain('transactionListener')
    await transactions.close()
    await cache.close()
    await pool.close()
  })
})

describe('service options', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await openStack()
  })
  afterAll(async () => {
    await stack.close()
  })

  it.each([
    [{ transactions: undefined }, 'transactions'],
    [{ cache: {} }, 'cache'],
    [{ cacheTtlMs: 0 }, 'cacheTtlMs'],
    [{ readStrategy: 'lazy' }, 'readStrategy'],
    [{ autoSeed: 'yes' }, 'autoSeed'],
    [{ defaults: [{ usageType: 'x' }] }, 'defaults[0]'],
    [
      {
        defaults: [
          {
            usageType: 'x',
            priority: 1,
            modelId: 'm',
            modelName: 'M',
            provider: 'p',
          },
          {
            usageType: 'x',
            priority: 1,
            modelId: 'n',
            modelName: 'N',
            provider: 'p',
          },
        ],
      },
      'defaults[1]',
    ],
    [{ logger: 'console' }, 'logger'],
  ])('refuses bad option #%# naming the field', (override, field) => {
    const create = () =>
      new ModelConfigService({
        transactions: stack.transactions,
        cache: stack.cache,
        ...(override as object),
      })
    expect(create).toThrow(
      expect.objectContaining({ code: 'E_INVALID_OPTION', field }) as Error,
    )
    try {
      create()
    } catch (error) {
      expect(isInvalidOptionError(error)).toBe(true)
    }
  })
})
