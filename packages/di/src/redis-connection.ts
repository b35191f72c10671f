import type { Logger } from '@duckkit/resilience'
import { Redis } from 'ioredis'

/** Options of {@link connectRedis}. */
export interface RedisConnectOptions {
  /** How long to wait for the first connection, in milliseconds. */
  readonly connectTimeoutMs: number
  /** Throw when the first connection fails (else return the client, which keeps reconnecting). */
  readonly required: boolean
  /** Told about connection errors and a degraded start. */
  readonly logger: Logger
}

/**
 * Opens the Redis client the query cache uses for L2 and its bus. The client
 * fails commands fast while Redis is away (no offline queue) and reconnects
 * with capped backoff. When the first connection fails and Redis is not
 * required, the client is returned anyway: the cache serves from L1 and the
 * database until Redis answers. When it is required, the client is closed and
 * the error thrown.
 */
export async function connectRedis(
  url: string,
  options: RedisConnectOptions,
): Promise<Redis> {
  const { logger } = options
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs,
    retryStrategy: (times: number) =>
      Math.min(50 * 2 ** Math.min(times, 6), 2000),
  })
  let lastError = ''
  client.on('error', (error: Error) => {
    if (error.message === lastError) return
    lastError = error.message
    logger.warn({ err: error }, 'di: Redis connection error')
  })
  client.on('ready', () => {
    lastError = ''
  })
  try {
    await client.connect()
  } catch (error) {
    if (options.required) {
      client.disconnect()
      throw error
    }
    logger.warn(
      { err: error, url: redactUrl(url) },
      'di: Redis is not reachable; the cache starts without L2 and keeps reconnecting',
    )
  }
  return client
}

/**
 * Closes a client: QUIT when connected (resolving once the connection has
 * ended), else drop the connection and stop reconnecting at once.
 */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    const ended = new Promise<void>((resolve) => {
      client.once('end', () => resolve())
    })
    try {
      await client.quit()
      await ended
      return
    } catch {
      // Fall through to a hard disconnect.
    }
  }
  client.disconnect()
}

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'an unparsable URL'
  }
}
