import {
  type ConflictRetryOptions,
  type TransactionManager,
} from '@duckkit/db-tx'
import { type QueryCache } from '@duckkit/query-cache'
import {
  InvalidOptionError,
  type Logger,
  loggerOption,
} from '@duckkit/resilience'
import { DEFAULT_MODEL_CONFIGS } from './defaults.js'
import { type ModelConfigInput, type NewModelConfig } from './model-config.js'
import { modelConfigInputSchema } from './schemas.js'
import { validate } from './validate.js'

/** How the service reads: one cached snapshot of the table, or one cached query per call. */
export type ReadStrategy = 'snapshot' | 'per-query'

/** Options of {@link ModelConfigService} and {@link createModelConfigService}. */
export interface ModelConfigServiceOptions {
  /** Transaction manager that writes run through; create it with the cache's `transactionListener` among its `listeners`. */
  transactions: TransactionManager
  /** Query cache that reads go through (L1, and L2 when it has Redis). */
  cache: QueryCache
  /** Time to live of cached reads in milliseconds (writes invalidate them at once regardless). @default 300000 */
  cacheTtlMs?: number
  /** `snapshot`: every read is served from one cached query of the whole table (one miss per write); `per-query`: each read caches its own single-SQL query. @default 'snapshot' */
  readStrategy?: ReadStrategy
  /** Seed the defaults at `start()` when the store is empty. @default true */
  autoSeed?: boolean
  /** Configurations `seedDefaults` and `resetToDefaults` write (validated at construction). @default DEFAULT_MODEL_CONFIGS */
  defaults?: readonly ModelConfigInput[]
  /** Conflict retry of every write transaction. @default the transaction manager's `retry` */
  retry?: ConflictRetryOptions
  /** Logger with pino's method shape. @default undefined (silent) */
  logger?: Logger
}

/** Service options with every default filled in. */
export interface ServiceSettings {
  readonly transactions: TransactionManager
  readonly cache: QueryCache
  readonly cacheTtlMs: number
  readonly readStrategy: ReadStrategy
  readonly autoSeed: boolean
  readonly defaults: readonly NewModelConfig[]
  readonly retry: ConflictRetryOptions | undefined
  readonly logger: Logger | undefined
}

const STRATEGIES: readonly ReadStrategy[] = ['snapshot', 'per-query']

/** Fills in and validates the service options; throws an `InvalidOptionError` naming the field. */
export function resolveServiceOptions(
  options: ModelConfigServiceOptions,
): ServiceSettings {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidOptionError(
      'options',
      options,
      'an object with transactions and cache',
    )
  }
  const { transactions, cache } = options
  if (
    typeof transactions !== 'object' ||
    (transactions as unknown) === null ||
    typeof transactions.transaction !== 'function' ||
    typeof transactions.query !== 'function' ||
    typeof transactions.current !== 'function'
  ) {
    throw new InvalidOptionError(
      'transactions',
      transactions,
      'a db-tx TransactionManager',
    )
  }
  if (
    typeof cache !== 'object' ||
    (cache as unknown) === null ||
    typeof cache.query !== 'function'
  ) {
    throw new InvalidOptionError('cache', cache, 'a query-cache QueryCache')
  }
  const cacheTtlMs = options.cacheTtlMs ?? 300_000
  if (
    typeof cacheTtlMs !== 'number' ||
    !Number.isFinite(cacheTtlMs) ||
    cacheTtlMs <= 0
  ) {
    throw new InvalidOptionError(
      'cacheTtlMs',
      cacheTtlMs,
      'a finite number of milliseconds > 0',
    )
  }
  const readStrategy = options.readStrategy ?? 'snapshot'
  if (!STRATEGIES.includes(readStrategy)) {
    throw new InvalidOptionError(
      'readStrategy',
      readStrategy,
      `one of ${STRATEGIES.join(', ')}`,
    )
  }
  const autoSeed = options.autoSeed ?? true
  if (typeof autoSeed !== 'boolean')
    throw new InvalidOptionError('autoSeed', autoSeed, 'a boolean')
  const logger = loggerOption(options.logger)
  const retry = options.retry
  if (
    retry !== undefined &&
    (typeof retry !== 'object' || (retry as unknown) === null)
  ) {
    throw new InvalidOptionError(
      'retry',
      retry,
      'an object of conflict-retry settings',
    )
  }
  return {
    transactions,
    cache,
    cacheTtlMs,
    readStrategy,
    autoSeed,
    defaults: resolveDefaults(options.defaults),
    retry,
    logger,
  }
}

function resolveDefaults(
  defaults: readonly ModelConfigInput[] | undefined,
): readonly NewModelConfig[] {
  if (defaults === undefined) return DEFAULT_MODEL_CONFIGS
  if (!Array.isArray(defaults)) {
    throw new InvalidOptionError(
      'defaults',
      defaults,
      'an array of model configurations',
    )
  }
  const seen = new Set<string>()
  return defaults.map((input, index) => {
    let config: NewModelConfig
    try {
      const {
        createdAt: _c,
        updatedAt: _u,
        ...parsed
      } = validate(modelConfigInputSchema, input)
      config = parsed
    } catch (error) {
      throw new InvalidOptionError(
        `defaults[${index}]`,
        input,
        `a valid model configuration (${String((error as Error).message)})`,
      )
    }
    const key = `${config.usageType}\u0000${config.priority}`
    if (seen.has(key)) {
      throw new InvalidOptionError(
        `defaults[${index}]`,
        input,
        `a configuration whose (usageType, priority) is not already listed`,
      )
    }
    seen.add(key)
    return config
  })
}
