import { type CacheCore } from './cache-core.js'
import { type CacheEntry, sameVersions } from './entry.js'
import { entryPolicy, type EntryPolicy, sameDeps } from './entry-policy.js'
import { CacheSerializationError, CacheValueTooLargeError } from './errors.js'
import { type EntryOptions } from './types.js'

/** A factory's work in progress, which later callers of the same key may join. */
interface Flight {
  promise: Promise<unknown>
  readonly generation: number
  readonly trusted: boolean
  readonly deps: readonly string[]
  versions: readonly number[] | undefined
}

/** One `getOrSet` past L1: its arguments and what was known when it started. */
interface Read {
  readonly key: string
  readonly factory: () => unknown
  readonly options: EntryOptions | undefined
  readonly policy: EntryPolicy
  readonly store: boolean
  /** The version source's generation before the versions were read (for single-flight joins). */
  readonly generation: number
  /** Whether local knowledge was trusted before the versions were read. */
  readonly trusted: boolean
  /** When the read started: the entry's `createdAt` if the factory runs. */
  readonly readAt: number
  /** The current versions of `policy.deps`, once known. */
  versions: readonly number[] | undefined
}

/** What L1 can do with an entry it holds. */
type Verdict = 'serve' | 'stale' | 'revalidate' | 'drop'

/**
 * The read path of a cache: L1, then L2, then the factory, with the
 * versions read before anything else, single-flight per key and
 * stale-while-revalidate. Callers have validated their arguments.
 */
export class ReadPath {
  readonly #s: CacheCore['settings']
  readonly #l1: CacheCore['l1']
  readonly #l2: CacheCore['l2']
  readonly #versions: CacheCore['versions']
  readonly #stats: CacheCore['stats']
  readonly #events: CacheCore['events']
  readonly #flights = new Map<string, Flight>()
  #closed = false

  constructor(core: CacheCore) {
    this.#s = core.settings
    this.#l1 = core.l1
    this.#l2 = core.l2
    this.#versions = core.versions
    this.#stats = core.stats
    this.#events = core.events
  }

  /** Returns a fresh, current value of `key` from L1 or L2, else undefined. */
  async get(key: string): Promise<unknown> {
    if (this.#versions.blocked) return undefined
    const held = this.#l1?.get(key)
    if (held !== undefined) {
      const verdict = this.#verdict(held)
      if (
        verdict === 'serve' ||
        (verdict === 'revalidate' &&
          (await this.#isCurrent(held)) &&
          this.#s.clock.now() < held.expiresAt)
      ) {
        this.#hit(key, held, 'l1', false)
        return held.value
      }
    }
    if (this.#l1 !== undefined) this.#stats.l1Misses += 1
    const entry = await this.#l2?.get(key)
    if (
      entry !== undefined &&
      this.#s.clock.now() < entry.expiresAt &&
      (await this.#isCurrent(entry))
    ) {
      this.#l1?.set(key, entry)
      this.#hit(key, entry, 'l2', false)
      return entry.value
    }
    if (this.#l2 !== undefined) this.#stats.l2Misses += 1
    return undefined
  }

  /** Stores a value with the versions current now; throws what makes it uncacheable. */
  async set(
    key: string,
    value: unknown,
    options: EntryOptions | undefined,
  ): Promise<void> {
    const policy = entryPolicy(
      options,
      this.#s.defaultTtlMs,
      this.#s.staleWhileRevalidateMs,
    )
    const versions = await this.versionsNow(policy.deps)
    if (versions === undefined) return
    await this.#store(
      key,
      value,
      policy,
      versions,
      0,
      this.#s.clock.now(),
      true,
    )
    await this.#versions.dropKey(key)
  }

  /** Stops background refreshes and forgets running flights. */
  close(): void {
    this.#closed = true
    this.#flights.clear()
  }

  /** Returns the value itself on an L1 hit, else a promise of it; may throw synchronously. */
  getOrSet(
    key: string,
    factory: () => unknown,
    options: EntryOptions | undefined,
    store: boolean,
  ): unknown {
    if (this.#versions.blocked) {
      this.#stats.bypassed += 1
      return factory()
    }
    let candidate: CacheEntry | undefined
    const l1 = this.#l1
    if (l1 !== undefined) {
      const held = l1.get(key)
      if (held !== undefined) {
        const verdict = this.#verdict(held)
        if (verdict === 'serve') {
          this.#hit(key, held, 'l1', false)
          return held.value
        }
        if (verdict === 'stale') {
          this.#hit(key, held, 'l1', true)
          this.#refresh(key, factory, options)
          return held.value
        }
        if (verdict === 'revalidate') candidate = held
        else l1.delete(key)
      }
      this.#stats.l1Misses += 1
    }
    const flight = this.#flights.get(key)
    if (flight !== undefined && this.#canJoin(flight)) {
      this.#stats.joins += 1
      return flight.promise
    }
    const policy = entryPolicy(
      options,
      this.#s.defaultTtlMs,
      this.#s.staleWhileRevalidateMs,
    )
    // The entry's GET is sent first: what follows runs while Redis answers.
    const fromL2 =
      candidate === undefined ? this.#l2?.get(key, policy.deps) : undefined
    // A flight is registered only when the factory starts (see #run), so
    // hits in L2 pay nothing for single-flight; what it needs is noted here,
    // before the versions are read.
    const readAt = this.#s.clock.now()
    const versions = this.#versions.peek(policy.deps, readAt)
    const read: Read = {
      key,
      factory,
      options,
      policy,
      store,
      generation: this.#versions.generation,
      // Local knowledge answers only while it is trusted.
      trusted: versions !== undefined || this.#versions.trusted,
      readAt,
      versions,
    }
    if (versions !== undefined && fromL2 !== undefined) {
      // The bus vouches for these versions: the GET sent above is the only
      // Redis command, and its promise chain is returned as is.
      return fromL2.then((entry) => this.#fromL2(read, entry))
    }
    return this.#lead(read, candidate, fromL2)
  }

  /** Reads the versions from Redis if they are not known, then looks in the tiers. */
  async #lead(
    read: Read,
    candidate: CacheEntry | undefined,
    fromL2: Promise<CacheEntry | undefined> | undefined,
  ): Promise<unknown> {
    const { key, policy } = read
    let versions = read.versions
    if (versions === undefined) versions = await this.versionsNow(policy.deps)
    read.versions = versions
    if (versions === undefined) {
      // Redis cannot say what is current: neither serve nor store.
      await fromL2
      this.#stats.bypassed += 1
      return read.factory()
    }
    if (candidate !== undefined) {
      let current = this.#matches(candidate, policy.deps, versions)
      if (typeof current !== 'boolean') current = await current
      const now = this.#s.clock.now()
      if (current && now < candidate.staleUntil) {
        const stale = now >= candidate.expiresAt
        this.#hit(key, candidate, 'l1', stale)
        if (stale) this.#refresh(key, read.factory, read.options)
        return candidate.value
      }
      if (this.#l1?.peek(key) === candidate) this.#l1.delete(key)
    }
    if (this.#l2 === undefined) return this.#run(read, versions)
    return this.#fromL2(read, await (fromL2 ?? this.#l2.get(key, policy.deps)))
  }

  /** Serves what L2 returned if its versions are current, else runs the factory. */
  #fromL2(read: Read, entry: CacheEntry | undefined): unknown {
    const versions = read.versions as readonly number[]
    if (entry !== undefined) {
      const now = this.#s.clock.now()
      if (now < entry.staleUntil) {
        const current = this.#matches(entry, read.policy.deps, versions)
        if (current === true) return this.#serveL2(read, entry, now)
        if (current !== false) {
          return current.then((yes) =>
            yes ? this.#serveL2(read, entry, now) : this.#missL2(read),
          )
        }
      }
    }
    return this.#missL2(read)
  }

  #serveL2(read: Read, entry: CacheEntry, now: number): unknown {
    this.#l1?.set(read.key, entry)
    const stale = now >= entry.expiresAt
    this.#hit(read.key, entry, 'l2', stale)
    if (stale) this.#refresh(read.key, read.factory, read.options)
    return entry.value
  }

  #missL2(read: Read): unknown {
    this.#stats.l2Misses += 1
    return this.#run(read, read.versions as readonly number[])
  }

  /** Runs the factory after no tier could serve (joining one that started meanwhile). */
  #run(read: Read, versions: readonly number[]): unknown {
    const { key, factory, policy, readAt } = read
    if (!read.store) {
      return this.#compute(key, factory, policy, versions, false, readAt)
    }
    const running = this.#flights.get(key)
    if (running !== undefined && this.#canJoin(running)) {
      this.#stats.joins += 1
      return running.promise
    }
    const flight: Flight = {
      promise: this.#compute(key, factory, policy, versions, true, readAt),
      generation: read.generation,
      trusted: read.trusted,
      deps: policy.deps,
      versions,
    }
    this.#track(key, flight)
    return flight.promise
  }

  async #compute(
    key: string,
    factory: () => unknown,
    policy: EntryPolicy,
    versions: readonly number[],
    store: boolean,
    readAt: number,
  ): Promise<unknown> {
    const started = this.#s.clock.now()
    const value = await factory()
    const durationMs = this.#s.clock.now() - started
    this.#stats.misses += 1
    if (this.#events.has('miss')) this.#events.emit('miss', { key, durationMs })
    if (store)
      await this.#store(key, value, policy, versions, durationMs, readAt, false)
    return value
  }

  /** Stores a value in L1 and L2; `strict` throws what otherwise only makes the value uncacheable. */
  async #store(
    key: string,
    value: unknown,
    policy: EntryPolicy,
    versions: readonly number[],
    costMs: number,
    readAt: number,
    strict: boolean,
  ): Promise<void> {
    let payload: Uint8Array
    try {
      payload = this.#s.serializer.serialize(value)
    } catch (error) {
      return this.#uncacheable(
        new CacheSerializationError(key, 'serialize', error),
        strict,
      )
    }
    if (payload.byteLength > this.#s.maxEntryBytes) {
      return this.#uncacheable(
        new CacheValueTooLargeError(
          key,
          payload.byteLength,
          this.#s.maxEntryBytes,
        ),
        strict,
      )
    }
    // A write that landed while the factory ran makes the value stale already.
    if (this.#versions.check(policy.deps, versions) === 'stale') return
    const now = this.#s.clock.now()
    const entry: CacheEntry = {
      value,
      deps: policy.deps,
      versions,
      createdAt: readAt,
      expiresAt: now + policy.ttlMs,
      staleUntil: now + policy.ttlMs + policy.swrMs,
      costMs,
      size: payload.byteLength,
    }
    this.#l1?.set(key, entry)
    await this.#l2?.set(key, entry, payload, policy.ttlMs + policy.swrMs)
  }

  #uncacheable(error: Error, strict: boolean): void {
    if (strict) throw error
    this.#stats.uncacheable += 1
    if (this.#events.has('uncacheable')) {
      this.#events.emit('uncacheable', {
        key: (error as { key?: string }).key ?? '',
        error,
      })
    }
  }

  /** Starts one background refresh of a key served stale (unless one runs). */
  #refresh(
    key: string,
    factory: () => unknown,
    options: EntryOptions | undefined,
  ): void {
    if (this.#flights.has(key) || this.#closed) return
    const policy = entryPolicy(
      options,
      this.#s.defaultTtlMs,
      this.#s.staleWhileRevalidateMs,
    )
    const flight: Flight = {
      promise: Promise.resolve(),
      generation: this.#versions.generation,
      trusted: this.#versions.trusted,
      deps: policy.deps,
      versions: undefined,
    }
    flight.promise = (async () => {
      const readAt = this.#s.clock.now()
      const versions =
        this.#versions.peek(policy.deps) ??
        (await this.versionsNow(policy.deps))
      flight.versions = versions
      if (versions === undefined) return factory()
      return this.#compute(key, factory, policy, versions, true, readAt)
    })()
    this.#track(key, flight)
    flight.promise.catch((error: unknown) => {
      this.#events.emit('refreshError', { key, error })
    })
  }

  #track(key: string, flight: Flight): void {
    this.#flights.set(key, flight)
    const done = (): void => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key)
    }
    flight.promise.then(done, done)
  }

  /**
   * A caller may join a running factory only if nothing it must observe can
   * have happened since the factory read its versions: the flight started
   * while local knowledge was trusted, and no bump or trust change has been
   * applied since (or the versions it read are still the current ones).
   */
  #canJoin(flight: Flight): boolean {
    const v = this.#versions
    if (!flight.trusted || !v.trusted) return false
    if (flight.generation === v.generation) return true
    if (flight.versions === undefined) return false
    const now = v.peek(flight.deps)
    return now !== undefined && sameVersions(now, flight.versions)
  }

  #verdict(entry: CacheEntry): Verdict {
    const now = this.#s.clock.now()
    if (now >= entry.staleUntil) return 'drop'
    let check = this.#versions.check(entry.deps, entry.versions)
    if (
      check === 'unknown' &&
      this.#s.busDownL1MaxAgeMs > 0 &&
      !this.#versions.trusted &&
      now - entry.createdAt <= this.#s.busDownL1MaxAgeMs
    ) {
      check = this.#versions.checkLastKnown(entry.deps, entry.versions)
    }
    if (check === 'stale') return 'drop'
    if (check === 'unknown') return 'revalidate'
    return now < entry.expiresAt ? 'serve' : 'stale'
  }

  /** Whether an entry's versions are the current ones (`versions` holds them for `deps`). */
  #matches(
    entry: CacheEntry,
    deps: readonly string[],
    versions: readonly number[],
  ): boolean | Promise<boolean> {
    if (sameDeps(entry.deps, deps))
      return sameVersions(entry.versions, versions)
    return this.#isCurrent(entry)
  }

  async #isCurrent(entry: CacheEntry): Promise<boolean> {
    const current =
      this.#versions.peek(entry.deps) ?? (await this.versionsNow(entry.deps))
    return current !== undefined && sameVersions(entry.versions, current)
  }

  /** Current versions from local knowledge or Redis; undefined when Redis cannot answer. */
  async versionsNow(
    deps: readonly string[],
  ): Promise<readonly number[] | undefined> {
    const known = this.#versions.peek(deps)
    if (known !== undefined) return known
    try {
      return await this.#versions.read(deps)
    } catch {
      return undefined
    }
  }

  #hit(
    key: string,
    entry: CacheEntry,
    tier: 'l1' | 'l2',
    stale: boolean,
  ): void {
    if (tier === 'l1') this.#stats.l1Hits += 1
    else this.#stats.l2Hits += 1
    if (stale) this.#stats.staleServed += 1
    this.#stats.dbMsSaved += entry.costMs
    if (this.#events.has('hit')) this.#events.emit('hit', { key, tier, stale })
  }
}
