import { type Clock, systemClock } from './clock.js'
import { clockOption, numberOption } from './validate.js'

/** Options of a {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per call in the window, on top of the minimum (0.2 = one retry per five calls). @default 0.2 */
  ratio?: number | undefined
  /** Retries always allowed per window, so that low traffic can still retry. @default 10 */
  minRetriesPerWindow?: number | undefined
  /** Length of the sliding window over which calls and retries are counted, in milliseconds. @default 10000 */
  windowMs?: number | undefined
  /** Source of time. @default systemClock */
  clock?: Clock | undefined
}

/** Counters of a {@link RetryBudget}. */
export interface RetryBudgetStats {
  /** Calls recorded in the current window. */
  readonly calls: number
  /** Retries granted in the current window. */
  readonly retries: number
  /** Retries that could be granted right now. */
  readonly available: number
  /** Retries refused since the budget was created. */
  readonly refused: number
}

const BUCKETS = 10

/**
 * Caps retries to a fraction of recent calls, like the retry budgets of
 * Finagle and gRPC, so an outage cannot turn into a retry storm. Share one
 * budget between every caller of one database. It uses no timers: the sliding
 * window advances when the budget is used.
 */
export class RetryBudget {
  readonly #ratio: number
  readonly #minRetries: number
  readonly #bucketMs: number
  readonly #clock: Clock
  readonly #calls = new Array<number>(BUCKETS).fill(0)
  readonly #retries = new Array<number>(BUCKETS).fill(0)
  #epoch: number
  #refused = 0

  constructor(options: RetryBudgetOptions = {}) {
    this.#ratio = numberOption('ratio', options.ratio, 0.2, { min: 0 })
    this.#minRetries = numberOption(
      'minRetriesPerWindow',
      options.minRetriesPerWindow,
      10,
      {
        min: 0,
        integer: true,
      },
    )
    const windowMs = numberOption('windowMs', options.windowMs, 10_000, {
      above: 0,
    })
    this.#bucketMs = windowMs / BUCKETS
    this.#clock = clockOption(options.clock, systemClock)
    this.#epoch = this.#bucketOf(this.#clock.now())
  }

  /** Records one call (a first attempt); each call adds `ratio` retries to the budget. */
  deposit(): void {
    this.#advance()
    this.#calls[this.#epoch % BUCKETS]! += 1
  }

  /** Takes one retry from the budget; returns false (and counts a refusal) when none is left. */
  tryWithdraw(): boolean {
    this.#advance()
    if (this.#available() < 1) {
      this.#refused += 1
      return false
    }
    this.#retries[this.#epoch % BUCKETS]! += 1
    return true
  }

  /** Current counters. */
  stats(): RetryBudgetStats {
    this.#advance()
    return {
      calls: sum(this.#calls),
      retries: sum(this.#retries),
      available: Math.max(0, Math.floor(this.#available())),
      refused: this.#refused,
    }
  }

  #available(): number {
    return (
      this.#minRetries + this.#ratio * sum(this.#calls) - sum(this.#retries)
    )
  }

  #bucketOf(time: number): number {
    return Math.floor(time / this.#bucketMs)
  }

  #advance(): void {
    const current = this.#bucketOf(this.#clock.now())
    const steps = Math.min(current - this.#epoch, BUCKETS)
    for (let step = 1; step <= steps; step += 1) {
      const index = (this.#epoch + step) % BUCKETS
      this.#calls[index] = 0
      this.#retries[index] = 0
    }
    if (current > this.#epoch) this.#epoch = current
  }
}

function sum(values: readonly number[]): number {
  let total = 0
  for (const value of values) total += value
  return total
}
