// Child process of bench/throughput.mjs: serves the subject and the baseline on two ports.
// Subject: the full service app (dist/) over a temporary database; baseline: a bare Fastify
// route returning a constant. Both log at the level given by BENCH_LOG_LEVEL to /dev/null.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { pino } from 'pino'
import { buildApp } from '../dist/app.js'
import { loadConfig } from '../dist/config.js'
import { createServices } from '../dist/container.js'

const level = process.env.BENCH_LOG_LEVEL ?? 'silent'
const logger = pino({ level }, pino.destination('/dev/null'))
const dir = mkdtempSync(join(tmpdir(), 'duckkit-bench-'))
const config = loadConfig({ DUCKDB_PATH: join(dir, 'bench.duckdb') })
const services = await createServices(config, logger)
const app = await buildApp({
  services,
  adminToken: 'bench-token-0123456789',
  logger,
})

const bare = Fastify({ loggerInstance: logger })
const constant = {
  usageType: 'chat_deep',
  priority: 1,
  modelId: 'openrouter/auto',
  modelName: 'OpenRouter Auto',
  provider: 'openrouter',
  parameters: {},
  enabled: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
}
bare.get('/constant', () => constant)

await app.listen({ host: '127.0.0.1', port: 0 })
await bare.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(
  `${JSON.stringify({ app: app.server.address().port, bare: bare.server.address().port })}\n`,
)
process.once('SIGTERM', async () => {
  await bare.close()
  await app.close()
  await services.dispose()
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
})
