import {
  InvalidOptionError,
  type Clock,
  type Logger,
  clockOption,
  loggerOption,
} from '@duckkit/resilience'
import type {
  ConflictRetryOptions,
  NestedOptions,
  Propagation,
  TransactionListener,
  TransactionOptions,
  TransactionPool,
} from './types.js'

/** Which pool calls the manager refuses inside an open transaction. */
export type PoolAccessGuard = 'writes' | 'all' | 'off'

/** Options of {@link createTransactionManager}. */
export interface TransactionManagerOptions {
  /** The pool transactions borrow connections from (a db-pool `Pool`, or anything of that shape). */
  pool: TransactionPool
  /** Listeners told about every final commit and rollback (the query cache is one). @default [] */
  listeners?: readonly TransactionListener[]
  /** Default conflict retry of every unit, or `false` to retry nothing unless a unit asks. @default { maxAttempts: 8, initialDelayMs: 2, maxDelayMs: 100, jitter: 'full' } */
  retry?: ConflictRetryOptions | false
  /** Transactions open longer than this are interrupted and rolled back (`0` disables). @default 60000 */
  maxAgeMs?: number
  /** Deadline of each statement inside a transaction, passed to the pool (`0`: statements are bounded only by the transaction's `timeoutMs` and `maxAgeMs`, which skips the pool's per-statement timer). @default 0 */
  statementTimeoutMs?: number
  /**
   * Most outermost lane units one DuckDB transaction carries (lane batching).
   * When a lane unit's body ends and the next unit waiting for exactly the
   * same lanes can join, that unit continues in the open transaction instead
   * of the first one committing; the batch commits once, and every member's
   * `transaction()` resolves only after that COMMIT. Members share the
   * transaction's start time (`now()`); a member that fails is undone alone by
   * a savepoint replay of the members before it; the finished members fail
   * and retry with the batch if its COMMIT fails. Read-only units and units
   * without conflict retry never join. `1` turns batching off.
   * @default 16
   */
  laneBatchSize?: number
  /** Pool calls refused inside an open transaction: `writes` (execute, acquire, withConnection, writing queries), `all`, or `off`. @default 'writes' */
  guardPoolAccess?: PoolAccessGuard
  /** How many recent transaction durations the percentiles in `stats()` cover. @default 1024 */
  durationWindow?: number
  /** Source of time and timers. @default systemClock */
  clock?: Clock
  /** Source of uniform random numbers in [0, 1), for backoff jitter. @default Math.random */
  random?: () => number
  /** Logger with pino's method shape. @default undefined (silent) */
  logger?: Logger
}

/** Conflict-retry settings with every default filled in. */
export interface RetrySettings {
  readonly maxAttempts: number
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  readonly jitter: 'full' | 'decorrelated' | 'none'
}

/** Manager options with every default filled in. */
export interface ManagerSettings {
  readonly pool: TransactionPool
  readonly listeners: readonly TransactionListener[]
  readonly retry: RetrySettings | false
  readonly maxAgeMs: number
  readonly statementTimeoutMs: number
  readonly laneBatchSize: number
  readonly guardPoolAccess: PoolAccessGuard
  readonly durationWindow: number
  readonly clock: Clock
  readonly random: () => number
  readonly logger: Logger | undefined
}

/** Unit options with every default filled in. */
export interface UnitSettings {
  readonly propagation: Propagation
  readonly readOnly: boolean | undefined
  readonly timeoutMs: number
  readonly lanes: readonly string[]
  readonly label: string | undefined
  readonly retry: RetrySettings | false
  readonly signal: AbortSignal | undefined
}

const DEFAULT_RETRY: RetrySettings = {
  maxAttempts: 8,
  initialDelayMs: 2,
  maxDelayMs: 100,
  jitter: 'full',
}
const GUARDS: readonly PoolAccessGuard[] = ['writes', 'all', 'off']
const PROPAGATIONS: readonly Propagation[] = ['nested', 'join', 'fail']
const JITTERS = ['full', 'decorrelated', 'none'] as const

/** Fills in and validates the manager options; throws an `InvalidOptionError` naming the field. */
export function resolveManagerOptions(
  options: TransactionManagerOptions,
): ManagerSettings {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', options, 'an object with a pool')
  }
  const { pool } = options
  if (
    typeof pool !== 'object' ||
    pool === null ||
    typeof pool.acquire !== 'function' ||
    typeof pool.query !== 'function' ||
    typeof pool.execute !== 'function'
  ) {
    throw new InvalidOptionError(
      'pool',
      pool,
      'a pool with acquire, query and execute',
    )
  }
  const listeners = options.listeners ?? []
  if (!Array.isArray(listeners) || !listeners.every(isListener)) {
    throw new InvalidOptionError(
      'listeners',
      listeners,
      'an array of TransactionListener objects',
    )
  }
  const guardPoolAccess = options.guardPoolAccess ?? 'writes'
  if (!GUARDS.includes(guardPoolAccess)) {
    throw new InvalidOptionError(
      'guardPoolAccess',
      guardPoolAccess,
      `one of ${GUARDS.join(', ')}`,
    )
  }
  const clock = clockOption(options.clock)
  const random = options.random ?? Math.random
  if (typeof random !== 'function')
    throw new InvalidOptionError('random', random, 'a function')
  const logger = loggerOption(options.logger)
  return {
    pool,
    listeners: [...listeners],
    retry: resolveRetry('retry', options.retry, DEFAULT_RETRY),
    maxAgeMs: milliseconds('maxAgeMs', options.maxAgeMs, 60_000),
    statementTimeoutMs: milliseconds(
      'statementTimeoutMs',
      options.statementTimeoutMs,
      0,
    ),
    laneBatchSize: integer('laneBatchSize', options.laneBatchSize, 16, 1),
    guardPoolAccess,
    durationWindow: integer('durationWindow', options.durationWindow, 1024, 1),
    clock,
    random,
    logger,
  }
}

/** Fills in and validates the options of one unit against the manager defaults. */
export function resolveUnitOptions(
  options: TransactionOptions | NestedOptions | undefined,
  defaults: RetrySettings | false,
): UnitSettings {
  const o: TransactionOptions = options ?? {}
  if (typeof o !== 'object' || o === null) {
    throw new InvalidOptionError(
      'options',
      o,
      'an object of transaction options',
    )
  }
  const propagation = o.propagation ?? 'nested'
  if (!PROPAGATIONS.includes(propagation)) {
    throw new InvalidOptionError(
      'propagation',
      propagation,
      `one of ${PROPAGATIONS.join(', ')}`,
    )
  }
  if (o.readOnly !== undefined && typeof o.readOnly !== 'boolean') {
    throw new InvalidOptionError('readOnly', o.readOnly, 'a boolean')
  }
  if (o.label !== undefined && typeof o.label !== 'string') {
    throw new InvalidOptionError('label', o.label, 'a string')
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new InvalidOptionError('signal', o.signal, 'an AbortSignal')
  }
  return {
    propagation,
    readOnly: o.readOnly,
    timeoutMs: milliseconds('timeoutMs', o.timeoutMs, 0),
    lanes: resolveLanes(o.lane),
    label: o.label,
    retry:
      o.retry === undefined
        ? defaults
        : resolveRetry('retry', o.retry, defaults || DEFAULT_RETRY),
    signal: o.signal,
  }
}

function resolveRetry(
  field: string,
  value: ConflictRetryOptions | false | undefined,
  base: RetrySettings | false,
): RetrySettings | false {
  if (value === undefined) return base
  if (value === false) return false
  if (typeof value !== 'object' || value === null) {
    throw new InvalidOptionError(
      field,
      value,
      'false or an object of retry settings',
    )
  }
  const from = base || DEFAULT_RETRY
  const initialDelayMs = milliseconds(
    `${field}.initialDelayMs`,
    value.initialDelayMs,
    from.initialDelayMs,
  )
  const maxDelayMs = milliseconds(
    `${field}.maxDelayMs`,
    value.maxDelayMs,
    Math.max(from.maxDelayMs, initialDelayMs),
  )
  if (maxDelayMs < initialDelayMs) {
    throw new InvalidOptionError(
      `${field}.maxDelayMs`,
      maxDelayMs,
      `a number >= initialDelayMs (${initialDelayMs})`,
    )
  }
  const jitter = value.jitter ?? from.jitter
  if (!JITTERS.includes(jitter)) {
    throw new InvalidOptionError(
      `${field}.jitter`,
      jitter,
      `one of ${JITTERS.join(', ')}`,
    )
  }
  return {
    maxAttempts: integer(
      `${field}.maxAttempts`,
      value.maxAttempts,
      from.maxAttempts,
      1,
    ),
    initialDelayMs,
    maxDelayMs,
    jitter,
  }
}

function resolveLanes(value: unknown): readonly string[] {
  if (value === undefined) return []
  const list: unknown[] =
    typeof value === 'string' ? [value] : Array.isArray(value) ? value : [value]
  if (!list.every((key) => typeof key === 'string' && key !== '')) {
    throw new InvalidOptionError(
      'lane',
      value,
      'a non-empty string or an array of them',
    )
  }
  return list as string[]
}

function milliseconds(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new InvalidOptionError(
      field,
      value,
      'a number of milliseconds >= 0 (0 or Infinity: none)',
    )
  }
  return value === Infinity ? 0 : value
}

function integer(
  field: string,
  value: unknown,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(field, value, `an integer >= ${min}`)
  }
  return value
}

function isListener(value: unknown): value is TransactionListener {
  if (typeof value !== 'object' || value === null) return false
  const listener = value as TransactionListener
  return (
    (listener.afterCommit === undefined ||
      typeof listener.afterCommit === 'function') &&
    (listener.afterRollback === undefined ||
      typeof listener.afterRollback === 'function')
  )
}
