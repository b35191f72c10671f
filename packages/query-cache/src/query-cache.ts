import { randomUUID } from 'node:crypto'
import { InvalidOptionError } from '@duckkit/resilience'
import { LRUCache } from 'lru-cache'
import { busHooks } from './bus-hooks.js'
import { type CacheCore, noteInvalidation } from './cache-core.js'
import { Emitter, type Listener } from '@duckkit/resilience'
import { type CacheEntry } from './entry.js'
import { checkEntryOptions, names } from './entry-policy.js'
import { CacheClosedError } from './errors.js'
import { type QueryCacheEvents } from './events.js'
import { keyError } from './key.js'
import { LocalVersions } from './local-versions.js'
import {
  type QueryCacheOptions,
  type QueryCacheSettings,
  resolveOptions,
} from './options.js'
import { QueryAnalyzer } from './query-analyzer.js'
import { queryKey } from './query-key.js'
import { ReadPath } from './read-path.js'
import { type RedisTier, setUpRedis } from './redis-setup.js'
import { type QueryCacheStats, StatsCounters } from './stats.js'
import { normalizeTableName } from './table-name.js'
import {
  type EntryOptions,
  type QueryOptions,
  type QueryParams,
  type QueryRunner,
  type TransactionListener,
} from './types.js'
import { tableDep, tagDep, type VersionSource } from './version-source.js'
import { findWriteTargets } from './write-targets.js'

/**
 * Creates a query cache: L1 in process memory, optional L2 in Redis, and
 * invalidation by table versions that never serves a result computed before a
 * committed write to a table it read.
 *
 * @example
 * ```ts
 * const cache = createQueryCache({ namespace: 'shop', redis: 'redis://127.0.0.1:6379' })
 * const rows = await cache.query(pool, 'SELECT * FROM users WHERE id = ?', [42])
 * await cache.invalidateForStatements(['UPDATE users SET name = ? WHERE id = ?'])
 * // with db-tx: createTransactionManager({ pool, listeners: [cache.transactionListener] })
 * ```
 */
export function createQueryCache(options: QueryCacheOptions = {}): QueryCache {
  return new QueryCache(resolveOptions(options))
}

/** A memory + Redis result cache; build one with {@link createQueryCache}. */
export class QueryCache {
  /** The namespace: prefix of every Redis key and channel. */
  readonly namespace: string
  /** Id of this instance on the bus. */
  readonly instanceId: string
  /** Listener for db-tx's commit hooks: a commit bumps the tables it wrote; a rollback bumps nothing. */
  readonly transactionListener: TransactionListener
  readonly #core: CacheCore
  readonly #l1: LRUCache<string, CacheEntry> | undefined
  readonly #versions: VersionSource
  readonly #redis: RedisTier | undefined
  readonly #read: ReadPath
  readonly #analyzer: QueryAnalyzer
  readonly #stats = new StatsCounters()
  readonly #events: Emitter<QueryCacheEvents>
  #closed = false

  /** Use {@link createQueryCache}; this takes settings already validated. */
  constructor(settings: QueryCacheSettings) {
    this.namespace = settings.namespace
    this.instanceId = randomUUID().replaceAll('-', '').slice(0, 16)
    this.#events = new Emitter((error) => {
      settings.logger?.error({ err: error }, 'query-cache event listener threw')
    })
    this.#analyzer = new QueryAnalyzer(settings.parseCacheSize)
    this.#l1 =
      settings.l1MaxEntries === 0
        ? undefined
        : new LRUCache<string, CacheEntry>({
            max: settings.l1MaxEntries,
            maxSize: settings.l1MaxBytes,
            sizeCalculation: (entry) => entry.size + 64,
          })
    this.transactionListener = {
      afterCommit: (event) =>
        this.#closed
          ? undefined
          : this.invalidateForStatements(event.statements),
      afterRollback: () => undefined,
    }
    const analyzer = this.#analyzer
    this.#redis =
      settings.redis === undefined
        ? undefined
        : setUpRedis(
            settings,
            settings.redis,
            this.instanceId,
            this.#stats,
            this.#events,
            () =>
              busHooks(
                {
                  settings,
                  l1: this.#l1,
                  stats: this.#stats,
                  events: this.#events,
                },
                analyzer,
                this.instanceId,
              ),
          )
    this.#versions =
      this.#redis?.coherence ??
      new LocalVersions(settings.maxTrackedVersions, () => {
        analyzer.clear()
      })
    this.#core = {
      settings,
      l1: this.#l1,
      l2: this.#redis?.l2,
      versions: this.#versions,
      stats: this.#stats,
      events: this.#events,
    }
    this.#read = new ReadPath(this.#core)
  }

  /**
   * Returns the cached value of `key` if one may be served, else runs
   * `factory` once per key in this process (concurrent callers join it),
   * stores the result with the versions of its tables and tags read before
   * the factory ran, and returns it.
   */
  getOrSet<T>(
    key: string,
    factory: () => T | Promise<T>,
    options?: EntryOptions,
  ): Promise<T> {
    // Not async: an L1 hit resolves without the extra promise hops.
    try {
      this.#assertOpen()
      const error = keyError(key)
      if (error !== undefined) throw error
      if (typeof factory !== 'function') {
        throw new InvalidOptionError(
          'factory',
          factory,
          'a function returning the value',
        )
      }
      checkEntryOptions(options)
      return Promise.resolve(
        this.#read.getOrSet(key, factory, options, true),
      ) as Promise<T>
    } catch (error) {
      return Promise.resolve().then(() => {
        throw error
      })
    }
  }

  /**
   * Runs a query through `runner`, caching its rows. The key is the normalised
   * SQL plus the parameters; the tables read come from DuckDB's parser (or
   * `options.tables`). SQL that calls volatile functions or reads files or table
   * functions is not cached unless `options.force` is set; a runner whose
   * transaction has written bypasses the cache; results read inside a
   * transaction are never stored. A non-SELECT run outside a transaction
   * invalidates the tables it writes.
   */
  async query<T = Record<string, unknown>>(
    runner: QueryRunner,
    sql: string,
    params?: QueryParams,
    options?: QueryOptions,
  ): Promise<T[]> {
    this.#assertOpen()
    if (typeof sql !== 'string' || sql.trim().length === 0) {
      throw new InvalidOptionError('sql', sql, 'a non-empty SQL string')
    }
    checkEntryOptions(options)
    const run = (): Promise<T[]> =>
      params === undefined
        ? (runner.query(sql) as Promise<T[]>)
        : (runner.query(sql, params) as Promise<T[]>)
    if (runner.hasWrites === true) {
      this.#stats.bypassed += 1
      return run()
    }
    let analyzed
    try {
      analyzed = await this.#analyzer.analyze(runner, sql)
    } catch {
      this.#stats.bypassed += 1
      return run()
    }
    const read = analyzed.read
    if (!read.select) {
      const rows = await run()
      if (runner.inTransaction !== true)
        await this.invalidateForStatements([sql])
      return rows
    }
    const force = options?.force === true
    if (
      !force &&
      (read.volatile !== undefined ||
        (read.untracked !== undefined && options?.tables === undefined))
    ) {
      this.#stats.bypassed += 1
      return run()
    }
    const entryOptions: EntryOptions = {
      ...options,
      tables: options?.tables ?? read.tables,
    }
    const store = runner.inTransaction !== true
    return (await this.#read.getOrSet(
      queryKey(analyzed.id, params),
      run,
      entryOptions,
      store,
    )) as T[]
  }

  /** Returns the value of `key` if a fresh, current one is cached, else undefined. */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    this.#assertOpen()
    const error = keyError(key)
    if (error !== undefined) throw error
    return (await this.#read.get(key)) as T | undefined
  }

  /**
   * Stores a value under `key` with the current versions of its tables and
   * tags (so compute it from data read after this call's writes), and makes
   * other instances drop their L1 copy. Throws on a value that is too large or
   * cannot be serialized; Redis trouble only skips L2.
   */
  async set(
    key: string,
    value: unknown,
    options?: EntryOptions,
  ): Promise<void> {
    this.#assertOpen()
    const error = keyError(key)
    if (error !== undefined) throw error
    checkEntryOptions(options)
    await this.#read.set(key, value, options)
  }

  /** Removes `key` from every tier, and from the L1 of every instance. */
  async delete(key: string): Promise<void> {
    this.#assertOpen()
    const error = keyError(key)
    if (error !== undefined) throw error
    this.#l1?.delete(key)
    await this.#redis?.l2.delete(key)
    await this.#versions.dropKey(key)
  }

  /** Invalidates every entry that read one of these tables, on every instance; resolves once all have applied it. */
  async invalidateTables(tables: readonly string[]): Promise<void> {
    this.#assertOpen()
    const normalized = [
      ...new Set(names('tables', tables).map(normalizeTableName)),
    ]
    if (normalized.length === 0) return
    noteInvalidation(this.#core, normalized, [], false, 'local')
    await this.#versions.bump(normalized.map(tableDep), false)
  }

  /** Invalidates every entry carrying one of these tags, on every instance. */
  async invalidateTags(tags: readonly string[]): Promise<void> {
    this.#assertOpen()
    const unique = [...new Set(names('tags', tags))]
    if (unique.length === 0) return
    noteInvalidation(this.#core, [], unique, false, 'local')
    await this.#versions.bump(unique.map(tagDep), false)
  }

  /**
   * Invalidates what these statements write (INSERT, UPDATE, DELETE, MERGE,
   * COPY, CREATE, DROP, ALTER, TRUNCATE); a statement whose target cannot be
   * determined invalidates the whole namespace. For autocommit writes made
   * outside db-tx; db-tx calls it through {@link QueryCache.transactionListener}.
   */
  async invalidateForStatements(statements: readonly string[]): Promise<void> {
    this.#assertOpen()
    if (
      !Array.isArray(statements) ||
      !statements.every((s) => typeof s === 'string')
    ) {
      throw new InvalidOptionError(
        'statements',
        statements,
        'an array of SQL strings',
      )
    }
    const targets = findWriteTargets(statements)
    if (targets.unknown) return this.#reset()
    if (targets.tables.length === 0) return
    noteInvalidation(this.#core, targets.tables, [], false, 'local')
    await this.#versions.bump(targets.tables.map(tableDep), false)
  }

  /** Invalidates every entry of the namespace, on every instance. */
  async clear(): Promise<void> {
    this.#assertOpen()
    await this.#reset()
  }

  /** Current counters. */
  stats(): QueryCacheStats {
    const s = this.#stats
    const hits = s.l1Hits + s.l2Hits
    return {
      namespace: this.namespace,
      instanceId: this.instanceId,
      l1: {
        hits: s.l1Hits,
        misses: s.l1Misses,
        entries: this.#l1?.size ?? 0,
        bytes: this.#l1?.calculatedSize ?? 0,
      },
      l2: {
        enabled: this.#redis !== undefined,
        hits: s.l2Hits,
        misses: s.l2Misses,
        errors: s.l2Errors,
        breaker: this.#redis?.guard.state ?? 'none',
      },
      hits,
      misses: s.misses,
      hitRate: hits + s.misses === 0 ? 0 : hits / (hits + s.misses),
      singleFlightJoins: s.joins,
      staleServed: s.staleServed,
      bypassed: s.bypassed,
      uncacheable: s.uncacheable,
      invalidations: {
        tables: Object.fromEntries(s.tables),
        tags: Object.fromEntries(s.tags),
        all: s.invalidateAll,
      },
      bus: {
        enabled: this.#redis !== undefined,
        trusted: this.#redis?.coherence.trusted ?? false,
        messages: s.busMessages,
        gaps: s.busGaps,
        l1Flushes: s.l1Flushes,
        ackTimeouts: s.ackTimeouts,
        deferred: this.#versions.blocked,
      },
      dbMsSaved: s.dbMsSaved,
    }
  }

  /** Adds an event listener and returns a function that removes it. */
  on<K extends keyof QueryCacheEvents>(
    event: K,
    listener: Listener<QueryCacheEvents[K]>,
  ): () => void {
    return this.#events.on(event, listener)
  }

  /** Removes an event listener. */
  off<K extends keyof QueryCacheEvents>(
    event: K,
    listener: Listener<QueryCacheEvents[K]>,
  ): void {
    this.#events.off(event, listener)
  }

  /** Leaves the bus, closes the connections the cache opened and drops L1; later calls throw `CacheClosedError`. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#read.close()
    await this.#versions.close()
    if (this.#redis !== undefined) {
      this.#redis.guard.shutdown()
      if (this.#redis.ownsClient) this.#redis.client.disconnect()
    }
    this.#l1?.clear()
    this.#events.clear()
  }

  async #reset(): Promise<void> {
    this.#l1?.clear()
    this.#analyzer.clear()
    this.#stats.l1Flushes += 1
    this.#events.emit('l1Flush', { reason: 'clear' })
    noteInvalidation(this.#core, [], [], true, 'local')
    await this.#versions.bump([], true)
  }

  #assertOpen(): void {
    if (this.#closed) throw new CacheClosedError()
  }
}
