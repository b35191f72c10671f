/**
 * Redis key and channel names of one namespace. Version counters, the member
 * table and the scripts that touch them share one hash slot (the `{prefix}`
 * hash tag), so they work on Redis Cluster and the bus's ordering holds;
 * entries carry no hash tag and spread over the cluster.
 */
export class RedisKeys {
  /** Hash of version counters: `s` (bus sequence), `*` (epoch) and one field per table or tag. */
  readonly versions: string
  /** Hash of instances: id -> when the lease of its latest heartbeat ends at the latest (Redis time, ms). */
  readonly members: string
  /** Channel of invalidation messages. */
  readonly bus: string
  /** Prefix of each instance's own channel (heartbeat echoes and acknowledgements). */
  readonly instancePrefix: string
  readonly #entryPrefix: string

  constructor(prefix: string) {
    const tag = `{${prefix}}`
    this.versions = `${tag}v`
    this.members = `${tag}m`
    this.bus = `${tag}bus`
    this.instancePrefix = `${tag}i:`
    this.#entryPrefix = `${prefix}e:`
  }

  /** Key of the L2 entry of a cache key. */
  entry(key: string): string {
    return this.#entryPrefix + key
  }

  /** Channel of one instance. */
  instance(id: string): string {
    return this.instancePrefix + id
  }
}
