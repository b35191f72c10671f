import { DuckDBInstance } from '@duckdb/node-api'
import { redisUrl, uniqueKeyPrefix } from '@duckkit/test-utils'
import { BentoCache, bentostore } from 'bentocache'
import { memoryDriver } from 'bentocache/drivers/memory'
import { Redis } from 'ioredis'
import { LRUCache } from 'lru-cache'
import { afterAll, bench, describe } from 'vitest'
import {
  createQueryCache,
  type QueryCache,
  type QueryRunner,
} from '../src/index.js'
import { RedisKeys } from '../src/redis-keys.js'

// Run with: pnpm --filter @duckkit/query-cache bench (needs Redis at REDIS_URL or 127.0.0.1:6379).

const options = { time: 1000, warmupTime: 200 }
const row = {
  id: 42,
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  created_at: new Date('2024-01-02T03:04:05Z'),
  tags: ['admin', 'beta'],
  settings: { theme: 'dark', locale: 'en-GB', notifications: true },
}
const factory = () => row

async function trusted(cache: QueryCache): Promise<void> {
  if (cache.stats().bus.trusted) return
  await new Promise<void>((resolve) => {
    const off = cache.on('busState', (state) => {
      if (state.trusted) {
        off()
        resolve()
      }
    })
  })
}

const namespace = uniqueKeyPrefix('bench')
const withL1 = createQueryCache({ namespace, redis: redisUrl() })
const l2Only = createQueryCache({
  namespace,
  redis: redisUrl(),
  l1MaxEntries: 0,
})
await Promise.all([trusted(withL1), trusted(l2Only)])
await withL1.getOrSet('user:42', factory, { tables: ['users'] })

const bento = new BentoCache({
  default: 'memory',
  stores: {
    memory: bentostore().useL1Layer(memoryDriver({ maxItems: 10_000 })),
  },
})
await bento.getOrSet({ key: 'user:42', factory })

const lru = new LRUCache<string, typeof row>({ max: 10_000 })
lru.set('user:42', row)

// Configured like the client the cache creates (no offline queue, one retry,
// a command timeout, which arms a timer per command), so the baseline pays
// what the cache's own GET pays.
const bare = new Redis(redisUrl(), {
  enableOfflineQueue: false,
  commandTimeout: 250,
  maxRetriesPerRequest: 1,
})
await new Promise((resolve) => bare.once('ready', resolve))
const entryKey = new RedisKeys(`${namespace}`).entry('user:42')

const db = await DuckDBInstance.create(':memory:', { threads: '1' })
const connection = await db.connect()
await connection.run(`CREATE TABLE users AS SELECT i AS id, 'user' || i || '@example.com' AS email,
  'User ' || i AS name, TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE AS created_at
  FROM range(100000) t(i)`)
await connection.run('ALTER TABLE users ADD PRIMARY KEY (id)')
const runner: QueryRunner = {
  async query(sql, params) {
    const reader = await connection.runAndReadAll(sql, params as never)
    return reader.getRowObjectsJS()
  },
}
const LOOKUP = 'SELECT * FROM users WHERE id = ?'
await withL1.query(runner, LOOKUP, [4242])

afterAll(async () => {
  if (process.env.QC_BENCH_STATS)
    console.log(JSON.stringify(l2Only.stats()), JSON.stringify(withL1.stats()))
  await Promise.all([withL1.close(), l2Only.close(), bento.disconnect()])
  bare.disconnect()
  connection.closeSync()
  db.closeSync()
})

describe('L1 hit', () => {
  bench(
    'query-cache getOrSet (L1 hit + version check)',
    async () => {
      await withL1.getOrSet('user:42', factory, { tables: ['users'] })
    },
    options,
  )
  bench(
    'bentocache getOrSet (L1 hit)',
    async () => {
      await bento.getOrSet({ key: 'user:42', factory })
    },
    options,
  )
  bench(
    'lru-cache get (bare)',
    () => {
      lru.get('user:42')
    },
    options,
  )
})

describe('L2 hit', () => {
  bench(
    'query-cache getOrSet (L2 hit, L1 off)',
    async () => {
      await l2Only.getOrSet('user:42', factory, { tables: ['users'] })
    },
    options,
  )
  bench(
    'ioredis GET (bare)',
    async () => {
      await bare.getBuffer(entryKey)
    },
    options,
  )
})

describe('lookup query on DuckDB (100k rows, primary key)', () => {
  bench(
    'cache.query (cached)',
    async () => {
      await withL1.query(runner, LOOKUP, [4242])
    },
    options,
  )
  bench(
    'runner.query (uncached)',
    async () => {
      await runner.query(LOOKUP, [4242])
    },
    options,
  )
})
