import { randomUUID } from 'node:crypto'
import { createConnection } from 'node:net'

/** What a suite needs to know about the Redis it may use. */
export interface RedisRequirement {
  /** `redis://host:port` of the server the tests use. */
  readonly url: string
  readonly host: string
  readonly port: number
  /** True when Redis is not reachable and the suite should be skipped. */
  readonly skip: boolean
}

/** The Redis URL tests use: `REDIS_URL`, or the local default. */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
}

/** Sends PING over a raw socket and resolves whether PONG came back in time. */
export function pingRedis(
  host: string,
  port: number,
  timeoutMs = 1000,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

/**
 * Checks that Redis answers. When it does not: throws under `CI=true` (the
 * suite fails), otherwise prints a notice and returns `skip: true` so the
 * suite can use `describe.skipIf(redis.skip)`.
 */
export async function requireRedis(): Promise<RedisRequirement> {
  const url = redisUrl()
  const parsed = new URL(url)
  const host = parsed.hostname || '127.0.0.1'
  const port = Number(parsed.port || 6379)
  const ok = await pingRedis(host, port)
  if (!ok) {
    const message = `Redis is not reachable at ${url}`
    if (process.env.CI === 'true') {
      throw new Error(
        `${message}; CI=true requires it (start it with redis-server --daemonize yes)`,
      )
    }
    process.stderr.write(
      `\n[duckkit test-utils] ${message}: skipping the suites that need it.\n`,
    )
  }
  return { url, host, port, skip: !ok }
}

/** A key prefix unique to this call, so suites sharing one Redis never see each other's keys. */
export function uniqueKeyPrefix(label = 'test'): string {
  return `duckkit-test:${label}:${process.pid}:${randomUUID().slice(0, 8)}:`
}
