import { type Check, EPOCH_DEP, type VersionSource } from './version-source.js'

/**
 * In-process version counters, used when the cache has no Redis. They are the
 * source of truth, so every check is exact and local. When more than
 * `maxTracked` keys have versions, everything is reset (one new epoch): an
 * evicted counter could otherwise come back at an old value.
 */
export class LocalVersions implements VersionSource {
  readonly trusted = true
  readonly blocked = false
  #values = new Map<string, number>()
  #seq = 0
  #epoch = 0
  #generation = 0
  readonly #maxTracked: number
  readonly #onReset: () => void

  constructor(maxTracked: number, onReset: () => void) {
    this.#maxTracked = maxTracked
    this.#onReset = onReset
  }

  get generation(): number {
    return this.#generation
  }

  check(deps: readonly string[], versions: readonly number[]): Check {
    for (let i = 0; i < deps.length; i += 1) {
      if (this.#current(deps[i] as string) !== versions[i]) return 'stale'
    }
    return 'current'
  }

  checkLastKnown(deps: readonly string[], versions: readonly number[]): Check {
    return this.check(deps, versions)
  }

  peek(deps: readonly string[]): number[] {
    return deps.map((dep) => this.#current(dep))
  }

  read(deps: readonly string[]): Promise<number[]> {
    return Promise.resolve(this.peek(deps))
  }

  bump(deps: readonly string[], reset: boolean): Promise<void> {
    this.#seq += 1
    this.#generation += 1
    if (reset || this.#values.size + deps.length > this.#maxTracked) {
      this.#epoch = this.#seq
      this.#values.clear()
      this.#onReset()
    } else {
      for (const dep of deps) this.#values.set(dep, this.#seq)
    }
    return Promise.resolve()
  }

  dropKey(): Promise<void> {
    return Promise.resolve()
  }

  close(): Promise<void> {
    return Promise.resolve()
  }

  #current(dep: string): number {
    if (dep === EPOCH_DEP) return this.#epoch
    return this.#values.get(dep) ?? this.#epoch
  }
}
