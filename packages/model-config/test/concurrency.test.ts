import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ModelConfigRepository } from '../src/repository.js'
import { type ReadStrategy } from '../src/service-options.js'
import { openStack, type Stack } from './stack.js'

const slot = {
  usageType: 'chat_deep',
  priority: 3,
  modelName: 'Racer',
  provider: 'openai',
}

/** A promise with its resolve function, to hold a transaction open at a chosen point. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

describe('concurrent upserts of one (usageType, priority)', () => {
  let stack: Stack
  beforeEach(async () => {
    stack = await openStack()
  })
  afterEach(async () => {
    await stack.close()
  })

  it('retries the loser of a write-write conflict and ends with its value', async () => {
    await stack.service.upsertConfig({ ...slot, modelId: 'before' })
    const held = gate()
    const started = gate()
    const first = stack.transactions.transaction(async () => {
      await stack.service.upsertConfig({ ...slot, modelId: 'first' })
      started.open()
      await held.promise
    })
    await started.promise
    const second = stack.service.upsertConfig({ ...slot, modelId: 'second' })
    // Let the second writer hit the conflict at least once while the first holds its write.
    await vi
      .waitFor(
        () =>
          expect(
            stack.transactions.stats().conflicts.statement,
          ).toBeGreaterThan(0),
        {
          timeout: 5000,
          interval: 1,
        },
      )
      .finally(held.open)
    await first
    await expect(second).resolves.toMatchObject({
      modelId: 'second',
      priority: 3,
    })
    const rows = await stack.pool.query(
      "SELECT model_id FROM model_configs WHERE usage_type = 'chat_deep' AND priority = 3",
    )
    expect(rows).toEqual([{ model_id: 'second' }])
    expect(
      stack.transactions.stats().retries['statement-conflict'],
    ).toBeGreaterThan(0)
  })

  it('lets many parallel upserts all succeed, leaving exactly one row', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => `model-${i}`)
    const results = await Promise.allSettled(
      ids.map((modelId) => stack.service.upsertConfig({ ...slot, modelId })),
    )
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
    const { retries } = stack.transactions.stats()
    const raced =
      retries['statement-conflict'] +
      retries['commit-conflict'] +
      stack.service.stats().duplicateKeyRetries
    expect(raced).toBeGreaterThan(0)
    const rows = await stack.pool.query<{ model_id: string }>(
      "SELECT model_id FROM model_configs WHERE usage_type = 'chat_deep' AND priority = 3",
    )
    expect(rows).toHaveLength(1)
    expect(ids).toContain(rows[0]?.model_id)
    expect(
      (await stack.service.getConfigsForUsage('chat_deep')).find(
        (c) => c.priority === 3,
      )?.modelId,
    ).toBe(rows[0]?.model_id)
  })
})

const oldChain = ['old-1', 'old-2', 'old-3'].map((modelId) => ({
  modelId,
  modelName: modelId,
  provider: 'openai',
}))
const newChain = ['new-1', 'new-2', 'new-3', 'new-4', 'new-5'].map(
  (modelId) => ({
    modelId,
    modelName: modelId,
    provider: 'anthropic',
  }),
)

function whole(ids: readonly string[]): boolean {
  const joined = ids.join(',')
  return (
    joined === oldChain.map((e) => e.modelId).join(',') ||
    joined === newChain.map((e) => e.modelId).join(',')
  )
}

describe.each<ReadStrategy>(['snapshot', 'per-query'])(
  'replaceChain under concurrent readers (%s reads)',
  (readStrategy) => {
    let stack: Stack
    beforeEach(async () => {
      stack = await openStack({ readStrategy })
    })
    afterEach(async () => {
      await stack.close()
    })

    it('every reader sees the whole old chain or the whole new one', async () => {
      await stack.service.replaceChain('chat_deep', oldChain)
      const direct = new ModelConfigRepository(stack.pool)
      const seen = new Set<string>()
      const mixed: string[] = []
      let writing = true
      const writer = (async () => {
        try {
          for (let i = 0; i < 12; i += 1) {
            await stack.service.replaceChain(
              'chat_deep',
              i % 2 === 0 ? newChain : oldChain,
            )
          }
        } finally {
          writing = false
        }
      })()
      const reader = async (
        read: () => Promise<readonly { modelId: string }[]>,
      ) => {
        while (writing) {
          const ids = (await read()).map((c) => c.modelId)
          seen.add(ids.join(','))
          if (!whole(ids)) mixed.push(ids.join(','))
          // Cache hits resolve in microtasks only: yield so the writer's I/O can run.
          await new Promise((resolve) => setImmediate(resolve))
        }
      }
      await Promise.all([
        writer,
        reader(() => stack.service.getConfigsForUsage('chat_deep')),
        reader(() => stack.service.getFallbackChain('chat_deep')),
        reader(
          async () =>
            (await stack.service.getAllConfigsGrouped()).chat_deep ?? [],
        ),
        reader(() => direct.findByUsageType('chat_deep')),
      ])
      expect(mixed).toEqual([])
      expect(seen.size).toBe(2)
      expect(
        (await stack.service.getConfigsForUsage('chat_deep')).map(
          (c) => c.modelId,
        ),
      ).toEqual(oldChain.map((e) => e.modelId))
    })
  },
)
