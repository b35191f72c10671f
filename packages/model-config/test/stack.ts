import { createPool, type Pool } from '@duckkit/db-pool'
import {
  createTransactionManager,
  type TransactionManager,
} from '@duckkit/db-tx'
import { createQueryCache, type QueryCache } from '@duckkit/query-cache'
import { createModelConfigService } from '../src/create-service.js'
import { type ModelConfigService } from '../src/service.js'
import { type ModelConfigServiceOptions } from '../src/service-options.js'

/** One service with everything under it; `close` tears it all down. */
export interface Stack {
  readonly pool: Pool
  readonly cache: QueryCache
  readonly transactions: TransactionManager
  readonly service: ModelConfigService
  readonly close: () => Promise<void>
}

/** What {@link openStack} accepts. */
export interface StackOptions extends Partial<
  Omit<ModelConfigServiceOptions, 'transactions' | 'cache'>
> {
  /** Database path. @default ':memory:' */
  path?: string
  /** Share this pool instead of opening one (it is then not closed by `close`). */
  pool?: Pool
  /** Redis URL and namespace for the cache; in-process only without it. */
  redis?: { url: string; namespace: string }
}

/** Opens a pool (unless given), a cache, a transaction manager wired to it and a started service. */
export async function openStack(options: StackOptions = {}): Promise<Stack> {
  const { path = ':memory:', pool: shared, redis, ...serviceOptions } = options
  const pool = shared ?? (await createPool({ path, max: 4 }))
  const cache = createQueryCache(
    redis === undefined ? {} : { redis: redis.url, namespace: redis.namespace },
  )
  const transactions = createTransactionManager({
    pool,
    listeners: [cache.transactionListener],
  })
  const close = async (): Promise<void> => {
    await transactions.close()
    await cache.close()
    if (shared === undefined) await pool.close()
  }
  try {
    const service = await createModelConfigService({
      transactions,
      cache,
      ...serviceOptions,
    })
    return { pool, cache, transactions, service, close }
  } catch (error) {
    await close()
    throw error
  }
}
