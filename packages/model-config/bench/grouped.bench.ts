import { afterAll, beforeAll, bench, describe } from 'vitest'
import { ModelConfigRepository } from '../src/repository.js'
import { type BenchStack, openBenchStack } from './fixtures.js'
import { NaiveModelConfigRepository } from './naive-repository.js'

let stack: BenchStack
let optimized: ModelConfigRepository
let naive: NaiveModelConfigRepository

beforeAll(async () => {
  stack = await openBenchStack('per-query')
  optimized = new ModelConfigRepository(stack.pool)
  naive = new NaiveModelConfigRepository(stack.pool)
})
afterAll(async () => {
  await stack.transactions.close()
  await stack.cache.close()
  await stack.pool.close()
})

describe('getAllConfigsGrouped, 20 usage types x 10 priorities, uncached', () => {
  bench(
    'optimized: one grouped SQL statement',
    async () => {
      await optimized.findAllGrouped()
    },
    { time: 2000, warmupTime: 300 },
  )

  bench(
    'baseline: N+1 queries',
    async () => {
      await naive.findAllGrouped()
    },
    { time: 2000, warmupTime: 300 },
  )
})
