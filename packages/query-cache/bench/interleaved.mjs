// Interleaved comparison, robust to a busy machine: the candidates of each
// group run in alternating rounds, the order rotating from round to round (no
// candidate always runs first, right after the pause between rounds). The
// report gives each candidate's median µs per call and its ratio to the
// baseline's (the last candidate), then the median and interquartile range of
// the per-round ratios: those compare runs a few milliseconds apart, so they
// cancel the slow swings of a shared host, and the IQR shows the noise.
// The L2 group runs more, shorter rounds (L2_ROUNDS, default 201) than the
// others (ROUNDS, default 41). Its baseline is a bare GET of the same entry on
// a client configured like the one the cache creates (no offline queue, one
// retry, a command timeout); the candidate is a full getOrSet with L1 off,
// version check included. Build first, then run from the package:
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
const L2_ROUNDS = Number(process.env.L2_ROUNDS ?? 201)
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
const l2Errors = []
l2Only.on('l2Error', ({ operation, error }) =>
  l2Errors.push(
    `${operation}: ${error?.code ?? ''} ${error?.message ?? error}`,
  ),
)
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

/**
 * Runs each candidate `perRound` times per round, the order rotating from
 * round to round, and prints for each candidate its median µs per call, the
 * ratio of that median to the baseline's (the last candidate), and the median
 * and interquartile range of its per-round ratios to the baseline.
 */
async function group(name, candidates, perRound, rounds = ROUNDS) {
  const entries = Object.entries(candidates)
  const samples = entries.map(() => [])
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < entries.length; k += 1) {
      const index = (round + k) % entries.length
      const fn = entries[index][1]
      const start = process.hrtime.bigint()
      for (let i = 0; i < perRound; i += 1) await fn()
      samples[index].push(
        Number(process.hrtime.bigint() - start) / perRound / 1000,
      )
    }
    // Let timers (the bus heartbeat) run between rounds, as in a real service.
    await new Promise((resolve) => setImmediate(resolve))
  }
  const quantile = (values, q) =>
    [...values].sort((a, b) => a - b)[Math.round((values.length - 1) * q)]
  const base = samples[samples.length - 1]
  const baseMedian = quantile(base, 0.5)
  console.log(`\n${name} (${rounds} rounds of ${perRound} calls)`)
  entries.forEach(([label], index) => {
    const median = quantile(samples[index], 0.5)
    const ratios = samples[index].map((us, round) => us / base[round])
    const paired = `per round ${quantile(ratios, 0.5).toFixed(2)}×, IQR ${quantile(ratios, 0.25).toFixed(2)}–${quantile(ratios, 0.75).toFixed(2)}`
    console.log(
      `  ${label.padEnd(48)} ${median.toFixed(3).padStart(9)} µs  ${(median / baseMedian).toFixed(2)}× baseline (${paired})`,
    )
  })
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
  L2_ROUNDS,
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
  `\nL2 stats: ${JSON.stringify(l2Only.stats().l2)}, bus trusted: ${l2Only.stats().bus.trusted}` +
    (l2Errors.length > 0 ? `\nL2 errors: ${l2Errors.join('; ')}` : ''),
)

await Promise.all([withL1.close(), l2Only.close(), bento.disconnect()])
bare.disconnect()
connection.closeSync()
db.closeSync()
