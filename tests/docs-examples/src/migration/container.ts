/**
 * Step 6 of the migration guide: the same wiring through the `@duckkit/di`
 * container, which starts things in dependency order and disposes them in
 * reverse.
 */
// #region container
import { createPool } from '@duckkit/db-pool'
import { createTransactionManager } from '@duckkit/db-tx'
import { createContainer } from '@duckkit/di'
import { createQueryCache } from '@duckkit/query-cache'
import { ModelStore } from './model-store.js'
import { MODELS_DDL } from './schema.js'

export function createModelsContainer(path: string, redisUrl?: string) {
  return createContainer()
    .asyncSingleton('pool', () => createPool({ path }), {
      start: (pool) => pool.execute(MODELS_DDL).then(() => undefined),
      dispose: (pool) => pool.close(),
    })
    .singleton(
      'cache',
      () => createQueryCache({ namespace: 'models', redis: redisUrl }),
      { dispose: (cache) => cache.close() },
    )
    .singleton(
      'transactions',
      ({ pool, cache }) =>
        createTransactionManager({
          pool,
          listeners: [cache.transactionListener],
        }),
      { dispose: (transactions) => transactions.close() },
    )
    .singleton(
      'models',
      ({ transactions, cache }) => new ModelStore({ transactions, cache }),
    )
}
// #endregion container
