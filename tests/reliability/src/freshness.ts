/** One acknowledged write of a key. */
interface Ack {
  readonly seq: number
  /** When the acknowledgement arrived (`performance.now()`). */
  readonly at: number
}

/**
 * Tells stale reads apart: a read that started after a write to its key was
 * acknowledged (to any client) must show that write or a later one. Each key
 * has a single writer whose sequence numbers increase, so "later" is a
 * larger number.
 */
export class FreshnessOracle {
  readonly #acks = new Map<string, Ack[]>()
  readonly #sent = new Map<string, number>()

  /** A write of `seq` to `key` is about to be sent. */
  sent(key: string, seq: number): void {
    this.#sent.set(key, Math.max(seq, this.#sent.get(key) ?? 0))
  }

  /** The write of `seq` to `key` was acknowledged at `at`. */
  acknowledged(key: string, seq: number, at: number): void {
    const list = this.#acks.get(key) ?? []
    list.push({ seq, at })
    this.#acks.set(key, list)
  }

  /** The newest write of `key` acknowledged before `time`, or 0. */
  requiredAt(key: string, time: number): number {
    const list = this.#acks.get(key) ?? []
    for (let i = list.length - 1; i >= 0; i -= 1) {
      const ack = list[i]
      if (ack !== undefined && ack.at < time) return ack.seq
    }
    return 0
  }

  /** Says why observing `seq` at `key` in a read started at `startedAt` is wrong, or undefined when it is fresh. */
  violation(key: string, seq: number, startedAt: number): string | undefined {
    const required = this.requiredAt(key, startedAt)
    if (seq < required)
      return `${key}: read #${seq}, but #${required} was acknowledged before the read began (stale)`
    const sent = this.#sent.get(key) ?? 0
    if (seq > sent) return `${key}: read #${seq}, which was never sent`
    return undefined
  }
}
