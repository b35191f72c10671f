import { createPool, type Pool } from '@duckkit/db-pool'
import {
  createTransactionManager,
  type TransactionManager,
} from '@duckkit/db-tx'
import { createQueryCache, type QueryCache } from '@duckkit/query-cache'
import { createModelConfigService } from '../src/create-service.js'
import { type ModelConfigService } from '../src/service.js'
import { type ReadStrategy } from '../src/service-options.js'

/** Usage types of the benchmark store. */
export const USAGE_TYPES = Array.from(
  { length: 20 },
  (_, i) => `usage_${String(i).padStart(2, '0')}`,
)
/** Priorities per usage type. */
export const PRIORITIES = 10

/** A pool, cache, transaction manager and service over a store of 20 usage types x 10 priorities. */
export interface BenchStack {
  readonly pool: Pool
  readonly cache: QueryCache
  readonly transactions: TransactionManager
  readonly service: ModelConfigService
}

/** Opens a bench stack; the pool is shared when given. */
export async function openBenchStack(
  readStrategy: ReadStrategy,
  shared?: Pool,
): Promise<BenchStack> {
  const pool = shared ?? (await createPool({ path: ':memory:', max: 2 }))
  const cache = createQueryCache({ namespace: `bench-${readStrategy}` })
  const transactions = createTransactionManager({
    pool,
    listeners: [cache.transactionListener],
  })
  const service = await createModelConfigService({
    transactions,
    cache,
    readStrategy,
    autoSeed: false,
  })
  if (shared === undefined) {
    for (const usageType of USAGE_TYPES) {
      await service.replaceChain(
        usageType,
        Array.from({ length: PRIORITIES }, (_, p) => ({
          modelId: `provider-${p % 3}/model-${p}`,
          modelName: `Model ${p}`,
          provider: `provider-${p % 3}`,
          parameters: { temperature: 0.1 * (p % 10), max_tokens: 1024 },
          enabled: p % 4 !== 1,
        })),
      )
    }
  }
  return { pool, cache, transactions, service }
}

/** A small deterministic PRNG (mulberry32), so every run draws the same mix. */
export function seededRandom(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
