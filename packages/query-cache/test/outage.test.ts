import { type DuckDBInstance } from '@duckdb/node-api'
import { requireRedis, uniqueKeyPrefix } from '@duckkit/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createQueryCache } from '../src/index.js'
import { openDatabase, runnerFor, transaction } from './helpers/duckdb.js'
import { startProxy, type TcpProxy } from './helpers/tcp-proxy.js'
import { busTrusted, nextEvent } from './helpers/wait.js'

const redis = await requireRedis()
const LOOKUP = 'SELECT v FROM item WHERE id = ?'

describe.skipIf(redis.skip)(
  'Redis outage (TCP proxy cut between client and server)',
  () => {
    let db: DuckDBInstance
    let proxy: TcpProxy
    beforeAll(async () => {
      db = await openDatabase()
      proxy = await startProxy(redis.host, redis.port)
    })
    afterAll(async () => {
      await proxy.close()
      db.closeSync()
    })

    it('serves every call from the database, defers invalidations, then uses Redis again', async () => {
      const connection = await db.connect()
      await connection.run(
        'CREATE TABLE item (id INTEGER PRIMARY KEY, v INTEGER)',
      )
      await connection.run('INSERT INTO item VALUES (1, 1), (2, 2)')
      const runner = runnerFor(connection)
      const namespace = uniqueKeyPrefix('outage')
      const options = {
        namespace,
        redisCommandTimeoutMs: 100,
        breakerResetTimeoutMs: 100,
        busLeaseMs: 400,
      }
      const a = createQueryCache({
        ...options,
        redis: `redis://127.0.0.1:${proxy.port}`,
      })
      const b = createQueryCache({ ...options, redis: redis.url })
      await Promise.all([busTrusted(a), busTrusted(b)])

      expect(await a.query(runner, LOOKUP, [1])).toEqual([{ v: 1 }])
      expect(await b.query(runner, LOOKUP, [1])).toEqual([{ v: 1 }])
      expect(b.stats().l2.hits).toBe(1)

      const down = nextEvent(a, 'busState', (state) => !state.trusted)
      proxy.cut()
      await down

      // Every call succeeds from the database; L1 is bypassed while the bus is down.
      for (let i = 0; i < 20; i += 1) {
        expect(await a.query(runner, LOOKUP, [1 + (i % 2)])).toEqual([
          { v: 1 + (i % 2) },
        ])
      }
      expect(a.stats().l2.errors).toBeGreaterThan(0)
      const hitsWhileDown = a.stats().hits
      expect(hitsWhileDown).toBe(0)

      // A commit while Redis is unreachable: the hook does not fail or hang, the
      // bump is deferred, and this instance bypasses the cache until it lands.
      const deferred = nextEvent(a, 'invalidationDeferred')
      const writer = await db.connect()
      await transaction(writer, [a.transactionListener], (tx) =>
        tx.query('UPDATE item SET v = 10 WHERE id = 1'),
      )
      writer.closeSync()
      expect((await deferred).deps).toEqual(['t:item'])
      expect(a.stats().bus.deferred).toBe(true)
      expect(await a.query(runner, LOOKUP, [1])).toEqual([{ v: 10 }])

      const replayed = nextEvent(a, 'invalidationReplayed')
      const flushed = nextEvent(a, 'l1Flush', (e) => e.reason === 'reconnect')
      proxy.restore()
      await replayed
      await flushed
      await busTrusted(a)
      expect(a.stats().bus.deferred).toBe(false)

      // The replayed bump reached the instance that stayed connected.
      expect(await b.query(runner, LOOKUP, [1])).toEqual([{ v: 10 }])
      // L2 is used again: a value B stored is served to A from Redis.
      expect(await b.query(runner, LOOKUP, [2])).toEqual([{ v: 2 }])
      const l2Before = a.stats().l2.hits
      expect(await a.query(runner, LOOKUP, [2])).toEqual([{ v: 2 }])
      expect(a.stats().l2.hits).toBe(l2Before + 1)
      expect(await a.query(runner, LOOKUP, [2])).toEqual([{ v: 2 }])
      expect(a.stats().l1.hits).toBeGreaterThan(0)

      await Promise.all([a.close(), b.close()])
      connection.closeSync()
    })

    it('may serve young L1 entries while the bus is down when a bound is set', async () => {
      const namespace = uniqueKeyPrefix('bounded')
      const a = createQueryCache({
        namespace,
        redis: `redis://127.0.0.1:${proxy.port}`,
        redisCommandTimeoutMs: 100,
        busLeaseMs: 400,
        busDownL1MaxAgeMs: 60_000,
      })
      await busTrusted(a)
      await a.getOrSet('k', () => 'cached', { tables: ['t'] })
      const down = nextEvent(a, 'busState', (state) => !state.trusted)
      proxy.cut()
      await down
      expect(await a.getOrSet('k', () => 'database', { tables: ['t'] })).toBe(
        'cached',
      )
      proxy.restore()
      await busTrusted(a)
      // After the reconnect L1 was dropped rather than trusted.
      expect(await a.getOrSet('k', () => 'database', { tables: ['t'] })).toBe(
        'cached',
      )
      expect(a.stats().l2.hits).toBe(1)
      await a.close()
    })

    it('counts failed entry reads in the L2 breaker, which opens', async () => {
      const a = createQueryCache({
        namespace: uniqueKeyPrefix('breaker'),
        redis: `redis://127.0.0.1:${proxy.port}`,
        l1MaxEntries: 0,
        redisCommandTimeoutMs: 100,
        breakerResetTimeoutMs: 60_000,
      })
      await busTrusted(a)
      await a.getOrSet('k', () => 'cached', { tables: ['t'] })
      expect(await a.getOrSet('k', () => 'database', { tables: ['t'] })).toBe(
        'cached',
      )
      expect(a.stats().l2.hits).toBe(1)
      expect(a.stats().l2.breaker).toBe('closed')
      const down = nextEvent(a, 'busState', (state) => !state.trusted)
      proxy.cut()
      await down
      const reported = nextEvent(a, 'l2Error', (e) => e.operation === 'get')
      // `get` reads the entry only (no versions): the breaker opens on those
      // failures alone, long before heartbeat failures could open it.
      let reads = 0
      while (a.stats().l2.breaker === 'closed' && reads < 200) {
        expect(await a.get('k')).toBeUndefined()
        reads += 1
      }
      await reported
      expect(a.stats().l2.breaker).toBe('open')
      expect(a.stats().l2.errors).toBeGreaterThanOrEqual(reads)
      proxy.restore()
      await a.close()
    })
  },
)
