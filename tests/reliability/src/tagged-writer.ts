import { upsertKey } from './check-configs.js'
import { type HttpResponse } from './http-client.js'
import { type ServiceApi } from './service-api.js'
import { chainLength, taggedBody } from './tagged-config.js'
import { type WriteLog, type WriteOutcome } from './write-log.js'

/** One write a {@link TaggedWriter} sent, with its answer or error. */
export interface WriteAttempt {
  /** Log key written. */
  readonly key: string
  /** Sequence number of the write. */
  readonly seq: number
  /** The answer, when one came. */
  readonly response?: HttpResponse
  /** The network error, when no answer came. */
  readonly error?: unknown
  /** What the log recorded. */
  readonly outcome: WriteOutcome
}

/** Decides the outcome of an answer (a network error is always indeterminate). */
export type OutcomeOf = (response: HttpResponse) => WriteOutcome

/**
 * The single writer of one usage type: `upsert` writers cycle over
 * priorities 1..`priorities`, `chain` writers replace the whole chain with
 * 1 to 5 entries. Every write is tagged (see `taggedBody`) and logged.
 */
export class TaggedWriter {
  /** The usage type written. */
  readonly usageType: string
  readonly #kind: 'upsert' | 'chain'
  readonly #api: ServiceApi
  readonly #log: WriteLog
  readonly #priorities: number
  #seq: number

  /** A writer of `usageType`; `firstSeq` continues an earlier writer's sequence. */
  constructor(options: {
    usageType: string
    kind: 'upsert' | 'chain'
    api: ServiceApi
    log: WriteLog
    priorities?: number
    firstSeq?: number
  }) {
    this.usageType = options.usageType
    this.#kind = options.kind
    this.#api = options.api
    this.#log = options.log
    this.#priorities = options.priorities ?? 8
    this.#seq = options.firstSeq ?? 1
  }

  /** The next sequence number. */
  get nextSeq(): number {
    return this.#seq
  }

  /** Sends the next write, logs its outcome and resolves the attempt. */
  async writeNext(outcomeOf: OutcomeOf): Promise<WriteAttempt> {
    const seq = this.#seq
    this.#seq += 1
    let key: string
    let sent: Promise<HttpResponse>
    if (this.#kind === 'upsert') {
      const priority = ((seq - 1) % this.#priorities) + 1
      key = upsertKey(this.usageType, priority)
      sent = this.#api.upsert(
        this.usageType,
        priority,
        taggedBody(this.usageType, seq, priority),
      )
    } else {
      key = this.usageType
      const entries = Array.from({ length: chainLength(seq) }, (_, i) =>
        taggedBody(this.usageType, seq, i + 1),
      )
      sent = this.#api.replaceChain(this.usageType, entries)
    }
    try {
      const response = await sent
      const outcome = outcomeOf(response)
      this.#log.record(key, seq, outcome)
      return { key, seq, response, outcome }
    } catch (error) {
      this.#log.record(key, seq, 'indeterminate')
      return { key, seq, error, outcome: 'indeterminate' }
    }
  }
}
