import { randomUUID } from 'node:crypto'
import {
  type LocalCluster,
  startRedisCluster,
  tempDatabasePath,
} from '@duckkit/test-utils'
import { afterAll, describe, expect, it } from 'vitest'
import { clusteredContainer, duckLakeContainer } from '../src/scaling.js'

/**
 * The runbook's Redis Cluster wiring, run against a real three-master
 * cluster: two service containers (two "machines", each with its own
 * database) share the cache namespace, and a write on one invalidates the
 * other's cached reads through the bus.
 */

// Skips with a notice when redis-server is missing (fails under CI=true).
const started: LocalCluster | undefined = await startRedisCluster()

describe.skipIf(started === undefined)(
  'service containers on a Redis Cluster',
  () => {
    const cluster = started as LocalCluster
    afterAll(() => cluster.stop())

    it('share invalidations over the cluster', async () => {
      const namespace = `docs-${randomUUID().slice(0, 8)}`
      const config = (path: string) => ({
        databasePath: path,
        cacheNamespace: namespace,
        installGlobalClient: false,
      })
      const a = clusteredContainer(
        config(tempDatabasePath('a.duckdb')),
        cluster.nodes,
      )
      const b = clusteredContainer(
        config(tempDatabasePath('b.duckdb')),
        cluster.nodes,
      )
      await a.start()
      await b.start()
      try {
        const cacheA = a.resolve('queryCache')
        const cacheB = b.resolve('queryCache')
        await expect
          .poll(() => cacheA.stats().bus.trusted, { timeout: 10_000 })
          .toBe(true)
        await expect
          .poll(() => cacheB.stats().bus.trusted, { timeout: 10_000 })
          .toBe(true)
        expect(cacheB.stats().l2.enabled).toBe(true)
        const before = cacheB.stats().invalidations.tables.model_configs ?? 0
        await a.resolve('modelConfigService').upsertConfig({
          usageType: 'chat_deep',
          priority: 2,
          modelId: 'o3',
          modelName: 'o3',
          provider: 'openai',
        })
        // A's commit resolved only after B applied the bump (or B's lease ended).
        expect(
          cacheB.stats().invalidations.tables.model_configs ?? 0,
        ).toBeGreaterThan(before)
        expect(cacheA.stats().bus.ackTimeouts).toBe(0)
      } finally {
        await b.dispose()
        await a.dispose()
      }
    })
  },
)

describe('the DuckLake wiring', () => {
  it('is accepted by the container before start (running it needs PostgreSQL)', async () => {
    const container = duckLakeContainer(
      { databasePath: ':memory:', installGlobalClient: false },
      'dbname=ducklake host=127.0.0.1',
      's3://bucket/lake/',
    )
    expect(container.stats().state).toBe('idle')
    await container.dispose()
    expect(container.stats().state).toBe('disposed')
  })
})
