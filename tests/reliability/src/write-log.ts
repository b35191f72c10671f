/** What became of one write request. */
export type WriteOutcome =
  /** A 2xx answer: the write must be visible from now on. */
  | 'acknowledged'
  /** A definite refusal that guarantees nothing was applied (such as `E_CIRCUIT_OPEN`). */
  | 'refused'
  /** No answer or an answer that does not say (a reset connection, a 503 after a failed statement). */
  | 'indeterminate'

interface KeyLog {
  /** Sequence of the last acknowledged write, or undefined. */
  acknowledged: number | undefined
  /** Writes after it whose outcome is unknown. */
  readonly indeterminate: Set<number>
  /** Every write after it that was refused for sure. */
  readonly refused: Set<number>
}

/**
 * A log of writes per key (Jepsen style), where each key has one writer that
 * writes in increasing sequence: it says which values a reader may observe.
 * A value is allowed when it is the last acknowledged write, or a later
 * write whose outcome is unknown; older values (a lost acknowledged write)
 * and refused writes are not.
 */
export class WriteLog {
  readonly #keys = new Map<string, KeyLog>()

  /** Records a write of `seq` to `key` with its outcome. */
  record(key: string, seq: number, outcome: WriteOutcome): void {
    const log = this.#log(key)
    if (outcome === 'acknowledged') {
      if (log.acknowledged !== undefined && seq < log.acknowledged)
        throw new Error(`${key}: writes must be logged in sequence order`)
      log.acknowledged = seq
      for (const set of [log.indeterminate, log.refused])
        for (const s of set) if (s <= seq) set.delete(s)
    } else if (outcome === 'refused') {
      log.refused.add(seq)
    } else {
      log.indeterminate.add(seq)
    }
  }

  /** Says why observing `seq` at `key` (undefined: the key is absent) breaks the log, or undefined when it is allowed. */
  violation(key: string, seq: number | undefined): string | undefined {
    const log = this.#keys.get(key)
    if (log === undefined) {
      return seq === undefined ? undefined : `${key}: #${seq} was never written`
    }
    if (seq === undefined) {
      return log.acknowledged === undefined
        ? undefined
        : `${key}: absent, but #${log.acknowledged} was acknowledged`
    }
    if (seq === log.acknowledged || log.indeterminate.has(seq)) return undefined
    if (log.refused.has(seq)) return `${key}: #${seq} was refused but applied`
    if (log.acknowledged !== undefined && seq < log.acknowledged)
      return `${key}: #${seq} is older than the acknowledged #${log.acknowledged} (a lost write)`
    return `${key}: #${seq} was never written (acknowledged #${String(log.acknowledged)})`
  }

  /** Settles a key after a check: what was observed becomes the acknowledged state. */
  settle(key: string, seq: number | undefined): void {
    const log = this.#log(key)
    log.acknowledged = seq
    log.indeterminate.clear()
    log.refused.clear()
  }

  /** Every key written so far. */
  keys(): readonly string[] {
    return [...this.#keys.keys()]
  }

  /** The last acknowledged sequence of a key. */
  acknowledged(key: string): number | undefined {
    return this.#keys.get(key)?.acknowledged
  }

  #log(key: string): KeyLog {
    let log = this.#keys.get(key)
    if (log === undefined) {
      log = {
        acknowledged: undefined,
        indeterminate: new Set(),
        refused: new Set(),
      }
      this.#keys.set(key, log)
    }
    return log
  }
}
