import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pingRedis } from '@duckkit/test-utils'

/** A three-master Redis Cluster on free local ports, started by a test. */
export interface LocalCluster {
  readonly nodes: readonly { host: string; port: number }[]
  /** Stops the nodes (SIGTERM) and removes their folder. */
  stop(): Promise<void>
}

const HOST = '127.0.0.1'
/** The Redis binaries (override with REDIS_SERVER_BIN / REDIS_CLI_BIN). */
const SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server'
const CLI_BIN = process.env.REDIS_CLI_BIN ?? 'redis-cli'

/** Whether `redis-server` can be run here. */
export function redisServerInstalled(): boolean {
  return spawnSync(SERVER_BIN, ['--version']).status === 0
}

/** Starts three `redis-server --cluster-enabled yes` and joins them with `redis-cli --cluster create`. */
export async function startCluster(): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'duckkit-docs-cluster-'))
  const ports = await freePorts(3)
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      SERVER_BIN,
      [
        ...['--port', String(port), '--bind', HOST],
        ...['--cluster-enabled', 'yes', '--dir', dir],
        ...['--cluster-config-file', join(dir, `nodes-${port}.conf`)],
        ...['--save', '', '--appendonly', 'no'],
      ],
      { stdio: 'ignore' },
    ),
  )
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              resolve()
              return
            }
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
        ...ports.map((port) => `${HOST}:${port}`),
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    )
    if (create.status !== 0) {
      throw new Error(`redis-cli --cluster create failed: ${create.stdout}`)
    }
    for (const port of ports) {
      await until(() => {
        const info = spawnSync(
          CLI_BIN,
          ['-p', String(port), 'cluster', 'info'],
          {
            encoding: 'utf8',
          },
        )
        return Promise.resolve(info.stdout.includes('cluster_state:ok'))
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
  throw new Error('the local Redis Cluster did not come up')
}

/** Free ports whose cluster-bus port (+10000) is free too. */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = []
  while (ports.length < count) {
    const port = await freePort(0)
    if (
      port < 55_000 &&
      !ports.includes(port) &&
      (await freePort(port + 10_000)) !== 0
    ) {
      ports.push(port)
    }
  }
  return ports
}

function freePort(port: number): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(0))
    server.listen(port, HOST, () => {
      const address = server.address()
      const found =
        typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(found))
    })
  })
}
