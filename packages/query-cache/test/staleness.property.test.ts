import { type DuckDBConnection, type DuckDBInstance } from '@duckdb/node-api'
import { requireRedis, uniqueKeyPrefix } from '@duckkit/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createQueryCache,
  type QueryCache,
  type QueryRunner,
} from '../src/index.js'
import { openDatabase, runnerFor, transaction } from './helpers/duckdb.js'
import { busTrusted } from './helpers/wait.js'

const redis = await requireRedis()

/** mulberry32: a small seeded PRNG so a failing interleaving can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ROWS = 3
const WORKERS = 6
const OPS_PER_WORKER = 120
const SEED = Number(process.env.QC_PROPERTY_SEED ?? Date.now() % 1_000_000)

describe.skipIf(redis.skip)(
  'staleness property (two instances, one Redis, real DuckDB)',
  () => {
    let db: DuckDBInstance
    beforeAll(async () => {
      db = await openDatabase()
    })
    afterAll(() => {
      db.closeSync()
    })

    it(`no read that starts after a commit resolved returns data from before it (seed ${SEED})`, async () => {
      const random = prng(SEED)
      const setup = await db.connect()
      await setup.run('CREATE TABLE acct (id INTEGER PRIMARY KEY, v BIGINT)')
      await setup.run(`INSERT INTO acct SELECT i, 0 FROM range(${ROWS}) t(i)`)
      const namespace = uniqueKeyPrefix('property')
      const caches: QueryCache[] = [
        createQueryCache({ namespace, redis: redis.url }),
        createQueryCache({ namespace, redis: redis.url }),
      ]
      await Promise.all(caches.map(busTrusted))

      /** Value of each row as of the latest commit whose transaction() has resolved. */
      const resolved = Array<number>(ROWS).fill(0)
      const violations: string[] = []
      let commits = 0

      const pick = <T>(items: readonly T[]): T =>
        items[Math.floor(random() * items.length)] as T
      const shuffle = async (): Promise<void> => {
        for (let i = Math.floor(random() * 4); i > 0; i -= 1) {
          await new Promise<void>((resolve) => setImmediate(resolve))
        }
      }
      /** A runner whose reads linger (the slow-factory window) by a random number of event-loop turns. */
      const slow = (connection: DuckDBConnection): QueryRunner => {
        const inner = runnerFor(connection)
        return {
          async query(sql, params) {
            await shuffle()
            const rows = await inner.query(sql, params)
            await shuffle()
            return rows
          },
        }
      }

      async function read(
        worker: string,
        connection: DuckDBConnection,
        step: number,
      ): Promise<void> {
        const cache = pick(caches)
        const cacheName = cache === caches[0] ? 'A' : 'B'
        if (random() < 0.3) {
          const floor = resolved.reduce((sum, v) => sum + v, 0)
          const rows = await cache.query<{ s: bigint }>(
            slow(connection),
            'SELECT sum(v) AS s FROM acct',
          )
          const got = Number(rows[0]?.s)
          if (got < floor)
            violations.push(
              `${worker}#${step} ${cacheName} sum: got ${got}, committed ${floor}`,
            )
          return
        }
        const id = Math.floor(random() * ROWS)
        const floor = resolved[id] as number
        const rows = await cache.query<{ v: bigint }>(
          slow(connection),
          'SELECT v FROM acct WHERE id = ?',
          [id],
        )
        const got = Number(rows[0]?.v)
        if (got < floor)
          violations.push(
            `${worker}#${step} ${cacheName} row ${id}: got ${got}, committed ${floor}`,
          )
      }

      async function write(connection: DuckDBConnection): Promise<void> {
        const cache = pick(caches)
        const id = Math.floor(random() * ROWS)
        let after: number
        try {
          if (random() < 0.7) {
            after = await transaction(
              connection,
              [cache.transactionListener],
              async (tx) => {
                await shuffle()
                const rows = await tx.query(
                  'UPDATE acct SET v = v + 1 WHERE id = ? RETURNING v',
                  [id],
                )
                await shuffle()
                return Number(rows[0]?.v)
              },
            )
          } else {
            // An autocommit write made outside a transaction layer.
            const rows = await runnerFor(connection).query(
              'UPDATE acct SET v = v + 1 WHERE id = ? RETURNING v',
              [id],
            )
            await cache.invalidateForStatements([
              'UPDATE acct SET v = v + 1 WHERE id = ? RETURNING v',
            ])
            after = Number(rows[0]?.v)
          }
        } catch (error) {
          if (/Conflict/.test(String(error))) return
          throw error
        }
        commits += 1
        resolved[id] = Math.max(resolved[id] as number, after)
      }

      async function worker(index: number): Promise<void> {
        const reader = await db.connect()
        const writer = await db.connect()
        for (let step = 0; step < OPS_PER_WORKER; step += 1) {
          await shuffle()
          if (random() < 0.25) await write(writer)
          else await read(`w${index}`, reader, step)
        }
        reader.closeSync()
        writer.closeSync()
      }

      await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)))

      const [a, b] = caches.map((cache) => cache.stats())
      await Promise.all(caches.map((cache) => cache.close()))
      setup.closeSync()

      if (process.env.QC_PROPERTY_VERBOSE) console.log({ commits, a, b })
      expect(violations, `seed ${SEED}`).toEqual([])
      // The run must have exercised the cache, or it proves nothing.
      expect(commits).toBeGreaterThan(30)
      expect(a?.l1.hits).toBeGreaterThan(0)
      expect(b?.l1.hits).toBeGreaterThan(0)
      expect((a?.l2.hits ?? 0) + (b?.l2.hits ?? 0)).toBeGreaterThan(0)
      expect((a?.bus.messages ?? 0) + (b?.bus.messages ?? 0)).toBeGreaterThan(0)
    })
  },
)
