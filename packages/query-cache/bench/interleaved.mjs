// Interleaved comparison, robust to a busy machine: the candidates of each
// group run in alternating rounds and the report gives the median of the
// per-round means, then the ratios. Build first, then run from the package:
//   pnpm build && node bench/interleaved.mjs
// Needs Redis at REDIS_URL (default redis://127.0.0.1:6379).
import { DuckDBInstance } from '@duckdb/node-api'
import { BentoCache, bentostore } from 'bentocache'
import { memoryDriver } from 'bentocache/drivers/memory'
import { Redis } from 'ioredis'
import { LRUCache } from 'lru-cache'
import { createQueryCache } from '../dist/index.js'

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const ROUNDS = Number(process.env.ROUNDS ?? 41)
const row = {
  id: 42,
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  created_at: new Date('2024-01-02T03:04:05Z'),
  tags: ['admin', 'beta'],
  settings: { theme: 'dark', locale: 'en-GB', notifications: true },
}
const factory = () => row
const options = { tables: ['users'] }

const trusted = (cache) =>
  cache.stats().bus.trusted
    ? Promise.resolve()
    : new Promise((resolve) => {
        const off = cache.on('busState', (s) => {
          if (s.trusted) {
            off()
            resolve()
          }
        })
      })

const namespace = `duckkit-bench:${process.pid}:${Date.now()}:`
const withL1 = createQueryCache({ namespace, redis: url })
const l2Only = createQueryCache({ namespace, redis: url, l1MaxEntries: 0 })
await Promise.all([trusted(withL1), trusted(l2Only)])
await withL1.getOrSet('user:42', factory, options)
const bento = new BentoCache({
  default: 'memory',
  stores: {
    memory: bentostore().useL1Layer(memoryDriver({ maxItems: 10_000 })),
  },
})
await bento.getOrSet({ key: 'user:42', factory })
const lru = new LRUCache({ max: 10_000 })
lru.set('user:42', row)
const bare = new Redis(url, {
  enableOfflineQueue: false,
  commandTimeout: 250,
  maxRetriesPerRequest: 1,
})
await new Promise((resolve) => bare.once('ready', resolve))
const entryKey = `${namespace}e:user:42`

const db = await DuckDBInstance.create(':memory:', { threads: '1' })
const connection = await db.connect()
await connection.run(`CREATE TABLE users AS SELECT i AS id, 'user' || i || '@example.com' AS email,
  'User ' || i AS name, TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE AS created_at FROM range(100000) t(i)`)
await connection.run('ALTER TABLE users ADD PRIMARY KEY (id)')
const runner = {
  async query(sql, params) {
    return (await connection.runAndReadAll(sql, params)).getRowObjectsJS()
  },
}
const LOOKUP = 'SELECT * FROM users WHERE id = ?'
await withL1.query(runner, LOOKUP, [4242])

/** Runs each candidate `perRound` times per round, alternating, and returns median µs per call. */
async function group(name, candidates, perRound) {
  const samples = Object.fromEntries(
    Object.keys(candidates).map((k) => [k, []]),
  )
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [label, fn] of Object.entries(candidates)) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < perRound; i += 1) await fn()
      samples[label].push(
        Number(process.hrtime.bigint() - start) / perRound / 1000,
      )
    }
    // Let timers (the bus heartbeat) run between rounds, as in a real service.
    await new Promise((resolve) => setImmediate(resolve))
  }
  const median = (values) => values.sort((a, b) => a - b)[values.length >> 1]
  const results = Object.entries(samples).map(([label, values]) => [
    label,
    median(values),
  ])
  const base = results[results.length - 1][1]
  console.log(`\n${name}`)
  for (const [label, us] of results) {
    console.log(
      `  ${label.padEnd(48)} ${us.toFixed(3).padStart(9)} µs  ${(us / base).toFixed(2)}× baseline`,
    )
  }
}

await group(
  'L1 hit (baseline: bare lru-cache get)',
  {
    'query-cache getOrSet (L1 hit + version check)': () =>
      withL1.getOrSet('user:42', factory, options),
    'bentocache getOrSet (L1 hit)': () =>
      bento.getOrSet({ key: 'user:42', factory }),
    'lru-cache get': () => lru.get('user:42'),
  },
  20_000,
)
await group(
  'L2 hit (baseline: bare ioredis GET of the same entry)',
  {
    'query-cache getOrSet (L2 hit, L1 off)': () =>
      l2Only.getOrSet('user:42', factory, options),
    // A GET that times out on an overloaded machine is not an error of the benchmark.
    'ioredis GET': () => bare.getBuffer(entryKey).catch(() => null),
  },
  200,
)
await group(
  'Lookup query on DuckDB, 100k rows, primary key (baseline: uncached)',
  {
    'cache.query (cached)': () => withL1.query(runner, LOOKUP, [4242]),
    'runner.query (uncached)': () => runner.query(LOOKUP, [4242]),
  },
  200,
)
console.log(
  `\nL2 stats: ${JSON.stringify(l2Only.stats().l2)}, bus trusted: ${l2Only.stats().bus.trusted}`,
)

await Promise.all([withL1.close(), l2Only.close(), bento.disconnect()])
bare.disconnect()
connection.closeSync()
db.closeSync()
