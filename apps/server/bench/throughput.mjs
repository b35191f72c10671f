// Throughput of GET /v1/model-configs/{usageType}/active (a cache hit) against a bare Fastify
// route returning a constant, measured with autocannon in the same run, rounds interleaved.
// Run after a build: pnpm --filter @duckkit/server build && pnpm --filter @duckkit/server bench
// Environment: BENCH_SECONDS (per round, default 5), BENCH_ROUNDS (default 3),
// BENCH_CONNECTIONS (default 50), BENCH_LOG_LEVEL (default silent; try info).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import autocannon from 'autocannon'

const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)

const child = spawn(
  process.execPath,
  [new URL('./servers.mjs', import.meta.url).pathname],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  },
)
const [line] = await once(child.stdout, 'data')
const ports = JSON.parse(String(line))
const targets = {
  active: `http://127.0.0.1:${ports.app}/v1/model-configs/chat_deep/active`,
  bare: `http://127.0.0.1:${ports.bare}/constant`,
}

const run = (url, duration) =>
  autocannon({ url, connections, duration, pipelining: 1 }).then((result) => {
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(
        `${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`,
      )
    }
    return {
      rps: result.requests.average,
      p99: result.latency.p99,
      p50: result.latency.p50,
    }
  })

await run(targets.active, 2)
await run(targets.bare, 2)
const samples = { active: [], bare: [] }
for (let round = 0; round < rounds; round += 1) {
  for (const name of round % 2 === 0
    ? ['bare', 'active']
    : ['active', 'bare']) {
    samples[name].push(await run(targets[name], seconds))
  }
}
child.kill('SIGTERM')
await once(child, 'exit')

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const summary = Object.fromEntries(
  Object.entries(samples).map(([name, list]) => [
    name,
    {
      rps: median(list.map((s) => s.rps)),
      p50: median(list.map((s) => s.p50)),
      p99: median(list.map((s) => s.p99)),
    },
  ]),
)
const ratio = summary.active.rps / summary.bare.rps
console.log(
  `autocannon: ${connections} connections, ${rounds} interleaved rounds of ${seconds} s, logs ${process.env.BENCH_LOG_LEVEL ?? 'silent'}`,
)
console.log(
  'target                                   req/s (median)   p50 ms   p99 ms',
)
console.log(
  `bare Fastify GET /constant                ${summary.bare.rps.toFixed(0).padStart(10)}   ${String(summary.bare.p50).padStart(6)}   ${String(summary.bare.p99).padStart(6)}`,
)
console.log(
  `GET /v1/model-configs/chat_deep/active    ${summary.active.rps.toFixed(0).padStart(10)}   ${String(summary.active.p50).padStart(6)}   ${String(summary.active.p99).padStart(6)}`,
)
console.log(`ratio active / bare: ${ratio.toFixed(2)} (goal >= 0.6)`)
