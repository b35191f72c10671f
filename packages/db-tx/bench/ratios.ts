// Interleaved measurements with medians and ratios (the figures in the README).
// Run from packages/db-tx: node --import ./test/fixtures/register-ts.mjs bench/ratios.ts
import {
  INCREMENTS,
  WORKERS,
  contended,
  median,
  uncontended,
} from './workloads.js'

const ROUNDS = Number(process.env.ROUNDS ?? 60)
const BATCH = 25

const one = await uncontended()
const names = Object.keys(one.variants)
const perOp = new Map<string, number[]>(names.map((name) => [name, []]))
for (const fn of Object.values(one.variants))
  for (let i = 0; i < 200; i += 1) await fn()
for (let round = 0; round < ROUNDS; round += 1) {
  for (const name of names) {
    const fn = one.variants[name] as () => Promise<unknown>
    const start = performance.now()
    for (let i = 0; i < BATCH; i += 1) await fn()
    perOp.get(name)?.push(((performance.now() - start) * 1000) / BATCH)
  }
}
await one.close()
const baseline = median(perOp.get(names[0] as string) ?? [])
console.log(
  `\nUncontended one-statement transaction (${ROUNDS} interleaved rounds x ${BATCH} ops, medians)`,
)
for (const name of names) {
  const value = median(perOp.get(name) ?? [])
  console.log(
    `  ${name.padEnd(40)} ${value.toFixed(0).padStart(5)} µs/op  ${(value / baseline).toFixed(2)}x`,
  )
}

const many = await contended()
const modes = Object.keys(many.modes) as (keyof typeof many.modes)[]
const runs = new Map(
  modes.map((mode) => [
    mode,
    [] as { ms: number; conflicts: number; commits: number }[],
  ]),
)
const RUNS = Number(process.env.RUNS ?? 5)
for (let round = 0; round < RUNS; round += 1) {
  for (const mode of modes) runs.get(mode)?.push(await many.modes[mode]())
}
await many.pool.close()
const serial = median((runs.get('mutex baseline') ?? []).map((run) => run.ms))
console.log(
  `\nContended counter: ${WORKERS} workers x ${INCREMENTS} increments of one row (${RUNS} interleaved runs, medians; count checked every run)`,
)
for (const mode of modes) {
  const list = runs.get(mode) ?? []
  const ms = median(list.map((run) => run.ms))
  const conflicts =
    median(list.map((run) => run.conflicts)) / (WORKERS * INCREMENTS)
  const perCommit =
    (WORKERS * INCREMENTS) / median(list.map((run) => run.commits))
  console.log(
    `  ${mode.padEnd(26)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / serial).toFixed(2)}x  ${conflicts.toFixed(2)} conflicts/commit  ${perCommit.toFixed(1)} increments/COMMIT`,
  )
}
