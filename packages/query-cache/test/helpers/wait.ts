import { type QueryCache, type QueryCacheEvents } from '../../src/index.js'

/** Resolves on the next `event` of the cache that satisfies `match`. */
export function nextEvent<K extends keyof QueryCacheEvents>(
  cache: QueryCache,
  event: K,
  match: (payload: QueryCacheEvents[K]) => boolean = () => true,
): Promise<QueryCacheEvents[K]> {
  return new Promise((resolve) => {
    const off = cache.on(event, (payload) => {
      if (!match(payload)) return
      off()
      resolve(payload)
    })
  })
}

/** Resolves once the cache's bus is trusted (L1 may be served). */
export async function busTrusted(cache: QueryCache): Promise<void> {
  if (cache.stats().bus.trusted) return
  await nextEvent(cache, 'busState', (state) => state.trusted)
}
