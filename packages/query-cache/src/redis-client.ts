import { Cluster, Redis, type RedisOptions } from 'ioredis'

/** The command and subscriber connections of a cache. */
export interface RedisConnections {
  /** Connection for commands. */
  readonly client: Redis | Cluster
  /** Connection for the bus subscription (always owned by the cache). */
  readonly subscriber: Redis | Cluster
  /** Whether the cache created `client` (and so closes it). */
  readonly ownsClient: boolean
  /** The command timeout the client enforces itself (ioredis `commandTimeout`), or Infinity. */
  readonly clientTimeoutMs: number
}

/**
 * Connects to Redis. Clients the cache creates itself fail fast instead of
 * queueing while Redis is away (no offline queue, one retry per command, a
 * command timeout); a client passed in keeps its own settings, and every
 * command still runs under the cache's deadline and breaker.
 */
export function connectRedis(
  redis: Redis | Cluster | string | RedisOptions,
  commandTimeoutMs: number,
): RedisConnections {
  const safe: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(1000, commandTimeoutMs * 4),
    retryStrategy: (times: number) =>
      Math.min(50 * 2 ** Math.min(times, 6), 2000),
  }
  let client: Redis | Cluster
  let ownsClient = true
  if (typeof redis === 'string') {
    client = new Redis(redis, safe)
  } else if (isClient(redis)) {
    client = redis
    ownsClient = false
  } else {
    client = new Redis({ ...safe, ...redis })
  }
  const subscriber = client.isCluster
    ? (client as Cluster).duplicate()
    : (client as Redis).duplicate({
        autoResubscribe: false,
        enableOfflineQueue: true,
        lazyConnect: false,
        commandTimeout: undefined,
      })
  // Connection errors surface through the cache's own handling; without a
  // listener ioredis would report each one as unhandled.
  subscriber.on('error', () => undefined)
  if (ownsClient) client.on('error', () => undefined)
  const configured = client.isCluster
    ? (client as Cluster).options.redisOptions?.commandTimeout
    : (client as Redis).options.commandTimeout
  const clientTimeoutMs =
    typeof configured === 'number' && configured > 0 ? configured : Infinity
  return { client, subscriber, ownsClient, clientTimeoutMs }
}

function isClient(value: object): value is Redis | Cluster {
  return (
    value instanceof Redis ||
    value instanceof Cluster ||
    (typeof (value as { duplicate?: unknown }).duplicate === 'function' &&
      typeof (value as { isCluster?: unknown }).isCluster === 'boolean')
  )
}
