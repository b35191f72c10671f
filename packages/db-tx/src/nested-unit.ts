import type { AsyncLocalStorage } from 'node:async_hooks'
import {
  InvalidOptionError,
  TransactionAbortedError,
  type Clock,
} from '@duckkit/resilience'
import { NestedTransactionError, TransactionStateError } from './errors.js'
import type { TransactionEvents } from './events.js'
import type { Counter } from './manager-stats.js'
import type { UnitSettings } from './options.js'
import { runBody } from './run-body.js'
import type { Transaction } from './types.js'
import { Unit, type UnitHost } from './unit.js'
import { unitDeadline } from './unit-deadline.js'

/** What running a nested unit needs from its manager. */
export interface NestedHost {
  /** The ambient context. */
  readonly als: AsyncLocalStorage<Unit>
  /** Starts units nested in the new unit. */
  readonly units: UnitHost
  /** Source of time for the unit's own deadline. */
  readonly clock: Clock
  /** The manager's counters. */
  readonly counts: Record<Counter, number>
  /** Emits a manager event. */
  emit<K extends keyof TransactionEvents>(
    event: K,
    payload: TransactionEvents[K],
  ): void
}

/**
 * Runs `fn` as a unit inside `parent`. `nested`: on failure the unit is
 * rolled back to its savepoint (see {@link TransactionState.rollbackTo}) and
 * its error rethrown, so the parent can continue. `join`: a failure marks the
 * transaction rollback-only. `fail`: refuses to start.
 */
export async function runNested<T>(
  host: NestedHost,
  parent: Unit,
  fn: (tx: Transaction) => Promise<T> | T,
  settings: UnitSettings,
): Promise<T> {
  const state = parent.state
  if (parent.closed || state.closed) throw new TransactionStateError('closed')
  if (settings.propagation === 'fail') throw new NestedTransactionError()
  if (state.units.at(-1) !== parent)
    throw new TransactionStateError('inner-unit-open')
  const held = parent.root.lanes
  if (!settings.lanes.every((key) => held.includes(key))) {
    throw new InvalidOptionError(
      'lane',
      settings.lanes,
      `lanes the outermost unit holds (${held.join(', ') || 'none'})`,
    )
  }
  if (state.abortedBy !== undefined) {
    throw new TransactionAbortedError(
      'Transaction is aborted by an earlier error; roll back (throw) to continue',
      { cause: state.abortedBy },
    )
  }
  const joined = settings.propagation === 'join'
  const limit = unitDeadline(
    parent,
    settings.timeoutMs,
    settings.signal,
    host.clock,
    () => {
      host.counts.timeouts += 1
      host.emit('timeout', {
        id: parent.id,
        depth: parent.depth + 1,
        reason: 'timeout',
        timeoutMs: settings.timeoutMs,
      })
    },
  )
  const unit = new Unit(host.units, state, parent, {
    readOnly: parent.readOnly || settings.readOnly === true,
    deadline: limit.deadline,
    joined,
    lanes: [],
    label: settings.label,
  })
  const rollbackOnlyBefore = state.rollbackOnlyBy
  state.units.push(unit)
  const end = (): void => {
    unit.closed = true
    limit.dispose()
    const index = state.units.lastIndexOf(unit)
    if (index !== -1) state.units.splice(index)
  }
  let value: T
  try {
    value = await runBody(host.als, unit, fn)
  } catch (error) {
    end()
    throw await unitFailed(host, unit, error, rollbackOnlyBefore)
  }
  end()
  if (!joined && state.abortedBy !== undefined && !parent.deadline.aborted) {
    const error = new TransactionAbortedError(
      'A statement in the nested unit failed; the unit was rolled back to its savepoint',
      { cause: state.abortedBy },
    )
    throw await unitFailed(host, unit, error, rollbackOnlyBefore)
  }
  return value
}

/** Rolls a failed nested unit back to its savepoint (or marks a joined one rollback-only); returns the error to throw. */
async function unitFailed(
  host: NestedHost,
  unit: Unit,
  error: unknown,
  rollbackOnlyBefore: unknown,
): Promise<unknown> {
  const state = unit.state
  if (unit.joined) {
    state.rollbackOnlyBy ??= error
    return error
  }
  const parent = unit.parent ?? unit
  if (parent.deadline.aborted || state.closed) return error
  unit.rolledBack = { reason: error }
  host.counts.savepointRollbacks += 1
  const replayed = await state.rollbackTo(
    unit.savepoint,
    parent.deadline,
    (statementIndex, sql) => {
      host.counts.replayDivergences += 1
      host.emit('replay-divergence', {
        id: unit.id,
        depth: unit.depth,
        statementIndex,
        sql,
      })
    },
  )
  if (replayed !== undefined) {
    host.counts.replays += 1
    host.counts.replayedStatements += replayed
  }
  state.rollbackOnlyBy = rollbackOnlyBefore
  host.emit('savepoint-rollback', {
    id: unit.id,
    depth: unit.depth,
    replayed: replayed ?? 0,
    error,
  })
  return error
}
