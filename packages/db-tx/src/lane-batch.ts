import type { Logger } from '@duckkit/resilience'
import { Deadline } from './deadline.js'
import { isReplayDivergenceError } from './errors.js'
import type { TransactionState } from './transaction-state.js'
import type { TransactionConnection } from './types.js'
import type { Unit } from './unit.js'
import type { LaneRelease, WriteLanes } from './write-lanes.js'

/** What a lane batch needs from its manager. */
export interface BatchHost {
  /** The manager's write lanes (the batch hands them on). */
  readonly lanes: WriteLanes<LaneBatch>
  /** Most outermost units one batch carries. */
  readonly maxUnits: number
  /** The manager's logger. */
  readonly logger: Logger | undefined
  /** A member's work was undone by rolling back and replaying the members before it. */
  replayed(unit: Unit, statements: number): void
  /** Such a replay returned something else than the first time. */
  diverged(unit: Unit, index: number, sql: string): void
}

interface Member {
  readonly unit: Unit
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/**
 * The DuckDB transaction of one outermost unit, or of consecutive outermost
 * units of the same write lanes. When a member's body ends and the next lane
 * waiter asks for exactly the same lanes, the waiter continues in the open
 * transaction instead of the member committing; BEGIN and COMMIT are paid once
 * per batch. A unit that cannot batch is a batch of one (no `keys`).
 * Lane holders run one after another anyway, so the batch commits the same
 * serial order the lanes would have produced. A member that fails is undone
 * like a nested unit (roll back, replay the members before it, compare
 * results); the members that finished wait for the batch's COMMIT and fail
 * (and retry) with it.
 */
export class LaneBatch {
  /** The attempt state all members share. */
  readonly state: TransactionState
  /** Releases the lanes (once, when the batch ends). */
  readonly release: LaneRelease

  readonly #host: BatchHost
  /** The lanes the batch is handed on with; `undefined`: it never is. */
  readonly #keys: readonly string[] | undefined
  readonly #connection: TransactionConnection
  /** Replays of earlier members run under no member's deadline. */
  readonly #replay = new Deadline()
  readonly #finished: Member[] = []
  #units = 1
  /** Set when the batch can no longer commit. */
  #broken: unknown = undefined
  #destroy = false

  constructor(
    host: BatchHost,
    keys: readonly string[] | undefined,
    state: TransactionState,
    connection: TransactionConnection,
    release: LaneRelease,
  ) {
    this.#host = host
    this.#keys = keys
    this.state = state
    this.#connection = connection
    this.release = release
  }

  /** A member's body ended cleanly: passes the batch on and resolves once it commits. */
  committed(unit: Unit): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#finished.push({ unit, resolve, reject })
      void this.#next()
    })
  }

  /**
   * A member failed, or gave up before it ran (no `unit`): undoes its
   * statements, keeping the work of the members before it, and passes the
   * batch on (or waits for it to end, when nobody takes it). Never throws; a
   * replay that diverges breaks the batch, and the finished members then fail
   * with the divergence.
   */
  async undo(unit: Unit | undefined): Promise<void> {
    if (unit !== undefined && this.#broken === undefined) {
      try {
        const replayed = await this.state.rollbackTo(
          unit.savepoint,
          this.#replay,
          (index, sql) => {
            this.#host.diverged(unit, index, sql)
          },
        )
        // With nothing before it, undoing a member is a plain rollback, not a replay.
        if (replayed !== undefined && unit.savepoint > 0)
          this.#host.replayed(unit, replayed)
        this.state.rollbackOnlyBy = undefined
      } catch (error) {
        this.#broken = error
        if (!isReplayDivergenceError(error)) {
          this.#destroy = true
          this.#host.logger?.error(
            { err: error, id: unit.id },
            'db-tx ROLLBACK failed; closing the connection',
          )
        }
      }
    }
    await this.#next()
  }

  /** Hands the open transaction to the next waiter of the same lanes, or ends the batch (resolving when it has). */
  #next(): Promise<void> {
    if (
      this.#keys !== undefined &&
      this.#broken === undefined &&
      this.#units < this.#host.maxUnits &&
      this.#host.lanes.handOff(this.#keys, this)
    ) {
      this.#units += 1
      return Promise.resolve()
    }
    return this.#end()
  }

  /** Commits for the finished members (or rolls back), then lets the lanes and the connection go. */
  async #end(): Promise<void> {
    const finished = this.#finished
    const { state } = this
    let failure = this.#broken
    if (failure === undefined && finished.length > 0) {
      try {
        await state.commit()
      } catch (error) {
        failure = error
      }
    }
    if (failure !== undefined || finished.length === 0) {
      try {
        await state.rollback()
      } catch (error) {
        this.#destroy = true
        this.#host.logger?.error(
          { err: error, id: state.id },
          'db-tx ROLLBACK failed; closing the connection',
        )
      }
    }
    for (const member of finished) member.unit.conflict = state.conflict
    state.close()
    this.release()
    await this.#connection
      .release(
        this.#destroy
          ? { destroy: true, reason: 'ROLLBACK failed' }
          : undefined,
      )
      .catch((error: unknown) => {
        this.#host.logger?.error(
          { err: error, id: state.id },
          'db-tx could not release its connection',
        )
      })
    for (const member of finished) {
      if (failure === undefined) member.resolve()
      else member.reject(failure)
    }
  }
}
