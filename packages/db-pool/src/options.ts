import { availableParallelism } from 'node:os'
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { type Clock, type Logger, systemClock } from '@duckkit/resilience'
import { PoolOptionsError } from './pool-errors.js'
import { POOL_EVENT_NAMES, type PoolListeners } from './pool-events.js'
import { defaultMax, threadpoolSizeFromEnv } from './threadpool.js'
import type { ChaosHook, RowMode } from './types.js'

/** Called once for every new connection, after the pool's own `SET errors_as_json = true`. */
export type ConnectionInit = (
  connection: DuckDBConnection,
  info: { connectionId: number },
) => void | Promise<void>

/** Options of {@link createPool}. */
export interface PoolOptions {
  /** Database to open: `:memory:`, a file path, or any path `DuckDBInstance.create` accepts (`md:...`). @default ':memory:' */
  path?: string
  /** An instance the caller already opened (the pool never closes it); excludes `path` and `config`. @default undefined */
  instance?: DuckDBInstance
  /** DuckDB settings for the instance the pool opens, such as `threads`, `memory_limit`, `access_mode`. @default {} */
  config?: Readonly<Record<string, string | number | boolean>>
  /** Connections opened at start and kept open through idle eviction. @default 1 */
  min?: number
  /** Most connections open at once. @default max(2, min(cores, UV_THREADPOOL_SIZE - 1)) */
  max?: number
  /** How long `acquire` waits for a connection before failing with `PoolAcquireTimeoutError`. @default 10000 */
  acquireTimeoutMs?: number
  /** Most callers waiting at once; more fail at once with `PoolQueueFullError` (`0`: never wait). @default 1000 */
  maxWaiting?: number
  /** Idle connections above `min` are closed after this long (`0` disables). @default 60000 */
  idleTimeoutMs?: number
  /** Connections are replaced after this age, when next idle (`0` disables). @default 1800000 */
  maxLifetimeMs?: number
  /** Report a connection held longer than this with a `leak` event carrying the acquirer's stack (`0` disables). @default 0 */
  leakDetectionMs?: number
  /** Default statement deadline; a statement past it is interrupted (`0` disables). @default 30000 */
  statementTimeoutMs?: number
  /**
   * Prepared statements kept per connection, least recently used dropped
   * first (`0` disables). A query, DML or transaction statement is prepared
   * and kept when it has parameters or when its text runs a second time;
   * later runs skip DuckDB's parser and planner (about half the cost of a
   * short statement) and, with parameters, two of three driver calls.
   * @default 64
   */
  statementCacheSize?: number
  /** Default bound of `close()` for borrowed connections to come back. @default 10000 */
  closeTimeoutMs?: number
  /** How long `health()` waits for its probe before reporting `degraded`. @default 1000 */
  healthTimeoutMs?: number
  /** Runs on every new connection (settings, macros, attached databases); failing it fails the connection. @default undefined */
  init?: ConnectionInit
  /** How result values are mapped: `'json'` (JSON-safe, see README) or `'native'` (the driver's JS values). @default 'json' */
  rowMode?: RowMode
  /** Size of libuv's thread pool the pool warns against. @default Number(process.env.UV_THREADPOOL_SIZE) or 4 */
  threadpoolSize?: number
  /** Logger with pino's method shape. @default undefined (silent) */
  logger?: Logger
  /** Source of time and timers. @default systemClock */
  clock?: Clock
  /** Event listeners attached before the first connection opens (so start-up warnings are seen). @default undefined */
  listeners?: PoolListeners
  /** Fault injector consulted before acquires (`db-pool.acquire`) and statements (`db-pool.statement`). @default undefined */
  chaos?: ChaosHook
}

/** {@link PoolOptions} with every default filled in. */
export interface ResolvedPoolOptions {
  path: string
  instance: DuckDBInstance | undefined
  config: Record<string, string>
  min: number
  max: number
  acquireTimeoutMs: number
  maxWaiting: number
  idleTimeoutMs: number
  maxLifetimeMs: number
  leakDetectionMs: number
  statementTimeoutMs: number
  statementCacheSize: number
  closeTimeoutMs: number
  healthTimeoutMs: number
  init: ConnectionInit | undefined
  rowMode: RowMode
  threadpoolSize: number
  logger: Logger | undefined
  clock: Clock
  listeners: PoolListeners
  chaos: ChaosHook | undefined
}

/** Largest delay a Node.js timer accepts. */
const MAX_TIMER_MS = 2_147_483_647

const KNOWN = new Set<string>([
  'path',
  'instance',
  'config',
  'min',
  'max',
  'acquireTimeoutMs',
  'maxWaiting',
  'idleTimeoutMs',
  'maxLifetimeMs',
  'leakDetectionMs',
  'statementTimeoutMs',
  'statementCacheSize',
  'closeTimeoutMs',
  'healthTimeoutMs',
  'init',
  'rowMode',
  'threadpoolSize',
  'logger',
  'clock',
  'listeners',
  'chaos',
])

/** Fills in defaults and validates every option; throws {@link PoolOptionsError} naming the first bad field. */
export function resolvePoolOptions(
  options: PoolOptions = {},
): ResolvedPoolOptions {
  if (typeof options !== 'object' || options === null) {
    throw new PoolOptionsError('options', options, 'an object')
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key))
      throw new PoolOptionsError(
        key,
        (options as Record<string, unknown>)[key],
        `no such option (known: ${[...KNOWN].join(', ')})`,
      )
  }
  const instance = options.instance
  if (
    instance !== undefined &&
    (typeof instance !== 'object' ||
      instance === null ||
      typeof instance.connect !== 'function')
  ) {
    throw new PoolOptionsError('instance', instance, 'a DuckDBInstance')
  }
  if (instance !== undefined && options.path !== undefined) {
    throw new PoolOptionsError(
      'path',
      options.path,
      'no path when instance is given',
    )
  }
  if (instance !== undefined && options.config !== undefined) {
    throw new PoolOptionsError(
      'config',
      options.config,
      'no config when instance is given',
    )
  }
  const path = options.path ?? ':memory:'
  if (typeof path !== 'string' || path.length === 0) {
    throw new PoolOptionsError('path', path, 'a non-empty string')
  }
  const config = resolveConfig(options.config)
  const threadpoolSize = integer(
    'threadpoolSize',
    options.threadpoolSize,
    threadpoolSizeFromEnv(),
    1,
    1024,
  )
  const max = integer(
    'max',
    options.max,
    defaultMax(availableParallelism(), threadpoolSize),
    1,
    10_000,
  )
  const min = integer(
    'min',
    options.min,
    Math.min(1, max),
    0,
    max,
    `an integer from 0 to max (${max})`,
  )
  const rowMode = options.rowMode ?? 'json'
  if (rowMode !== 'json' && rowMode !== 'native') {
    throw new PoolOptionsError('rowMode', rowMode, "'json' or 'native'")
  }
  if (options.init !== undefined && typeof options.init !== 'function') {
    throw new PoolOptionsError('init', options.init, 'a function')
  }
  return {
    path,
    instance,
    config,
    min,
    max,
    acquireTimeoutMs: integer(
      'acquireTimeoutMs',
      options.acquireTimeoutMs,
      10_000,
      1,
      MAX_TIMER_MS,
    ),
    maxWaiting: integer(
      'maxWaiting',
      options.maxWaiting,
      1000,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    idleTimeoutMs: integer(
      'idleTimeoutMs',
      options.idleTimeoutMs,
      60_000,
      0,
      MAX_TIMER_MS,
    ),
    maxLifetimeMs: integer(
      'maxLifetimeMs',
      options.maxLifetimeMs,
      1_800_000,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    leakDetectionMs: integer(
      'leakDetectionMs',
      options.leakDetectionMs,
      0,
      0,
      MAX_TIMER_MS,
    ),
    statementTimeoutMs: integer(
      'statementTimeoutMs',
      options.statementTimeoutMs,
      30_000,
      0,
      MAX_TIMER_MS,
    ),
    statementCacheSize: integer(
      'statementCacheSize',
      options.statementCacheSize,
      64,
      0,
      100_000,
    ),
    closeTimeoutMs: integer(
      'closeTimeoutMs',
      options.closeTimeoutMs,
      10_000,
      0,
      MAX_TIMER_MS,
    ),
    healthTimeoutMs: integer(
      'healthTimeoutMs',
      options.healthTimeoutMs,
      1000,
      1,
      MAX_TIMER_MS,
    ),
    init: options.init,
    rowMode,
    threadpoolSize,
    logger: resolveLogger(options.logger),
    clock: resolveClock(options.clock),
    listeners: resolveListeners(options.listeners),
    chaos: resolveChaos(options.chaos),
  }
}

/** Validates an integer option within bounds, or returns its default when it is `undefined`. */
function integer(
  field: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  allowed = `an integer from ${min} to ${max}`,
): number {
  if (value === undefined) return fallback
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > max
  ) {
    throw new PoolOptionsError(field, value, allowed)
  }
  return value
}

function resolveConfig(config: PoolOptions['config']): Record<string, string> {
  if (config === undefined) return {}
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new PoolOptionsError('config', config, 'an object of DuckDB settings')
  }
  const resolved: Record<string, string> = {}
  for (const [key, value] of Object.entries(config)) {
    if (
      typeof value !== 'string' &&
      typeof value !== 'number' &&
      typeof value !== 'boolean'
    ) {
      throw new PoolOptionsError(
        `config.${key}`,
        value,
        'a string, number or boolean',
      )
    }
    resolved[key] = String(value)
  }
  return resolved
}

function resolveLogger(logger: unknown): Logger | undefined {
  if (logger === undefined) return undefined
  const methods = ['debug', 'info', 'warn', 'error'] as const
  if (
    typeof logger !== 'object' ||
    logger === null ||
    methods.some(
      (method) =>
        typeof (logger as Record<string, unknown>)[method] !== 'function',
    )
  ) {
    throw new PoolOptionsError(
      'logger',
      logger,
      'an object with debug, info, warn and error methods',
    )
  }
  return logger as Logger
}

function resolveClock(clock: unknown): Clock {
  if (clock === undefined) return systemClock
  const methods = ['now', 'setTimeout', 'clearTimeout'] as const
  if (
    typeof clock !== 'object' ||
    clock === null ||
    methods.some(
      (method) =>
        typeof (clock as Record<string, unknown>)[method] !== 'function',
    )
  ) {
    throw new PoolOptionsError(
      'clock',
      clock,
      'an object with now, setTimeout and clearTimeout methods',
    )
  }
  return clock as Clock
}

function resolveListeners(listeners: unknown): PoolListeners {
  if (listeners === undefined) return {}
  if (typeof listeners !== 'object' || listeners === null) {
    throw new PoolOptionsError(
      'listeners',
      listeners,
      'an object of event listeners',
    )
  }
  for (const [event, listener] of Object.entries(listeners)) {
    if (!(POOL_EVENT_NAMES as readonly string[]).includes(event)) {
      throw new PoolOptionsError(
        `listeners.${event}`,
        listener,
        `a listener of a known event (${POOL_EVENT_NAMES.join(', ')})`,
      )
    }
    if (typeof listener !== 'function') {
      throw new PoolOptionsError(`listeners.${event}`, listener, 'a function')
    }
  }
  return listeners
}

function resolveChaos(chaos: unknown): ChaosHook | undefined {
  if (chaos === undefined) return undefined
  if (
    typeof chaos !== 'object' ||
    chaos === null ||
    typeof (chaos as ChaosHook).maybeInject !== 'function'
  ) {
    throw new PoolOptionsError(
      'chaos',
      chaos,
      'an object with a maybeInject(operation) method',
    )
  }
  return chaos as ChaosHook
}
