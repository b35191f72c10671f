/**
 * Step 1 and 3 of the migration guide: create the pool, the cache and the
 * transaction manager once, at start-up, and hand them to the code that
 * needs them.
 */
import { createPool } from '@duckkit/db-pool'
import { createTransactionManager } from '@duckkit/db-tx'
import { createQueryCache } from '@duckkit/query-cache'
import { ModelStore } from './model-store.js'
import { MODELS_DDL } from './schema.js'

/** What {@link startModels} created. */
export interface Started {
  readonly models: ModelStore
  /** Closes the transaction manager, the cache and the pool, in that order. */
  close(): Promise<void>
}

/** Opens the database at `path` (with Redis when `redisUrl` is given). */
export async function startModels(
  path: string,
  redisUrl?: string,
): Promise<Started> {
  // #region startup
  const pool = await createPool({ path })
  const cache = createQueryCache({ namespace: 'models', redis: redisUrl })
  // Commits tell the cache which tables they wrote.
  const transactions = createTransactionManager({
    pool,
    listeners: [cache.transactionListener],
  })
  await pool.execute(MODELS_DDL)
  const models = new ModelStore({ transactions, cache })
  // #endregion startup
  return {
    models,
    close: async () => {
      // #region shutdown
      await transactions.close() // waits for running transactions
      await cache.close()
      await pool.close()
      // #endregion shutdown
    },
  }
}
