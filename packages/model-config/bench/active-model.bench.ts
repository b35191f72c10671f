import { afterAll, beforeAll, bench, describe } from 'vitest'
import { ModelConfigRepository } from '../src/repository.js'
import { type BenchStack, openBenchStack, USAGE_TYPES } from './fixtures.js'

let snapshot: BenchStack
let perQuery: BenchStack
let uncached: ModelConfigRepository
let i = 0
const next = (): string => USAGE_TYPES[i++ % USAGE_TYPES.length] as string

beforeAll(async () => {
  snapshot = await openBenchStack('snapshot')
  perQuery = await openBenchStack('per-query', snapshot.pool)
  uncached = new ModelConfigRepository(snapshot.pool)
})
afterAll(async () => {
  for (const stack of [perQuery, snapshot]) {
    await stack.transactions.close()
    await stack.cache.close()
  }
  await snapshot.pool.close()
})

describe('getActiveModel, 20 usage types x 10 priorities', () => {
  bench(
    'cached service (snapshot reads)',
    async () => {
      await snapshot.service.getActiveModel(next())
    },
    { time: 1500, warmupTime: 300 },
  )

  bench(
    'cached service (per-query reads)',
    async () => {
      await perQuery.service.getActiveModel(next())
    },
    { time: 1500, warmupTime: 300 },
  )

  bench(
    'baseline: uncached single query on the pool',
    async () => {
      await uncached.findActive(next())
    },
    { time: 1500, warmupTime: 300 },
  )
})
