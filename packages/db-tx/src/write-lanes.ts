/** Releases lanes taken with {@link WriteLanes.acquire}. */
export type LaneRelease = () => void

/** What {@link WriteLanes.acquire} resolves with. */
export interface LaneGrant<T> {
  /** Releases every key of the grant (once the holder, or its batch, is done). */
  readonly release: LaneRelease
  /**
   * Set when the previous holder of the same keys handed over its open work
   * (see {@link WriteLanes.handOff}) instead of releasing them: the keys now
   * belong to that work, and `release` is its release.
   */
  readonly handed: T | undefined
}

interface Waiter<T> {
  /** Grants the key; with a value, hands over every key along with it. */
  readonly grant: (handed?: T) => void
  /** The waiter's sorted key set, joined. */
  readonly keys: string
  /** Whether the waiter accepts handed-over work. */
  readonly joins: boolean
}

interface Lane<T> {
  readonly waiters: Waiter<T>[]
}

/** Something handed over with the keys; it releases them when it is done. */
interface Handed {
  readonly release: LaneRelease
}

/**
 * In-process FIFO locks keyed by name (a table, a row, any caller-given key).
 * Writers that take the same lane before `BEGIN` run one after another, so they
 * never conflict with each other. Keys are taken in sorted order, so two units
 * asking for overlapping sets cannot deadlock. A holder may hand its keys, and
 * open work that goes with them, straight to the next waiter for exactly the
 * same keys ({@link WriteLanes.handOff}).
 */
export class WriteLanes<T extends Handed> {
  #lanes = new Map<string, Lane<T>>()
  #waits = 0

  /** Number of acquisitions that had to wait for another holder. */
  get waits(): number {
    return this.#waits
  }

  /**
   * Takes every key (sorted, deduplicated) and resolves with a function that
   * releases them. If `signal` aborts while waiting, the keys taken so far are
   * given back and the promise rejects with the signal's reason. With `joins`,
   * the waiter also accepts work handed over by the previous holder.
   */
  async acquire(
    keys: readonly string[],
    signal?: AbortSignal,
    joins = false,
  ): Promise<LaneGrant<T>> {
    const sorted = [...new Set(keys)].sort()
    const joined = sorted.join('\u0000')
    const taken: string[] = []
    const release = (): void => {
      for (const key of taken.reverse()) this.#give(key)
      taken.length = 0
    }
    try {
      for (const key of sorted) {
        const handed = await this.#take(key, signal, joined, joins)
        // Handed-over work holds every key already (the same set as ours).
        if (handed !== undefined) return { release: handed.release, handed }
        taken.push(key)
      }
    } catch (error) {
      release()
      throw error
    }
    return { release, handed: undefined }
  }

  /**
   * Hands `work` and the keys it holds to the first waiter, if that waiter
   * asked for exactly `keys` and accepts handed-over work. Returns whether it
   * did; when it did, the keys stay taken and `work` releases them later.
   */
  handOff(keys: readonly string[], work: T): boolean {
    const sorted = [...new Set(keys)].sort()
    const lane = this.#lanes.get(sorted[0] ?? '')
    const next = lane?.waiters[0]
    if (next?.joins !== true || next.keys !== sorted.join('\u0000'))
      return false
    lane?.waiters.shift()
    next.grant(work)
    return true
  }

  #take(
    key: string,
    signal: AbortSignal | undefined,
    keys: string,
    joins: boolean,
  ): Promise<T | undefined> | undefined {
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error)
    const lane = this.#lanes.get(key)
    if (lane === undefined) {
      this.#lanes.set(key, { waiters: [] })
      return undefined
    }
    this.#waits += 1
    return new Promise<T | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        const index = lane.waiters.indexOf(waiter)
        if (index !== -1) lane.waiters.splice(index, 1)
        reject(signal?.reason as Error)
      }
      const waiter: Waiter<T> = {
        grant: (handed) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(handed)
        },
        keys,
        joins,
      }
      lane.waiters.push(waiter)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  #give(key: string): void {
    const lane = this.#lanes.get(key)
    if (lane === undefined) return
    const next = lane.waiters.shift()
    if (next === undefined) this.#lanes.delete(key)
    else next.grant()
  }
}
