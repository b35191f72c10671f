// Throughput tables for `pnpm bench`. The README's medians and ratios come from
// the interleaved runs of bench/ratios.ts, which are less sensitive to noise.
import { afterAll, bench, describe } from 'vitest'
import { contended, uncontended } from './workloads.js'

const one = await uncontended()
const many = await contended()

afterAll(async () => {
  await one.close()
  await many.pool.close()
})

describe('uncontended one-statement transaction', () => {
  for (const [name, fn] of Object.entries(one.variants)) {
    bench(
      name,
      async () => {
        await fn()
      },
      { time: 1_000, warmupTime: 200 },
    )
  }
})

describe('contended counter: 8 workers x 200 increments of one row', () => {
  for (const [name, run] of Object.entries(many.modes)) {
    bench(
      name,
      async () => {
        await run()
      },
      { iterations: 3, time: 0, warmupIterations: 0, warmupTime: 0 },
    )
  }
})
