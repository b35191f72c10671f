import { type LRUCache } from 'lru-cache'
import { type Emitter } from '@duckkit/resilience'
import { type CacheEntry } from './entry.js'
import { type QueryCacheEvents } from './events.js'
import { type L2Store } from './l2-store.js'
import { type QueryCacheSettings } from './options.js'
import { type StatsCounters } from './stats.js'
import { type VersionSource } from './version-source.js'

/** The state the parts of a cache share. */
export interface CacheCore {
  /** Validated options. */
  readonly settings: QueryCacheSettings
  /** In-process tier, unless disabled. */
  readonly l1: LRUCache<string, CacheEntry> | undefined
  /** Redis tier, when configured. */
  readonly l2: L2Store | undefined
  /** Where versions come from. */
  readonly versions: VersionSource
  /** Counters behind `stats()`. */
  readonly stats: StatsCounters
  /** Typed events. */
  readonly events: Emitter<QueryCacheEvents>
}

/** Counts an invalidation and emits the `invalidate` event. */
export function noteInvalidation(
  core: Pick<CacheCore, 'stats' | 'events'>,
  tables: readonly string[],
  tags: readonly string[],
  all: boolean,
  origin: 'local' | 'remote',
): void {
  core.stats.count(core.stats.tables, tables)
  core.stats.count(core.stats.tags, tags)
  if (all) core.stats.invalidateAll += 1
  if (core.events.has('invalidate')) {
    core.events.emit('invalidate', { tables, tags, all, origin })
  }
}
