import { DurationWindow } from './duration-stats.js'
import type { ConflictSource, RetryReason, TransactionStats } from './events.js'

/** The plain counters of {@link TransactionStats}. */
export type Counter = Exclude<
  keyof TransactionStats,
  'active' | 'retries' | 'conflicts' | 'durationMs' | 'laneWaits'
>

/** Counters and recent durations behind `tm.stats()`. */
export class ManagerStats {
  /** Plain counters. */
  readonly counts: Record<Counter, number> = {
    started: 0,
    committed: 0,
    rolledBack: 0,
    attempts: 0,
    aborted: 0,
    savepointRollbacks: 0,
    replays: 0,
    replayedStatements: 0,
    replayDivergences: 0,
    timeouts: 0,
    expired: 0,
    hookErrors: 0,
    poolAccessRefused: 0,
    laneBatched: 0,
  }
  /** Retries by reason. */
  readonly retries: Record<RetryReason, number> = {
    'statement-conflict': 0,
    'commit-conflict': 0,
    'replay-divergence': 0,
  }
  /** Conflicts by where they surfaced. */
  readonly conflicts: Record<ConflictSource, number> = {
    statement: 0,
    commit: 0,
    replay: 0,
  }
  /** Durations of recent outermost units. */
  readonly durations: DurationWindow

  constructor(window: number) {
    this.durations = new DurationWindow(window)
  }

  /** A snapshot, with the gauges only the manager knows. */
  snapshot(active: number, laneWaits: number): TransactionStats {
    return {
      ...this.counts,
      active,
      laneWaits,
      retries: { ...this.retries },
      conflicts: { ...this.conflicts },
      durationMs: this.durations.percentiles(),
    }
  }
}
