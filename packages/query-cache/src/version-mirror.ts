import { type Check, EPOCH_DEP } from './version-source.js'

/**
 * What one instance knows about the versions in Redis. A value for a key is
 * Redis's value as of some sequence number, and every later bump of that key
 * reaches the mirror through the bus, so a known value is current whenever the
 * bus is in sync. Values only grow. Past `maxSize` keys the mirror forgets
 * everything (it is only a cache of Redis).
 */
export class VersionMirror {
  #values = new Map<string, number>()
  readonly #maxSize: number

  constructor(maxSize: number) {
    this.#maxSize = maxSize
  }

  /** Number of keys known. */
  get size(): number {
    return this.#values.size
  }

  /** Compares stored versions with the known ones. */
  check(deps: readonly string[], versions: readonly number[]): Check {
    let unknown = false
    for (let i = 0; i < deps.length; i += 1) {
      const known = this.#values.get(deps[i] as string)
      if (known === undefined) unknown = true
      else if (known !== versions[i]) return 'stale'
    }
    return unknown ? 'unknown' : 'current'
  }

  /** Known versions of every dep, or undefined when one is unknown. */
  peek(deps: readonly string[]): number[] | undefined {
    const out: number[] = new Array<number>(deps.length)
    for (let i = 0; i < deps.length; i += 1) {
      const known = this.#values.get(deps[i] as string)
      if (known === undefined) return undefined
      out[i] = known
    }
    return out
  }

  /** Whether a key is known. */
  has(dep: string): boolean {
    return this.#values.has(dep)
  }

  /** Raises a key to `version` (never lowers it). */
  raise(dep: string, version: number): void {
    const known = this.#values.get(dep)
    if (known !== undefined && known >= version) return
    if (known === undefined && this.#values.size >= this.#maxSize) {
      this.#values.clear()
    }
    this.#values.set(dep, version)
  }

  /** Applies a namespace reset at `seq`: every key's version is now `seq`. */
  reset(seq: number): void {
    this.#values.clear()
    this.#values.set(EPOCH_DEP, seq)
  }

  /** Forgets everything. */
  clear(): void {
    this.#values.clear()
  }
}
