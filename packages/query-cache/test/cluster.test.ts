import { type DuckDBInstance } from '@duckdb/node-api'
import { startRedisCluster, uniqueKeyPrefix } from '@duckkit/test-utils'
import { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createQueryCache, type QueryCache } from '../src/index.js'
import { openDatabase, runnerFor, transaction } from './helpers/duckdb.js'
import { busTrusted } from './helpers/wait.js'

const cluster = await startRedisCluster()

describe.skipIf(cluster === undefined)(
  'Redis Cluster (three local masters)',
  () => {
    const clients: Cluster[] = []
    const caches: QueryCache[] = []
    let db: DuckDBInstance

    beforeAll(async () => {
      db = await openDatabase()
    })
    afterAll(async () => {
      await Promise.all(caches.map((cache) => cache.close()))
      for (const client of clients) client.disconnect()
      db.closeSync()
      await cluster?.stop()
    })

    async function pair(): Promise<[QueryCache, QueryCache]> {
      const namespace = uniqueKeyPrefix('cluster')
      const made = [0, 1].map(() => {
        const client = new Cluster([...(cluster?.nodes ?? [])], {
          enableOfflineQueue: true,
          redisOptions: { maxRetriesPerRequest: 1 },
        })
        clients.push(client)
        return createQueryCache({ namespace, redis: client })
      }) as [QueryCache, QueryCache]
      caches.push(...made)
      await Promise.all(made.map(busTrusted))
      return made
    }

    it('shares entries spread over the slots, and invalidates across instances', async () => {
      const [a, b] = await pair()
      for (let i = 0; i < 20; i += 1)
        await a.getOrSet(`k${i}`, () => ({ i: BigInt(i) }), { tables: ['t'] })
      for (let i = 0; i < 20; i += 1) {
        expect(
          await b.getOrSet(`k${i}`, () => ({ i: -1n }), { tables: ['t'] }),
        ).toEqual({ i: BigInt(i) })
      }
      expect(b.stats().l2.hits).toBe(20)
      expect(await b.getOrSet('k0', () => 'x', { tables: ['t'] })).toEqual({
        i: 0n,
      })
      expect(b.stats().l1.hits).toBe(1)
      await a.invalidateTables(['t'])
      expect(await b.getOrSet('k0', () => 'new', { tables: ['t'] })).toBe('new')
      await b.invalidateTags(['none'])
      await b.clear()
      expect(
        await a.getOrSet('k1', () => 'after clear', { tables: ['t'] }),
      ).toBe('after clear')
      expect(a.stats().l2.errors).toBe(0)
      expect(b.stats().bus.gaps).toBe(0)
    })

    it('keeps query results current through commits on the other instance', async () => {
      const [a, b] = await pair()
      const connection = await db.connect()
      await connection.run(
        'CREATE TABLE acct (id INTEGER PRIMARY KEY, v INTEGER)',
      )
      await connection.run('INSERT INTO acct VALUES (1, 0)')
      const runner = runnerFor(connection)
      for (let round = 1; round <= 5; round += 1) {
        await a.query(runner, 'SELECT v FROM acct WHERE id = 1')
        await b.query(runner, 'SELECT v FROM acct WHERE id = 1')
        const writer = round % 2 === 0 ? a : b
        await transaction(connection, [writer.transactionListener], (tx) =>
          tx.query('UPDATE acct SET v = v + 1 WHERE id = 1'),
        )
        expect(
          await a.query(runner, 'SELECT v FROM acct WHERE id = 1'),
        ).toEqual([{ v: round }])
        expect(
          await b.query(runner, 'SELECT v FROM acct WHERE id = 1'),
        ).toEqual([{ v: round }])
      }
      expect(a.stats().hits + b.stats().hits).toBeGreaterThan(0)
      connection.closeSync()
    })
  },
)
