import type { DurationPercentiles } from './duration-stats.js'
import type { TimeoutReason } from './errors.js'

/** Why a unit was run again from BEGIN. */
export type RetryReason =
  'statement-conflict' | 'commit-conflict' | 'replay-divergence'

/** Where a conflict surfaced. */
export type ConflictSource = 'statement' | 'commit' | 'replay'

/** Events of a transaction manager and their payloads. */
export interface TransactionEvents {
  /** An attempt of an outermost unit began (BEGIN itself is sent right before its first statement). */
  begin: {
    /** Identifier of the outermost transaction. */
    readonly id: number
    /** Attempt number, 1 for the first. */
    readonly attempt: number
    /** Whether it runs READ ONLY. */
    readonly readOnly: boolean
    /** The unit's label, if any. */
    readonly label: string | undefined
  }
  /** An outermost unit committed. */
  commit: {
    /** Identifier of the outermost transaction. */
    readonly id: number
    /** Attempts it took. */
    readonly attempts: number
    /** Time from the call to the commit, retries included. */
    readonly durationMs: number
    /** Statements in the committed transaction. */
    readonly statements: number
    /** The unit's label, if any. */
    readonly label: string | undefined
  }
  /** An outermost unit finally rolled back (after its last attempt). */
  rollback: {
    /** Identifier of the outermost transaction. */
    readonly id: number
    /** Attempts it took. */
    readonly attempts: number
    /** Time from the call to the rollback, retries included. */
    readonly durationMs: number
    /** The error `transaction()` rejects with. */
    readonly error: unknown
    /** The unit's label, if any. */
    readonly label: string | undefined
  }
  /** An attempt failed with a conflict and the unit will run again after `delayMs`. */
  retry: {
    /** Identifier of the outermost transaction. */
    readonly id: number
    /** The attempt that failed. */
    readonly attempt: number
    /** What kind of conflict it was. */
    readonly reason: RetryReason
    /** Backoff before the next attempt. */
    readonly delayMs: number
    /** The error of the failed attempt. */
    readonly error: unknown
  }
  /** A statement, a COMMIT or a savepoint replay hit a conflict. */
  conflict: {
    /** Identifier of the outermost transaction. */
    readonly id: number
    /** Attempt number. */
    readonly attempt: number
    /** Where the conflict surfaced. */
    readonly source: ConflictSource
    /** The conflict error. */
    readonly error: unknown
  }
  /** A statement failed, so the transaction is aborted until it (or a savepoint) is rolled back. */
  aborted: {
    /** Identifier of the outermost transaction. */
    readonly id: number
    /** Attempt number. */
    readonly attempt: number
    /** The first error, which later statements and COMMIT report as their cause. */
    readonly error: unknown
  }
  /** A nested unit failed and its work was undone. */
  'savepoint-rollback': {
    /** Identifier of the outermost transaction. */
    readonly id: number
    /** Depth of the unit that was rolled back. */
    readonly depth: number
    /** Statements run again by the replay (0 when cutting the log was enough). */
    readonly replayed: number
    /** Why the unit failed. */
    readonly error: unknown
  }
  /** A replayed statement returned something else (or failed); the outermost unit will retry. */
  'replay-divergence': {
    /** Identifier of the outermost transaction. */
    readonly id: number
    /** Depth of the unit whose rollback replayed. */
    readonly depth: number
    /** Position of the diverging statement in the transaction (0-based). */
    readonly statementIndex: number
    /** Its SQL text. */
    readonly sql: string
  }
  /** A unit ran past its `timeoutMs`, or a transaction past the manager's `maxAgeMs`. */
  timeout: {
    /** Identifier of the outermost transaction (0 before it was assigned). */
    readonly id: number
    /** Depth of the unit that ran out of time. */
    readonly depth: number
    /** Which limit fired. */
    readonly reason: TimeoutReason
    /** The limit in milliseconds. */
    readonly timeoutMs: number
  }
  /** An afterCommit/afterRollback callback or listener threw; the outcome stands. */
  'hook-error': {
    /** Identifier of the outermost transaction. */
    readonly id: number
    /** Which hook threw. */
    readonly hook: 'afterCommit' | 'afterRollback'
    /** A manager listener or a callback registered on a handle. */
    readonly source: 'listener' | 'callback'
    /** What it threw. */
    readonly error: unknown
  }
}

/** Counters and percentiles returned by `tm.stats()`. */
export interface TransactionStats {
  /** Outermost units in progress. */
  readonly active: number
  /** Outermost units started. */
  readonly started: number
  /** Outermost units committed. */
  readonly committed: number
  /** Outermost units that finally rolled back. */
  readonly rolledBack: number
  /** Attempts run (first runs plus retries). */
  readonly attempts: number
  /** Retries, by reason. */
  readonly retries: Readonly<Record<RetryReason, number>>
  /** Conflicts seen, by where they surfaced. */
  readonly conflicts: Readonly<Record<ConflictSource, number>>
  /** Times a transaction entered the aborted state. */
  readonly aborted: number
  /** Nested units rolled back to their savepoint. */
  readonly savepointRollbacks: number
  /** Savepoint rollbacks that had to roll back and replay. */
  readonly replays: number
  /** Statements run again by replays. */
  readonly replayedStatements: number
  /** Replays that diverged. */
  readonly replayDivergences: number
  /** Units stopped by `timeoutMs`. */
  readonly timeouts: number
  /** Transactions stopped by the `maxAgeMs` age limit. */
  readonly expired: number
  /** Hooks and listeners that threw. */
  readonly hookErrors: number
  /** Pool calls refused inside an open transaction. */
  readonly poolAccessRefused: number
  /** Lane acquisitions that had to wait for another writer. */
  readonly laneWaits: number
  /** Outermost lane units (attempts) that joined a transaction an earlier lane unit had begun (see `laneBatchSize`). */
  readonly laneBatched: number
  /** Duration of recent outermost units (call to final outcome), in milliseconds. */
  readonly durationMs: DurationPercentiles
}
