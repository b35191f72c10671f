import { isInvalidOptionError } from '@duckkit/resilience'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  CacheErrorCodes,
  createQueryCache,
  isCacheClosedError,
  isCacheSerializationError,
  isCacheValueTooLargeError,
  isInvalidCacheKeyError,
  type QueryCache,
  type QueryCacheEvents,
} from '../src/index.js'

/** A promise with its resolve function, to hold a factory open. */
function gate<T = void>() {
  let open!: (value: T) => void
  const promise = new Promise<T>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

describe('in-process cache', () => {
  let cache: QueryCache

  beforeEach(() => {
    cache = createQueryCache({ namespace: 'local' })
  })
  afterEach(async () => {
    vi.useRealTimers()
    await cache.close()
  })

  it('runs the factory once and serves L1 afterwards', async () => {
    const factory = vi.fn(() => ({ id: 1n }))
    expect(await cache.getOrSet('k', factory)).toEqual({ id: 1n })
    expect(await cache.getOrSet('k', factory)).toEqual({ id: 1n })
    expect(factory).toHaveBeenCalledTimes(1)
    const stats = cache.stats()
    expect(stats.l1).toMatchObject({ hits: 1, misses: 1, entries: 1 })
    expect(stats.hitRate).toBe(0.5)
    expect(stats.l2.enabled).toBe(false)
  })

  it('lets concurrent callers of a key join one factory run', async () => {
    const held = gate<number>()
    const factory = vi.fn(() => held.promise)
    const calls = Array.from({ length: 10 }, () => cache.getOrSet('k', factory))
    held.open(7)
    expect(await Promise.all(calls)).toEqual(Array(10).fill(7))
    expect(factory).toHaveBeenCalledTimes(1)
    expect(cache.stats().singleFlightJoins).toBe(9)
  })

  it('does not let a caller join a run that started before an invalidation', async () => {
    const held = gate<string>()
    const first = cache.getOrSet('k', () => held.promise, { tables: ['t'] })
    await cache.invalidateTables(['t'])
    const second = cache.getOrSet('k', () => 'after', { tables: ['t'] })
    held.open('before')
    expect(await first).toBe('before')
    expect(await second).toBe('after')
    expect(cache.stats().singleFlightJoins).toBe(0)
    // The run that read its versions before the invalidation is never served.
    expect(await cache.getOrSet('k', () => 'later', { tables: ['t'] })).toBe(
      'after',
    )
  })

  it('never serves a value whose factory raced a write (slow factory, write commits meanwhile)', async () => {
    const held = gate<string>()
    const slow = cache.getOrSet('k', () => held.promise, { tables: ['t'] })
    await cache.invalidateForStatements(['UPDATE t SET v = 2'])
    held.open('computed from pre-write data')
    await slow
    expect(cache.stats().l1.entries).toBe(0)
    expect(await cache.getOrSet('k', () => 'fresh', { tables: ['t'] })).toBe(
      'fresh',
    )
  })

  it('shares one version per table however the name is written', async () => {
    await cache.getOrSet('k', () => 1, { tables: ['main."Users"'] })
    await cache.invalidateTables(['USERS'])
    expect(await cache.getOrSet('k', () => 2, { tables: ['users'] })).toBe(2)
    expect(cache.stats().invalidations.tables).toEqual({ users: 1 })
  })

  it('invalidates by tag, by unknown write target and by clear', async () => {
    await cache.getOrSet('a', () => 1, { tags: ['x'] })
    await cache.getOrSet('b', () => 1, { tags: ['y'] })
    await cache.invalidateTags(['x'])
    expect(await cache.getOrSet('a', () => 2, { tags: ['x'] })).toBe(2)
    expect(await cache.getOrSet('b', () => 2, { tags: ['y'] })).toBe(1)
    await cache.invalidateForStatements(['CREATE VIEW v AS SELECT 1'])
    expect(await cache.getOrSet('b', () => 3, { tags: ['y'] })).toBe(3)
    await cache.clear()
    expect(await cache.getOrSet('b', () => 4, { tags: ['y'] })).toBe(4)
    expect(cache.stats().invalidations.all).toBe(2)
  })

  it('ignores statements that write nothing, and a rollback', async () => {
    await cache.getOrSet('k', () => 1, { tables: ['t'] })
    await cache.invalidateForStatements(['SELECT * FROM t', 'BEGIN', 'COMMIT'])
    await cache.transactionListener.afterRollback?.({
      statements: ['UPDATE t SET v = 1'],
    })
    expect(await cache.getOrSet('k', () => 2, { tables: ['t'] })).toBe(1)
    await cache.transactionListener.afterCommit?.({
      statements: ['UPDATE t SET v = 1'],
    })
    expect(await cache.getOrSet('k', () => 3, { tables: ['t'] })).toBe(3)
  })

  it('expires entries after their TTL', async () => {
    vi.useFakeTimers()
    await cache.getOrSet('k', () => 1, { ttlMs: 1000 })
    vi.advanceTimersByTime(999)
    expect(await cache.getOrSet('k', () => 2, { ttlMs: 1000 })).toBe(1)
    vi.advanceTimersByTime(1)
    expect(await cache.getOrSet('k', () => 3, { ttlMs: 1000 })).toBe(3)
    expect(await cache.get('k')).toBe(3)
  })

  it('serves a TTL-expired value while one refresh runs, and never an invalidated one', async () => {
    vi.useFakeTimers()
    const options = { ttlMs: 1000, staleWhileRevalidateMs: 5000, tables: ['t'] }
    await cache.getOrSet('k', () => 'v1', options)
    vi.advanceTimersByTime(1500)
    const refresh = gate<string>()
    const factory = vi.fn(() => refresh.promise)
    expect(await cache.getOrSet('k', factory, options)).toBe('v1')
    expect(await cache.getOrSet('k', factory, options)).toBe('v1')
    expect(factory).toHaveBeenCalledTimes(1)
    refresh.open('v2')
    await vi.waitFor(async () => {
      expect(await cache.get('k')).toBe('v2')
    })
    expect(cache.stats().staleServed).toBe(2)
    vi.advanceTimersByTime(1500)
    await cache.invalidateTables(['t'])
    expect(await cache.getOrSet('k', () => 'v3', options)).toBe('v3')
    vi.advanceTimersByTime(5001 + 1000)
    expect(await cache.getOrSet('k', () => 'v4', options)).toBe('v4')
  })

  it('reports a failing background refresh and keeps the stale value', async () => {
    vi.useFakeTimers()
    const options = { ttlMs: 10, staleWhileRevalidateMs: 1000 }
    await cache.getOrSet('k', () => 'v1', options)
    vi.advanceTimersByTime(20)
    const failed = new Promise<QueryCacheEvents['refreshError']>((resolve) =>
      cache.on('refreshError', resolve),
    )
    expect(
      await cache.getOrSet(
        'k',
        () => Promise.reject(new Error('db down')),
        options,
      ),
    ).toBe('v1')
    expect(((await failed).error as Error).message).toBe('db down')
    expect(await cache.getOrSet('k', () => 'v2', options)).toBe('v1')
  })

  it('counts hits, misses, saved database time and emits events', async () => {
    vi.useFakeTimers()
    const events: string[] = []
    cache.on('miss', (e) => events.push(`miss ${e.key} ${e.durationMs}`))
    cache.on('hit', (e) => events.push(`hit ${e.key} ${e.tier}`))
    cache.on('invalidate', (e) =>
      events.push(`invalidate ${e.tables.join()} ${e.origin}`),
    )
    await cache.getOrSet(
      'k',
      () => {
        vi.advanceTimersByTime(25)
        return 1
      },
      { tables: ['t'] },
    )
    await cache.getOrSet('k', () => 2, { tables: ['t'] })
    await cache.getOrSet('k', () => 2, { tables: ['t'] })
    await cache.invalidateTables(['t'])
    expect(events).toEqual([
      'miss k 25',
      'hit k l1',
      'hit k l1',
      'invalidate t local',
    ])
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, dbMsSaved: 50 })
  })

  it('propagates factory errors to every joined caller and caches nothing', async () => {
    const held = gate()
    const factory = vi.fn(async () => {
      await held.promise
      throw new Error('boom')
    })
    const calls = [cache.getOrSet('k', factory), cache.getOrSet('k', factory)]
    held.open()
    for (const call of calls) await expect(call).rejects.toThrow('boom')
    expect(await cache.getOrSet('k', () => 'ok')).toBe('ok')
    expect(factory).toHaveBeenCalledTimes(1)
  })

  it('keeps L1 within its byte bound', async () => {
    const small = createQueryCache({ l1MaxBytes: 2000 })
    for (let i = 0; i < 20; i += 1)
      await small.getOrSet(`k${i}`, () => 'x'.repeat(200))
    expect(small.stats().l1.bytes).toBeLessThanOrEqual(2000)
    expect(small.stats().l1.entries).toBeLessThan(20)
    await small.close()
  })
})

describe('clear errors', () => {
  it('rejects bad keys with InvalidCacheKeyError', async () => {
    const cache = createQueryCache()
    for (const key of [
      '',
      'x'.repeat(1025),
      42 as unknown as string,
      null as unknown as string,
    ]) {
      const error: unknown = await cache
        .getOrSet(key, () => 1)
        .catch((e: unknown) => e)
      expect(isInvalidCacheKeyError(error)).toBe(true)
      expect((error as { code: string }).code).toBe(CacheErrorCodes.invalidKey)
    }
    await expect(cache.get('')).rejects.toThrow(/empty/)
    await expect(cache.delete('x'.repeat(2000))).rejects.toThrow(/at most 1024/)
    await cache.close()
  })

  it('refuses oversize values in set, returns them uncached from getOrSet', async () => {
    const cache = createQueryCache({ maxEntryBytes: 100 })
    const error: unknown = await cache
      .set('k', 'x'.repeat(200))
      .catch((e: unknown) => e)
    expect(isCacheValueTooLargeError(error)).toBe(true)
    expect(error).toMatchObject({
      key: 'k',
      limit: 100,
      code: 'E_CACHE_VALUE_TOO_LARGE',
    })
    const uncacheable: unknown[] = []
    cache.on('uncacheable', (e) => uncacheable.push(e.error))
    expect(await cache.getOrSet('k', () => 'x'.repeat(200))).toHaveLength(200)
    expect(await cache.getOrSet('k', () => 'second')).toBe('second')
    expect(uncacheable).toHaveLength(1)
    expect(isCacheValueTooLargeError(uncacheable[0])).toBe(true)
    expect(cache.stats().uncacheable).toBe(1)
    await cache.close()
  })

  it('refuses values the serializer cannot encode in set', async () => {
    const cache = createQueryCache()
    const error: unknown = await cache
      .set('k', new (class Thing {})())
      .catch((e: unknown) => e)
    expect(isCacheSerializationError(error)).toBe(true)
    expect((error as Error).message).toMatch(/instance of Thing/)
    await cache.close()
  })

  it('names the field, the value and what is allowed for bad options', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ defaultTtlMs: 0 }, 'defaultTtlMs'],
      [{ defaultTtlMs: 1.5 }, 'defaultTtlMs'],
      [{ l1MaxEntries: -1 }, 'l1MaxEntries'],
      [{ namespace: 'a{b}' }, 'namespace'],
      [{ namespace: '' }, 'namespace'],
      [{ redis: 'http://localhost' }, 'redis'],
      [{ redis: 5 }, 'redis'],
      [{ serializer: { serialize: () => new Uint8Array() } }, 'serializer'],
      [{ busLeaseMs: 5 }, 'busLeaseMs'],
      [{ compressAboveBytes: -1 }, 'compressAboveBytes'],
      [{ clock: {} }, 'clock'],
      [{ logger: { warn: 1 } }, 'logger'],
    ]
    for (const [options, field] of bad) {
      let error: unknown
      try {
        createQueryCache(options)
      } catch (e) {
        error = e
      }
      expect(isInvalidOptionError(error), field).toBe(true)
      expect(error).toMatchObject({ field })
      expect((error as Error).message).toContain(field)
    }
  })

  it('names bad per-call options', async () => {
    const cache = createQueryCache()
    await expect(
      cache.getOrSet('k', () => 1, { ttlMs: -5 }),
    ).rejects.toMatchObject({ field: 'ttlMs' })
    await expect(
      cache.getOrSet('k', () => 1, { tables: [''] }),
    ).rejects.toMatchObject({ field: 'tables' })
    await expect(
      cache.invalidateTags('x' as unknown as string[]),
    ).rejects.toMatchObject({ field: 'tags' })
    await cache.close()
  })

  it('throws CacheClosedError after close, but a commit hook stays harmless', async () => {
    const cache = createQueryCache()
    await cache.close()
    const error: unknown = await cache
      .getOrSet('k', () => 1)
      .catch((e: unknown) => e)
    expect(isCacheClosedError(error)).toBe(true)
    expect(
      await cache.transactionListener.afterCommit?.({
        statements: ['DELETE FROM t'],
      }),
    ).toBeUndefined()
  })
})
