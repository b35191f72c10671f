import { type CacheCore, noteInvalidation } from './cache-core.js'
import { type QueryAnalyzer } from './query-analyzer.js'
import { type CoherenceHooks } from './redis-coherence.js'

/** What the bus tells the cache, turned into L1 changes, counters, events and logs. */
export function busHooks(
  core: Pick<CacheCore, 'settings' | 'l1' | 'stats' | 'events'>,
  analyzer: QueryAnalyzer,
  instanceId: string,
): CoherenceHooks {
  const logger = core.settings.logger
  return {
    flushL1: (reason) => {
      core.l1?.clear()
      core.stats.l1Flushes += 1
      core.events.emit('l1Flush', { reason })
    },
    dropL1Key: (key) => {
      core.l1?.delete(key)
    },
    onReset: () => {
      analyzer.clear()
    },
    onMessage: (message) => {
      core.stats.busMessages += 1
      if (message.origin === instanceId || message.kind === 'd') return
      if (message.kind === 'r') {
        noteInvalidation(core, [], [], true, 'remote')
        return
      }
      const tables: string[] = []
      const tags: string[] = []
      for (const dep of message.items) {
        if (dep.startsWith('t:')) tables.push(dep.slice(2))
        else if (dep.startsWith('g:')) tags.push(dep.slice(2))
      }
      noteInvalidation(core, tables, tags, false, 'remote')
    },
    onGap: (expected, received) => {
      core.stats.busGaps += 1
      logger?.warn({ expected, received }, 'query-cache bus gap: L1 dropped')
      core.events.emit('busGap', { expected, received })
    },
    onBusState: (trusted) => {
      logger?.info({ trusted }, 'query-cache bus state changed')
      core.events.emit('busState', { trusted })
    },
    onAckTimeout: (instances) => {
      core.stats.ackTimeouts += 1
      logger?.warn(
        { instances },
        'query-cache instances did not acknowledge an invalidation',
      )
      core.events.emit('ackTimeout', { instances })
    },
    onDeferred: (deps, all, error) => {
      logger?.error(
        { err: error, deps, all },
        'query-cache could not reach Redis to invalidate; bypassing the cache until it can',
      )
      core.events.emit('invalidationDeferred', { deps, all, error })
    },
    onReplayed: (deps, all) => {
      logger?.info({ deps, all }, 'query-cache deferred invalidations replayed')
      core.events.emit('invalidationReplayed', { deps, all })
    },
  }
}
