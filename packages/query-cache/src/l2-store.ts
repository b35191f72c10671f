import { type Cluster, type Redis } from 'ioredis'
import { type CacheEntry } from './entry.js'
import { decodeEntry, encodeEntry } from './entry-codec.js'
import { type RedisGuard } from './redis-guard.js'
import { type RedisKeys } from './redis-keys.js'
import { type Serializer } from './types.js'

/** Entries in Redis. Every failure degrades to a miss; nothing here throws to callers. */
export class L2Store {
  readonly #client: Redis | Cluster
  readonly #keys: RedisKeys
  readonly #guard: RedisGuard
  readonly #serializer: Serializer
  readonly #compressAbove: number
  readonly #onCorrupt: (key: string, error: unknown) => void
  readonly #deserialize = (payload: Uint8Array): unknown =>
    this.#serializer.deserialize(payload)

  constructor(
    client: Redis | Cluster,
    keys: RedisKeys,
    guard: RedisGuard,
    serializer: Serializer,
    compressAbove: number,
    onCorrupt: (key: string, error: unknown) => void,
  ) {
    this.#client = client
    this.#keys = keys
    this.#guard = guard
    this.#serializer = serializer
    this.#compressAbove = compressAbove
    this.#onCorrupt = onCorrupt
  }

  /**
   * Reads an entry; undefined when absent, unreadable or Redis is in trouble.
   * When the entry depends on exactly `deps`, it shares that array.
   */
  get(key: string, deps?: readonly string[]): Promise<CacheEntry | undefined> {
    const entryKey = this.#keys.entry(key)
    return this.#guard.attempt(
      'get',
      () => this.#client.getBuffer(entryKey),
      (bytes) => (bytes === null ? undefined : this.#decode(key, bytes, deps)),
    )
  }

  #decode(
    key: string,
    bytes: Buffer,
    deps: readonly string[] | undefined,
  ): CacheEntry | undefined {
    try {
      return decodeEntry(bytes, this.#deserialize, deps)
    } catch (error) {
      this.#onCorrupt(key, error)
      return undefined
    }
  }

  /** Stores an entry until its stale window ends; resolves false when Redis did not take it. */
  async set(
    key: string,
    entry: CacheEntry,
    payload: Uint8Array,
    ttlMs: number,
  ): Promise<boolean> {
    const { bytes } = encodeEntry(entry, payload, this.#compressAbove)
    try {
      await this.#guard.run('set', () =>
        this.#client.set(
          this.#keys.entry(key),
          bytes,
          'PX',
          Math.max(1, ttlMs),
        ),
      )
      return true
    } catch {
      return false
    }
  }

  /** Deletes an entry; resolves false when Redis did not answer. */
  async delete(key: string): Promise<boolean> {
    try {
      await this.#guard.run('delete', () =>
        this.#client.del(this.#keys.entry(key)),
      )
      return true
    } catch {
      return false
    }
  }
}
