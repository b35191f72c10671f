// Benchmarks of @duckkit/db-pool against baselines measured in the same process.
// Contenders run interleaved, in a rotating order, round after round; each table
// reports the median time of every contender and the median of its per-round
// ratio to the baseline, so load that drifts during the run cancels out.
//
// Usage (after `pnpm --filter @duckkit/db-pool build`):
//   node bench/run.mjs [acquire] [select] [statements] [concurrency]
import { availableParallelism } from 'node:os'
import { DuckDBInstance } from '@duckdb/node-api'
import genericPool from 'generic-pool'
import tarn from 'tarn'
import { createPool, DuckDBClient, jsonValueConverter } from '../dist/index.js'
import { readRows } from '../dist/row-mapping.js'

const sections = process.argv.slice(2)
const wanted = (name) => sections.length === 0 || sections.includes(name)

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** Runs every contender once per round (rotating the order), `rounds` times; returns times per contender. */
async function interleave(contenders, rounds, unit) {
  const times = new Map(contenders.map((contender) => [contender.name, []]))
  for (let round = 0; round < rounds; round += 1) {
    for (let index = 0; index < contenders.length; index += 1) {
      const contender = contenders[(index + round) % contenders.length]
      const started = performance.now()
      await contender.run()
      times.get(contender.name).push((performance.now() - started) / unit)
    }
  }
  return times
}

function report(title, times, baselines, format) {
  const names = [...times.keys()]
  console.log(`\n${title}\n`)
  console.log(
    `| contender | median | ${baselines.map((name) => `vs ${name}`).join(' | ')} |`,
  )
  console.log(`| --- | ---: | ${baselines.map(() => '---:').join(' | ')} |`)
  for (const name of names) {
    const own = times.get(name)
    const ratios = baselines.map((baseline) => {
      const base = times.get(baseline)
      return `${median(own.map((value, round) => value / base[round])).toFixed(2)}x`
    })
    console.log(`| ${name} | ${format(median(own))} | ${ratios.join(' | ')} |`)
  }
}

console.log(
  `node ${process.version}, ${availableParallelism()} cores, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
)

if (wanted('acquire')) {
  const BATCH = 2000
  const SIZE = 4
  const instance = await DuckDBInstance.create(':memory:')
  const create = () => instance.connect()
  const destroy = (connection) => connection.closeSync()
  const tarnPool = new tarn.Pool({ create, destroy, min: SIZE, max: SIZE })
  const generic = genericPool.createPool(
    { create, destroy: async (c) => destroy(c) },
    { min: SIZE, max: SIZE },
  )
  const pool = await createPool({
    instance,
    min: SIZE,
    max: SIZE,
    threadpoolSize: SIZE + 1,
  })
  const leakPool = await createPool({
    instance,
    min: SIZE,
    max: SIZE,
    threadpoolSize: SIZE + 1,
    leakDetectionMs: 30_000,
  })
  const warmTarn = await Promise.all(
    Array.from({ length: SIZE }, () => tarnPool.acquire().promise),
  )
  for (const connection of warmTarn) tarnPool.release(connection)
  const warmGeneric = await Promise.all(
    Array.from({ length: SIZE }, () => generic.acquire()),
  )
  for (const connection of warmGeneric) await generic.release(connection)
  const times = await interleave(
    [
      {
        name: 'tarn.js 3.1',
        run: async () => {
          for (let i = 0; i < BATCH; i += 1)
            tarnPool.release(await tarnPool.acquire().promise)
        },
      },
      {
        name: 'generic-pool 3.9',
        run: async () => {
          for (let i = 0; i < BATCH; i += 1)
            await generic.release(await generic.acquire())
        },
      },
      {
        name: '@duckkit/db-pool',
        run: async () => {
          for (let i = 0; i < BATCH; i += 1)
            await (await pool.acquire()).release()
        },
      },
      {
        name: '@duckkit/db-pool, leakDetectionMs on',
        run: async () => {
          for (let i = 0; i < BATCH; i += 1)
            await (await leakPool.acquire()).release()
        },
      },
    ],
    41,
    BATCH / 1000,
  )
  report(
    `Acquire + release of an idle DuckDB connection (pools of ${SIZE} over the same instance; per pair, 41 rounds x ${BATCH})`,
    times,
    ['tarn.js 3.1', 'generic-pool 3.9'],
    (us) => `${us.toFixed(3)} µs`,
  )
  await tarnPool.destroy()
  await generic.drain()
  await generic.clear()
  await pool.close()
  await leakPool.close()
  instance.closeSync()
}

if (wanted('select')) {
  const BATCH = 200
  const SQL = 'SELECT 1 AS one'
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' })
  const raw = await instance.connect()
  await raw.run('SET errors_as_json = true')
  const pool = await createPool({ instance, min: 1, max: 1 })
  const untimed = await createPool({
    instance,
    min: 1,
    max: 1,
    statementTimeoutMs: 0,
  })
  const uncached = await createPool({
    instance,
    min: 1,
    max: 1,
    statementCacheSize: 0,
  })
  const times = await interleave(
    [
      {
        name: 'raw: run + the same row mapping',
        run: async () => {
          for (let i = 0; i < BATCH; i += 1)
            readRows(await raw.run(SQL), jsonValueConverter)
        },
      },
      {
        name: 'raw: runAndReadAll + getRowObjectsJson',
        run: async () => {
          for (let i = 0; i < BATCH; i += 1) {
            const reader = await raw.runAndReadAll(SQL)
            reader.getRowObjectsJson()
          }
        },
      },
      {
        name: 'pool.query (default 30 s statement timeout)',
        run: async () => {
          for (let i = 0; i < BATCH; i += 1) await pool.query(SQL)
        },
      },
      {
        name: 'pool.query (statement timeout off)',
        run: async () => {
          for (let i = 0; i < BATCH; i += 1) await untimed.query(SQL)
        },
      },
      {
        name: 'pool.query (statement cache off)',
        run: async () => {
          for (let i = 0; i < BATCH; i += 1) await uncached.query(SQL)
        },
      },
    ],
    61,
    BATCH / 1000,
  )
  report(
    `'${SQL}' round trip, sequential (per statement, 61 rounds x ${BATCH})`,
    times,
    [
      'raw: run + the same row mapping',
      'raw: runAndReadAll + getRowObjectsJson',
    ],
    (us) => `${us.toFixed(1)} µs`,
  )
  await pool.close()
  await untimed.close()
  await uncached.close()
  raw.closeSync()
  instance.closeSync()
}

if (wanted('statements')) {
  // Repeated statements of a typical service: a lookup by primary key with a
  // parameter, and an update by primary key written as a literal.
  const BATCH = 100
  const LOOKUP = 'SELECT id, name, score FROM users WHERE id = ?'
  const UPDATE = 'UPDATE users SET score = score + 1 WHERE id = 4242'
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' })
  const raw = await instance.connect()
  await raw.run('SET errors_as_json = true')
  await raw.run(
    "CREATE TABLE users AS SELECT i AS id, 'user ' || i AS name, 0 AS score FROM range(100000) t(i)",
  )
  await raw.run('ALTER TABLE users ADD PRIMARY KEY (id)')
  const cached = await createPool({ instance, min: 1, max: 1 })
  const uncached = await createPool({
    instance,
    min: 1,
    max: 1,
    statementCacheSize: 0,
  })
  const contenders = (label, sql, params) => [
    {
      name: `${label}: raw run + the same row mapping`,
      run: async () => {
        for (let i = 0; i < BATCH; i += 1)
          readRows(await raw.run(sql, params?.(i)), jsonValueConverter)
      },
    },
    {
      name: `${label}: pool, statement cache off`,
      run: async () => {
        for (let i = 0; i < BATCH; i += 1)
          await uncached.query(sql, params?.(i))
      },
    },
    {
      name: `${label}: pool (statement cache, default)`,
      run: async () => {
        for (let i = 0; i < BATCH; i += 1) await cached.query(sql, params?.(i))
      },
    },
  ]
  for (const [label, sql, params] of [
    ['lookup', LOOKUP, (i) => [i * 7]],
    ['update', UPDATE, undefined],
  ]) {
    const group = contenders(label, sql, params)
    const times = await interleave(group, 41, BATCH / 1000)
    report(
      `${label} (${sql}), sequential (per statement, 41 rounds x ${BATCH})`,
      times,
      [group[0].name, group[1].name],
      (us) => `${us.toFixed(1)} µs`,
    )
  }
  await cached.close()
  await uncached.close()
  raw.closeSync()
  instance.closeSync()
}

if (wanted('concurrency')) {
  const CLIENTS = 16
  const SQL = 'SELECT sum(v * v % 7) AS s FROM numbers'
  const single = await DuckDBInstance.create(':memory:', { threads: '1' })
  const multi = await DuckDBInstance.create(':memory:')
  for (const instance of [single, multi]) {
    const setup = await instance.connect()
    await setup.run(
      'CREATE TABLE numbers AS SELECT i AS v FROM range(4000000) t(i)',
    )
    setup.closeSync()
  }
  const singleton = new DuckDBClient({ mode: 'singleton', instance: single })
  const pool2 = await createPool({ instance: single, min: 2, max: 2 })
  const pool4 = await createPool({
    instance: single,
    min: 4,
    max: 4,
    threadpoolSize: 5,
  })
  const singletonMulti = new DuckDBClient({
    mode: 'singleton',
    instance: multi,
  })
  const pool4Multi = await createPool({
    instance: multi,
    min: 4,
    max: 4,
    threadpoolSize: 5,
  })
  const clients = (query) => async () => {
    await Promise.all(Array.from({ length: CLIENTS }, () => query(SQL)))
  }
  await clients((sql) => singleton.query(sql))()
  await clients((sql) => singletonMulti.query(sql))()
  const times = await interleave(
    [
      {
        name: 'singleton client, threads = 1',
        run: clients((sql) => singleton.query(sql)),
      },
      {
        name: 'pool max 2, threads = 1',
        run: clients((sql) => pool2.query(sql)),
      },
      {
        name: 'pool max 4, threads = 1',
        run: clients((sql) => pool4.query(sql)),
      },
      {
        name: 'singleton client, default threads',
        run: clients((sql) => singletonMulti.query(sql)),
      },
      {
        name: 'pool max 4, default threads',
        run: clients((sql) => pool4Multi.query(sql)),
      },
    ],
    9,
    1,
  )
  const speedUp = new Map(
    [...times].map(([name, values]) => [
      name,
      values.map(
        (value, round) =>
          times.get('singleton client, threads = 1')[round] / value,
      ),
    ]),
  )
  console.log(
    `\n${CLIENTS} concurrent clients, CPU-bound aggregation ('${SQL}'), 9 rounds\n`,
  )
  console.log(
    '| setup | median per round of 16 | speed-up vs singleton, threads = 1 |',
  )
  console.log('| --- | ---: | ---: |')
  for (const [name, values] of times) {
    console.log(
      `| ${name} | ${median(values).toFixed(0)} ms | ${median(speedUp.get(name)).toFixed(2)}x |`,
    )
  }
  await singleton.close()
  await singletonMulti.close()
  await pool2.close()
  await pool4.close()
  await pool4Multi.close()
  single.closeSync()
  multi.closeSync()
}
