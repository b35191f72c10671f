/** Releases lanes taken with {@link WriteLanes.acquire}. */
export type LaneRelease = () => void

interface Lane {
  waiters: (() => void)[]
}

/**
 * In-process FIFO locks keyed by name (a table, a row, any caller-given key).
 * Writers that take the same lane before `BEGIN` run one after another, so they
 * never conflict with each other. Keys are taken in sorted order, so two units
 * asking for overlapping sets cannot deadlock.
 */
export class WriteLanes {
  #lanes = new Map<string, Lane>()
  #waits = 0

  /** Number of acquisitions that had to wait for another holder. */
  get waits(): number {
    return this.#waits
  }

  /**
   * Takes every key (sorted, deduplicated) and resolves with a function that
   * releases them. If `signal` aborts while waiting, the keys taken so far are
   * given back and the promise rejects with the signal's reason.
   */
  async acquire(
    keys: readonly string[],
    signal?: AbortSignal,
  ): Promise<LaneRelease> {
    const sorted = [...new Set(keys)].sort()
    const taken: string[] = []
    const release = (): void => {
      for (const key of taken.reverse()) this.#give(key)
      taken.length = 0
    }
    try {
      for (const key of sorted) {
        await this.#take(key, signal)
        taken.push(key)
      }
    } catch (error) {
      release()
      throw error
    }
    return release
  }

  #take(
    key: string,
    signal: AbortSignal | undefined,
  ): Promise<void> | undefined {
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error)
    const lane = this.#lanes.get(key)
    if (lane === undefined) {
      this.#lanes.set(key, { waiters: [] })
      return undefined
    }
    this.#waits += 1
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = lane.waiters.indexOf(grant)
        if (index !== -1) lane.waiters.splice(index, 1)
        reject(signal?.reason as Error)
      }
      function grant(): void {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      lane.waiters.push(grant)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  #give(key: string): void {
    const lane = this.#lanes.get(key)
    if (lane === undefined) return
    const next = lane.waiters.shift()
    if (next === undefined) this.#lanes.delete(key)
    else next()
  }
}
