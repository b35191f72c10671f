import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pingRedis } from './redis.js'
import { Redis } from 'ioredis'

/** A local Redis Cluster of three masters that a test started. */
export interface LocalCluster {
  /** Addresses of the nodes. */
  readonly nodes: readonly { host: string; port: number }[]
  /** Stops the nodes and removes their folder. */
  stop(): Promise<void>
}

const HOST = '127.0.0.1'
/** The Redis binaries (override with REDIS_SERVER_BIN / REDIS_CLI_BIN). */
const SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server'
const CLI_BIN = process.env.REDIS_CLI_BIN ?? 'redis-cli'

/**
 * Starts three `redis-server --cluster-enabled yes` processes on free ports
 * (and free cluster-bus ports, +10000) and joins them with
 * `redis-cli --cluster create`. Returns undefined with a notice when
 * redis-server is not installed and CI is unset (throws under CI).
 */
export async function startRedisCluster(): Promise<LocalCluster | undefined> {
  if (spawnSync(SERVER_BIN, ['--version']).status !== 0) {
    const message = 'redis-server is not installed'
    if (process.env.CI === 'true')
      throw new Error(`${message}; CI=true requires it for the cluster tests`)
    process.stderr.write(
      `\n[duckkit test-utils] ${message}: skipping the Redis Cluster tests.\n`,
    )
    return undefined
  }
  const dir = mkdtempSync(join(tmpdir(), 'duckkit-cluster-'))
  const ports = await freePorts(3)
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      SERVER_BIN,
      [
        '--port',
        String(port),
        '--bind',
        HOST,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  )
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null)
              return resolve()
            child.once('exit', () => resolve())
            child.kill('SIGTERM')
          }),
      ),
    )
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    for (const port of ports) await until(() => pingRedis(HOST, port, 200))
    const create = spawnSync(
      CLI_BIN,
      [
        '--cluster',
        'create',
        ...ports.map((p) => `${HOST}:${p}`),
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    )
    if (create.status !== 0)
      throw new Error(
        `redis-cli --cluster create failed: ${create.stdout}${create.stderr}`,
      )
    for (const port of ports) {
      await until(async () => {
        const client = new Redis({ host: HOST, port, lazyConnect: true })
        try {
          await client.connect()
          const info = await client.cluster('INFO')
          return info.includes('cluster_state:ok')
        } catch {
          return false
        } finally {
          client.disconnect()
        }
      })
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { nodes: ports.map((port) => ({ host: HOST, port })), stop }
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('local Redis Cluster did not come up')
}

/**
 * Ports p where p and p + 10000 are both free, searched from a random start in
 * 7100-7899 so suites starting clusters at the same time rarely race for a port.
 */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = []
  const start = 7100 + Math.floor(Math.random() * 80) * 10
  for (let i = 0; i < 900 && ports.length < count; i += 1) {
    const port = 7100 + ((start - 7100 + i) % 900)
    if ((await isFree(port)) && (await isFree(port + 10000))) ports.push(port)
  }
  if (ports.length < count)
    throw new Error('no free ports for a local Redis Cluster')
  return ports
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, HOST, () => server.close(() => resolve(true)))
  })
}
