import { getDuckDBClient } from '@duckkit/db-pool'
import { tempDatabasePath } from '@duckkit/test-utils'
import { describe, expect, it, vi } from 'vitest'
import {
  ensureMetadataSchema,
  getMetadata,
  saveMetadata,
  transferOwnership,
} from '../examples/metadata-store.js'
import { createServiceContainer } from '../src/index.js'

describe('the getDuckDBClient() bridge', () => {
  // getDuckDBClient() warns once per process that it is deprecated.
  vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)

  it('runs an unchanged old-style module on the container database', async () => {
    const container = createServiceContainer({
      config: { databasePath: ':memory:', duckdbThreads: 1, poolMax: 2 },
    })
    await container.start()
    try {
      const bridge = container.resolve('duckdbClient')
      expect(getDuckDBClient()).toBe(bridge)
      expect(bridge.mode).toBe('pool')

      await ensureMetadataSchema()
      await saveMetadata({ name: 'sales', rows: 120, owner: 'ada' })
      await saveMetadata({ name: 'stock', rows: 40, owner: 'ada' })
      expect(await getMetadata('sales')).toEqual({
        name: 'sales',
        rows: 120,
        owner: 'ada',
      })

      // The container's own pool (so `:memory:` data is shared, and limits and stats are one).
      const pool = container.resolve('pool')
      expect(bridge.pool).toBe(pool)
      const rows = await pool.query<{ n: number }>(
        'SELECT count(*)::INTEGER AS n FROM dataset_metadata',
      )
      expect(rows[0]?.n).toBe(2)
    } finally {
      await container.dispose()
    }
  })

  it('invalidates the container cache when the old module writes', async () => {
    const container = createServiceContainer({
      config: {
        databasePath: tempDatabasePath(),
        duckdbThreads: 1,
        poolMax: 2,
      },
    })
    await container.start()
    try {
      await ensureMetadataSchema()
      await saveMetadata({ name: 'sales', rows: 1, owner: 'ada' })
      const cache = container.resolve('queryCache')
      const pool = container.resolve('pool')
      const owners = () =>
        cache.query<{ owner: string }>(
          pool,
          "SELECT owner FROM dataset_metadata WHERE name = 'sales'",
        )
      expect(await owners()).toEqual([{ owner: 'ada' }])
      expect(await owners()).toEqual([{ owner: 'ada' }])
      const hits = cache.stats().hits
      expect(hits).toBeGreaterThan(0)

      expect(await transferOwnership('ada', 'grace')).toBe(1)
      expect(await owners()).toEqual([{ owner: 'grace' }])

      await saveMetadata({ name: 'sales', rows: 2, owner: 'linus' })
      expect(await owners()).toEqual([{ owner: 'linus' }])
    } finally {
      await container.dispose()
    }
  })

  it('puts the previous client back when the container is disposed', async () => {
    const container = createServiceContainer({
      config: { databasePath: ':memory:', duckdbThreads: 1, poolMax: 2 },
    })
    await container.start()
    const bridge = container.resolve('duckdbClient')
    expect(getDuckDBClient()).toBe(bridge)
    await container.dispose()
    expect(bridge.closed).toBe(true)
    const after = getDuckDBClient({ path: ':memory:' })
    expect(after).not.toBe(bridge)
    await after.close()
  })

  it('leaves the process-wide client alone when told to', async () => {
    const container = createServiceContainer({
      config: {
        databasePath: ':memory:',
        duckdbThreads: 1,
        installGlobalClient: false,
      },
    })
    await container.start()
    try {
      const mine = getDuckDBClient({ path: ':memory:' })
      expect(mine).not.toBe(container.resolve('duckdbClient'))
      await mine.close()
    } finally {
      await container.dispose()
    }
  })
})
