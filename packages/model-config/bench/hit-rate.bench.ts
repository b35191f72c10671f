import { afterAll, beforeAll, bench, describe } from 'vitest'
import { type ReadStrategy } from '../src/service-options.js'
import {
  type BenchStack,
  openBenchStack,
  PRIORITIES,
  seededRandom,
  USAGE_TYPES,
} from './fixtures.js'

/** Operations of the 95 % read / 5 % write mix per measured run. */
const OPERATIONS = 2000

async function runMix(
  stack: BenchStack,
  seed: number,
): Promise<{ hitRate: number; writes: number }> {
  const random = seededRandom(seed)
  const before = stack.cache.stats()
  let writes = 0
  for (let n = 0; n < OPERATIONS; n += 1) {
    const usageType = USAGE_TYPES[
      Math.floor(random() * USAGE_TYPES.length)
    ] as string
    if (random() < 0.05) {
      writes += 1
      const priority = 1 + Math.floor(random() * PRIORITIES)
      await stack.service.upsertConfig({
        usageType,
        priority,
        modelId: `rewritten-${n}`,
        modelName: 'Rewritten',
        provider: 'provider-0',
      })
    } else {
      const kind = random()
      if (kind < 0.6) await stack.service.getActiveModel(usageType)
      else if (kind < 0.9) await stack.service.getFallbackChain(usageType)
      else await stack.service.getAvailableModels('provider-0')
    }
  }
  const after = stack.cache.stats()
  const hits = after.hits - before.hits
  const misses = after.misses - before.misses
  return { hitRate: hits / (hits + misses), writes }
}

const stacks = new Map<ReadStrategy, BenchStack>()

beforeAll(async () => {
  for (const strategy of ['snapshot', 'per-query'] as const) {
    const stack = await openBenchStack(strategy)
    stacks.set(strategy, stack)
    const { hitRate, writes } = await runMix(stack, 42)
    console.log(
      `[hit rate] ${strategy}: ${(hitRate * 100).toFixed(1)} % over ${OPERATIONS} operations (${writes} writes, 95/5 mix across ${USAGE_TYPES.length} usage types)`,
    )
  }
})
afterAll(async () => {
  for (const stack of stacks.values()) {
    await stack.transactions.close()
    await stack.cache.close()
    await stack.pool.close()
  }
})

describe('95 % read / 5 % write mix, 100 operations per iteration', () => {
  let seed = 1000
  for (const strategy of ['snapshot', 'per-query'] as const) {
    bench(
      `${strategy} reads`,
      async () => {
        const stack = stacks.get(strategy)
        if (stack !== undefined) await runMixSlice(stack, (seed += 1))
      },
      { time: 1500, warmupTime: 200, iterations: 5 },
    )
  }
})

async function runMixSlice(stack: BenchStack, seed: number): Promise<void> {
  const random = seededRandom(seed)
  for (let n = 0; n < 100; n += 1) {
    const usageType = USAGE_TYPES[
      Math.floor(random() * USAGE_TYPES.length)
    ] as string
    if (random() < 0.05) {
      await stack.service.upsertConfig({
        usageType,
        priority: 1 + Math.floor(random() * PRIORITIES),
        modelId: `slice-${seed}-${n}`,
        modelName: 'Slice',
        provider: 'provider-0',
      })
    } else {
      await stack.service.getActiveModel(usageType)
    }
  }
}
