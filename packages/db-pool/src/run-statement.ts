import type { DuckDBMaterializedResult } from '@duckdb/node-api'
import {
  type Clock,
  type DatabaseError,
  type TimerHandle,
  classifyError,
  ErrorCodes,
  InterruptedError,
} from '@duckkit/resilience'
import {
  type ConnectionSlot,
  TX_MAYBE,
  TX_NONE,
  TX_OPEN,
} from './connection-slot.js'
import { toDriverParams } from './params.js'
import { type DeadlineTimer, withDeadline } from './statement-deadline.js'
import {
  SESSION,
  statementEffect,
  TX_BEGIN,
  TX_END,
  TX_UNKNOWN,
} from './statement-effects.js'
import type { ChaosHook, QueryParams, StatementOptions } from './types.js'

/** What running a statement needs from the pool. */
export interface StatementContext {
  /** Source of time for deadlines. */
  readonly clock: Clock
  /** Default deadline in milliseconds (`0`: none). */
  readonly statementTimeoutMs: number
  /** The pool's shared deadline timer. */
  readonly deadlines: DeadlineTimer
  /** Fault injector, when configured. */
  readonly chaos: ChaosHook | undefined
  /** Told about every failed statement (after classification). */
  onStatementError(
    slot: ConnectionSlot,
    error: DatabaseError,
    timeoutMs: number,
  ): void
}

/**
 * Runs one SQL text on a slot and maps its result: binds parameters, applies
 * the deadline (which interrupts the connection), turns driver errors into
 * `DatabaseError`s with the SQL text, and updates the slot's tracked
 * transaction and session state. The common case (no chaos hook, no abort
 * signal, nothing being cancelled) takes a path with as few promises as
 * possible: this sits on every statement.
 */
export function runStatement<R>(
  context: StatementContext,
  slot: ConnectionSlot,
  sql: string,
  params: QueryParams | undefined,
  options: StatementOptions | undefined,
  map: (result: DuckDBMaterializedResult) => R,
): Promise<R> {
  if (
    context.chaos !== undefined ||
    slot.cancelling ||
    options?.signal !== undefined
  ) {
    return runGuarded(context, slot, sql, params, options, map)
  }
  const effect = statementEffect(sql)
  const timeoutMs = options?.timeoutMs ?? context.statementTimeoutMs
  let running: Promise<DuckDBMaterializedResult>
  try {
    running = slot.statements.run(sql, toDriverParams(params, sql))
  } catch (error) {
    return Promise.reject(failed(context, slot, effect, error, timeoutMs, sql))
  }
  const onError = (error: unknown): never => {
    throw failed(context, slot, effect, error, timeoutMs, sql)
  }
  if (timeoutMs <= 0) {
    slot.begin()
    return running.then(
      (result) => {
        slot.end()
        return succeeded(slot, effect, result, map, sql)
      },
      (error: unknown) => {
        slot.end()
        return onError(error)
      },
    )
  }
  slot.begin()
  return withDeadline(running, {
    timeoutMs,
    signal: undefined,
    timer: context.deadlines,
    sql,
    onCancel: () => interruptUntilSettled(context.clock, slot, running),
    onSettle: () => slot.end(),
  }).then((result) => succeeded(slot, effect, result, map, sql), onError)
}

/** The general path: chaos hook, abort signal, or a statement still being cancelled. */
async function runGuarded<R>(
  context: StatementContext,
  slot: ConnectionSlot,
  sql: string,
  params: QueryParams | undefined,
  options: StatementOptions | undefined,
  map: (result: DuckDBMaterializedResult) => R,
): Promise<R> {
  const effect = statementEffect(sql)
  const timeoutMs = options?.timeoutMs ?? context.statementTimeoutMs
  const signal = options?.signal
  let result: DuckDBMaterializedResult
  try {
    if (context.chaos !== undefined)
      await context.chaos.maybeInject('db-pool.statement')
    // Queued behind a statement being cancelled, this one could catch the
    // interrupt meant for it; start only once that statement has settled.
    if (slot.cancelling) await slot.settled()
    if (signal?.aborted === true) {
      throw new InterruptedError('Statement was aborted', {
        cause: signal.reason,
        sql,
      })
    }
    const running = slot.track(
      slot.statements.run(sql, toDriverParams(params, sql)),
    )
    result = await withDeadline(running, {
      timeoutMs,
      signal,
      timer: context.deadlines,
      sql,
      onCancel: () => interruptUntilSettled(context.clock, slot, running),
    })
  } catch (error) {
    throw failed(context, slot, effect, error, timeoutMs, sql)
  }
  return succeeded(slot, effect, result, map, sql)
}

function succeeded<R>(
  slot: ConnectionSlot,
  effect: number,
  result: DuckDBMaterializedResult,
  map: (result: DuckDBMaterializedResult) => R,
  sql: string,
): R {
  if (effect !== 0) applySuccess(slot, effect)
  try {
    return map(result)
  } catch (error) {
    throw classifyError(error, { sql })
  }
}

function failed(
  context: StatementContext,
  slot: ConnectionSlot,
  effect: number,
  error: unknown,
  timeoutMs: number,
  sql: string,
): DatabaseError {
  const classified = classifyError(error, { sql })
  applyFailure(slot, effect, classified)
  context.onStatementError(slot, classified, timeoutMs)
  return classified
}

function applySuccess(slot: ConnectionSlot, effect: number): void {
  if ((effect & SESSION) !== 0) slot.sessionDirty = true
  if ((effect & TX_UNKNOWN) !== 0) {
    slot.tx = TX_MAYBE
  } else if ((effect & TX_BEGIN) !== 0) {
    slot.tx = TX_OPEN
    slot.txFailed = false
  } else if ((effect & TX_END) !== 0) {
    slot.tx = TX_NONE
    slot.txFailed = false
  }
}

function applyFailure(
  slot: ConnectionSlot,
  effect: number,
  error: DatabaseError,
): void {
  if ((effect & SESSION) !== 0) slot.sessionDirty = true
  if ((effect & (TX_BEGIN | TX_END | TX_UNKNOWN)) !== 0) slot.tx = TX_MAYBE
  // Parser, binder and catalog errors are raised before execution and leave
  // the transaction usable; every other error aborts it.
  if (
    slot.tx !== TX_NONE &&
    error.code !== ErrorCodes.syntax &&
    error.code !== ErrorCodes.catalog
  ) {
    slot.txFailed = true
  }
}

/** How often an interrupt is repeated while the statement keeps running. */
const INTERRUPT_REPEAT_MS = 50

/**
 * Interrupts the connection, and again every 50 ms until the statement
 * settles: an interrupt that lands before DuckDB has started executing the
 * statement is lost, so one call is not enough.
 */
export function interruptUntilSettled(
  clock: Clock,
  slot: ConnectionSlot,
  running: Promise<unknown>,
): void {
  let settled = false
  let timer: TimerHandle
  slot.cancelling = true
  const stop = (): void => {
    settled = true
    slot.cancelling = false
    if (timer !== undefined) clock.clearTimeout(timer)
  }
  running.then(stop, stop)
  const interrupt = (): void => {
    if (settled) return
    slot.raw.interrupt()
    timer = clock.setTimeout(interrupt, INTERRUPT_REPEAT_MS)
    ;(timer as { unref?: () => void } | undefined)?.unref?.()
  }
  interrupt()
}
