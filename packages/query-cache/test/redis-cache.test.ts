import { requireRedis, uniqueKeyPrefix } from '@duckkit/test-utils'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { createQueryCache, type QueryCache } from '../src/index.js'
import { RedisKeys } from '../src/redis-keys.js'
import { busTrusted, nextEvent } from './helpers/wait.js'

const redis = await requireRedis()

describe.skipIf(redis.skip)('two instances sharing one Redis', () => {
  const opened: QueryCache[] = []
  const raw: Redis[] = []

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((cache) => cache.close()))
    for (const client of raw.splice(0)) client.disconnect()
  })

  async function pair(options: Parameters<typeof createQueryCache>[0] = {}) {
    const namespace = uniqueKeyPrefix('qc')
    const a = createQueryCache({ namespace, redis: redis.url, ...options })
    const b = createQueryCache({ namespace, redis: redis.url, ...options })
    opened.push(a, b)
    await Promise.all([busTrusted(a), busTrusted(b)])
    return { a, b, namespace }
  }

  function rawClient(): Redis {
    const client = new Redis(redis.url)
    raw.push(client)
    return client
  }

  it('serves from L2 on the other instance, then from its own L1', async () => {
    const { a, b } = await pair()
    expect(await a.getOrSet('k', () => ({ n: 1n }), { tables: ['t'] })).toEqual(
      { n: 1n },
    )
    let ran = false
    const factory = () => {
      ran = true
      return { n: 2n }
    }
    expect(await b.getOrSet('k', factory, { tables: ['t'] })).toEqual({ n: 1n })
    expect(await b.getOrSet('k', factory, { tables: ['t'] })).toEqual({ n: 1n })
    expect(ran).toBe(false)
    const stats = b.stats()
    expect(stats.l2.hits).toBe(1)
    expect(stats.l1.hits).toBe(1)
    expect(a.stats().misses).toBe(1)
  })

  it('an invalidation on one instance is applied by the other before it resolves', async () => {
    const { a, b } = await pair()
    await a.getOrSet('k', () => 'old', { tables: ['main.T'] })
    await b.getOrSet('k', () => 'never', { tables: ['t'] })
    expect(b.stats().l1.entries).toBe(1)
    await a.invalidateTables(['"T"'])
    // No waiting: the other instance acknowledged before invalidateTables resolved.
    expect(await b.getOrSet('k', () => 'new', { tables: ['t'] })).toBe('new')
    expect(await a.getOrSet('k', () => 'newer', { tables: ['t'] })).toBe('new')
    expect(b.stats().invalidations.tables).toEqual({ t: 1 })
    expect(a.stats().invalidations.tables).toEqual({ t: 1 })
  })

  it('invalidates by tag and by clear on every instance', async () => {
    const { a, b } = await pair()
    await b.getOrSet('x', () => 1, { tags: ['users'] })
    await b.getOrSet('y', () => 1, { tags: ['orders'] })
    await a.invalidateTags(['users'])
    expect(await b.getOrSet('x', () => 2, { tags: ['users'] })).toBe(2)
    expect(await b.getOrSet('y', () => 2, { tags: ['orders'] })).toBe(1)
    await a.clear()
    expect(await b.getOrSet('y', () => 3, { tags: ['orders'] })).toBe(3)
    expect(b.stats().invalidations.all).toBe(1)
  })

  it('set and delete reach the other instance L1', async () => {
    const { a, b } = await pair()
    await a.set('k', 'v1')
    expect(await b.get('k')).toBe('v1')
    await a.set('k', 'v2')
    expect(await b.get('k')).toBe('v2')
    await a.delete('k')
    expect(await b.get('k')).toBeUndefined()
    expect(await a.get('k')).toBeUndefined()
  })

  it('compresses large values in Redis and reads them back', async () => {
    const { a, b, namespace } = await pair({ compressAboveBytes: 100 })
    const rows = Array.from({ length: 200 }, (_, i) => ({
      id: BigInt(i),
      name: `user ${i}`,
      at: new Date(i * 1000),
    }))
    await a.getOrSet('big', () => rows, { tables: ['users'] })
    const stored = await rawClient().getBuffer(
      new RedisKeys(namespace).entry('big'),
    )
    expect(stored).not.toBeNull()
    expect(stored?.[1]).toBe(1)
    expect(stored?.byteLength).toBeLessThan(
      JSON.stringify(rows.map((r) => ({ ...r, id: String(r.id) }))).length / 2,
    )
    expect(await b.getOrSet('big', () => [], { tables: ['users'] })).toEqual(
      rows,
    )
  })

  it('drops L1 when a bus sequence number is skipped', async () => {
    const { b, namespace } = await pair()
    await b.getOrSet('k', () => 1, { tables: ['t'] })
    expect(b.stats().l1.entries).toBe(1)
    const keys = new RedisKeys(namespace)
    const client = rawClient()
    const seq = Number(await client.hget(keys.versions, 's'))
    const gap = nextEvent(b, 'busGap')
    await client.publish(keys.bus, `b ${seq + 5} intruder ["t:other"]`)
    expect(await gap).toEqual({ expected: seq + 1, received: seq + 5 })
    expect(b.stats().l1.entries).toBe(0)
    expect(b.stats().bus.gaps).toBe(1)
    expect(b.stats().bus.l1Flushes).toBeGreaterThanOrEqual(1)
  })

  it('waits for an instance that does not acknowledge only until its lease ends', async () => {
    const { a, namespace } = await pair()
    const keys = new RedisKeys(namespace)
    // An instance whose last heartbeat granted a lease until 300 ms from now, then went silent.
    await rawClient().hset(keys.members, 'silent', String(Date.now() + 300))
    const timeout = nextEvent(a, 'ackTimeout')
    await a.invalidateTables(['t'])
    expect(await timeout).toEqual({ instances: ['silent'] })
    expect(a.stats().bus.ackTimeouts).toBe(1)
  })

  it('checks L1 against Redis once its lease runs out, until a heartbeat echoes again', async () => {
    let now = Date.now()
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (handle: unknown) => {
        clearTimeout(handle as NodeJS.Timeout)
      },
    }
    const { a, namespace } = await pair({ clock, busLeaseMs: 1000 })
    await a.getOrSet('k', () => 1, { tables: ['t'] })
    // Move the version behind the bus's back: only a check against Redis can notice.
    const keys = new RedisKeys(namespace)
    const client = rawClient()
    await client.hset(
      keys.versions,
      't:t',
      String(Number(await client.hget(keys.versions, 's')) + 1000),
    )
    expect(await a.getOrSet('k', () => 2, { tables: ['t'] })).toBe(1)
    expect(a.stats().l1.hits).toBe(1)
    const lost = nextEvent(a, 'busState', (state) => !state.trusted)
    now += 1001
    // The lease (from the last heartbeat's send time) has run out: L1 is checked against Redis.
    expect(await a.getOrSet('k', () => 3, { tables: ['t'] })).toBe(3)
    await lost
    await busTrusted(a)
    expect(await a.getOrSet('k', () => 4, { tables: ['t'] })).toBe(3)
    expect(a.stats().l1.hits).toBe(2)
  })

  it('forgets instances whose lease has ended', async () => {
    const { a, b, namespace } = await pair({ busLeaseMs: 60_000 })
    const keys = new RedisKeys(namespace)
    await rawClient().hset(keys.members, 'gone', String(Date.now() - 1))
    await b.getOrSet('k', () => 1, { tables: ['t'] })
    await a.invalidateTables(['t'])
    expect(await b.getOrSet('k', () => 2, { tables: ['t'] })).toBe(2)
    expect(a.stats().bus.ackTimeouts).toBe(0)
    expect(await rawClient().hexists(keys.members, 'gone')).toBe(0)
    expect(await rawClient().hexists(keys.members, b.instanceId)).toBe(1)
  })
})
