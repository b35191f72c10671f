// What a DuckDB statement costs, split up with the driver alone (no pool): the
// thread-pool hop, parsing and planning, and the fixed cost of BEGIN and
// COMMIT. The figures behind docs/adr/0008-prepared-statement-cache.md.
// Interleaved rounds, medians. Usage: node bench/driver-costs.mjs
import { DuckDBInstance } from '@duckdb/node-api'

const ROUNDS = Number(process.env.ROUNDS ?? 40)
const BATCH = 25
const instance = await DuckDBInstance.create(':memory:', { threads: '1' })
const connection = await instance.connect()
await connection.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)')
await connection.run('INSERT INTO t SELECT i, 0 FROM range(1000) r(i)')
const prepare = (sql) => connection.prepare(sql)
const begin = await prepare('BEGIN TRANSACTION')
const commit = await prepare('COMMIT')
const selectOne = await prepare('SELECT 1')
const update = await prepare('UPDATE t SET v = v + 1 WHERE id = 7')
const updateParam = await prepare('UPDATE t SET v = v + 1 WHERE id = $1')
const drained = await connection.run('SELECT 1')
while ((await drained.fetchChunk())?.rowCount) {
  // drain it
}
const UPDATE = 'UPDATE t SET v = v + 1 WHERE id = 7'

const variants = {
  'update, prepared once (baseline)': () => update.run(),
  'update, sent as text': () => connection.run(UPDATE),
  'update with $1, prepared once, bound': () => {
    updateParam.bind([7])
    return updateParam.run()
  },
  'fetchChunk on a drained result (the hop)': () => drained.fetchChunk(),
  'SELECT 1, prepared': () => selectOne.run(),
  'BEGIN + COMMIT, prepared': async () => {
    await begin.run()
    await commit.run()
  },
  'BEGIN + update + COMMIT, all prepared': async () => {
    await begin.run()
    await update.run()
    await commit.run()
  },
  'BEGIN; update; COMMIT as one text': () =>
    connection.run(`BEGIN TRANSACTION; ${UPDATE}; COMMIT`),
}

const names = Object.keys(variants)
const samples = new Map(names.map((name) => [name, []]))
for (const fn of Object.values(variants))
  for (let i = 0; i < 200; i += 1) await fn()
for (let round = 0; round < ROUNDS; round += 1) {
  for (const name of names) {
    const started = performance.now()
    for (let i = 0; i < BATCH; i += 1) await variants[name]()
    samples.get(name).push(((performance.now() - started) * 1000) / BATCH)
  }
}
const median = (values) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const base = median(samples.get(names[0]))
console.log(`driver alone, ${ROUNDS} interleaved rounds x ${BATCH}, medians`)
for (const name of names) {
  const value = median(samples.get(name))
  console.log(
    `  ${name.padEnd(44)} ${value.toFixed(0).padStart(5)} µs  ${(value / base).toFixed(2)}x`,
  )
}
connection.closeSync()
instance.closeSync()
