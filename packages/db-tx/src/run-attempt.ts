import type { AsyncLocalStorage } from 'node:async_hooks'
import type { Logger } from '@duckkit/resilience'
import type { AgeWatch } from './age-watch.js'
import type { CallScope } from './call-scope.js'
import { Deadline } from './deadline.js'
import { TransactionTimeoutError } from './errors.js'
import type { TransactionEvents } from './events.js'
import { LaneBatch, type BatchHost } from './lane-batch.js'
import type { Counter } from './manager-stats.js'
import type { UnitSettings } from './options.js'
import { runBody } from './run-body.js'
import {
  TransactionState,
  type SendSettings,
  type StateReporter,
} from './transaction-state.js'
import type {
  Transaction,
  TransactionConnection,
  TransactionPool,
} from './types.js'
import { Unit, type UnitHost } from './unit.js'
import type { WriteLanes } from './write-lanes.js'

/** What one attempt of an outermost unit needs from its manager. */
export interface AttemptHost {
  /** The pool connections come from. */
  readonly pool: TransactionPool
  /** The age limit in milliseconds (`0`: none). */
  readonly maxAgeMs: number
  /** Watches attempts for the age limit, when there is one. */
  readonly ages: AgeWatch | undefined
  /** The manager's write lanes. */
  readonly lanes: WriteLanes<LaneBatch>
  /** How lane batches run. */
  readonly batch: BatchHost
  /** The ambient context. */
  readonly als: AsyncLocalStorage<Unit>
  /** Starts units nested in the attempt's units. */
  readonly units: UnitHost
  /** Receives aborts and conflicts. */
  readonly reporter: StateReporter
  /** How statements are sent. */
  readonly send: SendSettings
  /** The manager's counters. */
  readonly counts: Record<Counter, number>
  /** The manager's logger. */
  readonly logger: Logger | undefined
  /** Whether an event has listeners. */
  listens(event: keyof TransactionEvents): boolean
  /** Emits a manager event. */
  emit<K extends keyof TransactionEvents>(
    event: K,
    payload: TransactionEvents[K],
  ): void
}

/**
 * One attempt of an outermost unit: take its lanes and a connection, run `fn`
 * with BEGIN sent right before its first statement, COMMIT (or ROLLBACK when it throws
 * or its deadline passes), release the connection and the lanes (see
 * {@link LaneBatch}, which ends the transaction). A lane unit may instead join
 * the transaction the previous holder of its lanes left open. The caller
 * retries conflicted attempts.
 */
export async function runAttempt<T>(
  host: AttemptHost,
  id: number,
  number: number,
  fn: (tx: Transaction) => Promise<T> | T,
  settings: UnitSettings,
  call: CallScope,
  started: (root: Unit) => void,
): Promise<T> {
  const { pool, maxAgeMs, logger } = host
  host.counts.attempts += 1
  if (call.signal?.aborted === true) throw call.signal.reason
  const lanes = settings.lanes
  const batches =
    lanes.length > 0 &&
    host.batch.maxUnits > 1 &&
    settings.readOnly !== true &&
    settings.retry !== false &&
    settings.retry.maxAttempts > 1
  const grant =
    lanes.length > 0
      ? await host.lanes.acquire(lanes, call.signal, batches)
      : undefined
  let batch = grant?.handed
  let state: TransactionState
  if (batch !== undefined) {
    if (aborted(call.signal)) {
      await batch.undo(undefined)
      throw call.signal?.reason
    }
    host.counts.laneBatched += 1
    state = batch.state
    state.id = id
    state.attempt = number
  } else {
    let connection: TransactionConnection
    try {
      connection = await pool.acquire(
        call.signal === undefined ? undefined : { signal: call.signal },
      )
    } catch (error) {
      grant?.release()
      throw error
    }
    state = new TransactionState(
      id,
      number,
      settings.readOnly === true,
      connection,
      host.reporter,
      host.send,
    )
    // A unit that cannot batch runs as a batch of one that is never handed on.
    batch = new LaneBatch(
      host.batch,
      batches ? lanes : undefined,
      state,
      connection,
      grant?.release ?? noRelease,
    )
  }
  const readOnly = settings.readOnly === true
  const deadline = new Deadline()
  const root = new Unit(host.units, state, undefined, {
    readOnly,
    deadline,
    joined: false,
    lanes,
    label: settings.label,
  })
  state.units.push(root)
  started(root)
  if (host.listens('begin')) {
    host.emit('begin', {
      id,
      attempt: number,
      readOnly,
      label: settings.label,
    })
  }

  const expire = (error: unknown): void => {
    if (state.closed || deadline.aborted) return
    state.abort(error)
    deadline.abort(error)
    state.interrupt()
  }
  const onCallAbort = (): void => {
    expire(call.signal?.reason)
  }
  call.signal?.addEventListener('abort', onCallAbort, { once: true })
  const unwatch = host.ages?.watch(() => {
    if (state.closed || deadline.aborted) return
    host.counts.expired += 1
    host.emit('timeout', {
      id,
      depth: 0,
      reason: 'max-age',
      timeoutMs: maxAgeMs,
    })
    logger?.warn(
      { id, maxAgeMs },
      'db-tx rolled back a transaction open past maxAgeMs',
    )
    expire(new TransactionTimeoutError(maxAgeMs, 'max-age'))
  })
  const end = (): void => {
    root.closed = true
    unwatch?.()
    call.signal?.removeEventListener('abort', onCallAbort)
  }
  // The caller may have aborted while this attempt waited for a lane or a connection.
  if (aborted(call.signal)) onCallAbort()

  return runMember(host, batch, root, fn, end)
}

/**
 * Runs the outermost unit `root` in `batch`: on success it waits for the
 * batch to commit (and fails with it); on failure its statements are undone
 * (a batch of one simply rolls back) and the batch goes on without it.
 */
async function runMember<T>(
  host: AttemptHost,
  batch: LaneBatch,
  root: Unit,
  fn: (tx: Transaction) => Promise<T> | T,
  end: () => void,
): Promise<T> {
  const { state } = batch
  let value: T
  try {
    value = await runBody(host.als, root, fn)
    // What COMMIT would refuse (an error the body caught, a failed joined unit) fails this member alone.
    const refused = state.commitRefusal()
    if (refused !== undefined) throw refused
  } catch (error) {
    end()
    root.conflict = state.conflict
    root.logged = state.statements().slice(root.savepoint)
    leave(state, root)
    await batch.undo(root)
    throw error
  }
  end()
  root.logEnd = state.length
  leave(state, root)
  await batch.committed(root)
  return value
}

/** Takes a finished member off the state's unit stack, so the next member can run. */
function leave(state: TransactionState, root: Unit): void {
  const index = state.units.lastIndexOf(root)
  if (index !== -1) state.units.splice(index)
}

function noRelease(): void {
  // No lanes to release.
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}
