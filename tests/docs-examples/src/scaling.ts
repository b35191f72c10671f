/**
 * The runbook's scaling examples: the service container with a Redis Cluster
 * for the cache tier, and with a DuckLake database (PostgreSQL catalog, data
 * files in object storage) instead of a local file.
 */
import { DuckDBInstance } from '@duckdb/node-api'
import { createPool } from '@duckkit/db-pool'
import { createServiceContainer, type ServiceConfigInput } from '@duckkit/di'
import { createQueryCache } from '@duckkit/query-cache'
import { Cluster } from 'ioredis'

/** A Redis Cluster node. */
export interface ClusterNode {
  readonly host: string
  readonly port: number
}

/** The service container with its cache tier on a Redis Cluster. */
export function clusteredContainer(
  config: ServiceConfigInput,
  nodes: readonly ClusterNode[],
) {
  // #region cluster
  const container = createServiceContainer({ config })
  const cluster = new Cluster([...nodes], {
    enableOfflineQueue: false,
    redisOptions: { maxRetriesPerRequest: 1 },
  })
  // Replace the cache registration before start(): same lifetime, new hooks.
  container.override('queryCache', {
    factory: ({ config, logger, clock }) =>
      createQueryCache({
        namespace: config.cacheNamespace,
        redis: cluster, // versions, bus and entries; keys of a namespace share one slot
        defaultTtlMs: config.cacheTtlMs,
        logger,
        clock,
      }),
    dispose: async (cache) => {
      await cache.close() // a client passed in is never closed by the cache
      await cluster.quit()
    },
  })
  // #endregion cluster
  return container
}

/**
 * The service container on a DuckLake database. Compiled in CI but not run
 * there: it needs the `ducklake` and `postgres` extensions, a PostgreSQL
 * server and object storage.
 */
export function duckLakeContainer(
  config: ServiceConfigInput,
  catalog: string, // 'dbname=ducklake host=pg.internal user=duckkit'
  dataPath: string, // 's3://bucket/lake/'
) {
  // #region ducklake
  const container = createServiceContainer({ config })
  let instance: DuckDBInstance | undefined
  container.override('pool', {
    factory: async ({ logger, clock, chaos }) => {
      instance = await DuckDBInstance.create(':memory:')
      const setup = await instance.connect()
      await setup.run('INSTALL ducklake; INSTALL postgres')
      await setup.run(
        `ATTACH 'ducklake:postgres:${catalog}' AS lake (DATA_PATH '${dataPath}')`,
      )
      setup.closeSync()
      return createPool({
        instance, // opened above, so the pool does not close it
        init: async (connection) => {
          await connection.run('USE lake') // per connection: the default catalog
        },
        logger,
        clock,
        chaos,
      })
    },
    dispose: async (pool) => {
      await pool.close()
      instance?.closeSync()
    },
  })
  // #endregion ducklake
  return container
}
