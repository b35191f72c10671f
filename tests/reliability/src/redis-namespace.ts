import { Redis } from 'ioredis'

/** Deletes every Redis key whose name contains `namespace` (what a scenario's service left behind); resolves how many. */
export async function deleteNamespace(
  url: string,
  namespace: string,
): Promise<number> {
  if (/[*?[\]\\]/.test(namespace))
    throw new Error(`namespace ${namespace} holds glob characters`)
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await redis.connect()
    let deleted = 0
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `*${namespace}*`,
        'COUNT',
        1000,
      )
      cursor = next
      if (keys.length > 0) deleted += await redis.del(...keys)
    } while (cursor !== '0')
    return deleted
  } finally {
    redis.disconnect()
  }
}
