import { type Transaction } from '@duckkit/db-tx'
import { Emitter, InvalidOptionError } from '@duckkit/resilience'
import { type z } from 'zod'
import { CachedReads } from './cached-reads.js'
import { MODEL_CONFIGS_TABLE } from './migrations.js'
import {
  type ChainEntryInput,
  type GroupedModelConfigs,
  type ModelConfig,
  type ModelConfigInput,
} from './model-config.js'
import {
  ModelConfigNotFoundError,
  isModelConfigNotFoundError,
} from './not-found-error.js'
import { ModelConfigRepository } from './repository.js'
import { type MigrationResult, runMigrations } from './run-migrations.js'
import {
  chainSchema,
  modelConfigInputSchema,
  modelIdSchema,
  orderSchema,
  prioritySchema,
  providerSchema,
  usageTypeSchema,
} from './schemas.js'
import {
  type ModelConfigEvents,
  type ModelConfigListener,
  type ModelConfigOperation,
  type ModelConfigStats,
} from './service-events.js'
import {
  type ModelConfigServiceOptions,
  type ServiceSettings,
  resolveServiceOptions,
} from './service-options.js'
import { validate } from './validate.js'
import { runWriteTransaction } from './write-transaction.js'
import {
  ModelConfigValidationError,
  isModelConfigValidationError,
} from './validation-error.js'

/** A write that changes nothing, committed at start to check that the cache hears commits. */
const WIRING_PROBE = `UPDATE ${MODEL_CONFIGS_TABLE} SET priority = priority WHERE false`

/**
 * Model configurations on DuckDB: which LLM serves each usage type, in
 * priority order. Reads go through the query cache (invalidated by table
 * version when a write commits, on every instance sharing the Redis); writes
 * run in transactions with conflict retry; every input is validated.
 * `start()` (run by {@link createModelConfigService}, or on first use)
 * migrates the schema and seeds the defaults into an empty store.
 */
export class ModelConfigService {
  readonly #settings: ServiceSettings
  readonly #reads: CachedReads
  readonly #emitter: Emitter<ModelConfigEvents>
  #starting: Promise<MigrationResult> | undefined
  #schemaVersion = 0
  #readCount = 0
  #writes = 0
  #validationErrors = 0
  #notFound = 0
  #duplicateKeyRetries = 0

  /** Checks the options; throws an `InvalidOptionError` naming the first bad field. */
  constructor(options: ModelConfigServiceOptions) {
    this.#settings = resolveServiceOptions(options)
    this.#emitter = new Emitter<ModelConfigEvents>((error) => {
      this.#settings.logger?.warn(
        { err: error },
        'model-config: an event listener threw',
      )
    })
    this.#reads = new CachedReads(this.#settings)
  }

  /**
   * Migrates the schema in one transaction and, with `autoSeed`, seeds the
   * defaults when the store is empty. Idempotent: later calls return the first
   * call's result; a failed start is tried again by the next call.
   */
  start(): Promise<MigrationResult> {
    this.#starting ??= this.#start().catch((error: unknown) => {
      this.#starting = undefined
      throw error
    })
    return this.#starting
  }

  /** Adds an event listener and returns a function that removes it. */
  on<K extends keyof ModelConfigEvents>(
    event: K,
    listener: ModelConfigListener<ModelConfigEvents[K]>,
  ): () => void {
    return this.#emitter.on(event, listener)
  }

  /** Counters of the service, as a plain object. */
  stats(): ModelConfigStats {
    return {
      schemaVersion: this.#schemaVersion,
      reads: this.#readCount,
      writes: this.#writes,
      validationErrors: this.#validationErrors,
      notFound: this.#notFound,
      snapshotBuilds: this.#reads.snapshotBuilds,
      duplicateKeyRetries: this.#duplicateKeyRetries,
    }
  }

  /** The first enabled configuration of a usage type by priority; throws `E_NOT_FOUND` when there is none. */
  async getActiveModel(usageType: string): Promise<ModelConfig> {
    const u = this.#check(usageTypeSchema, usageType, 'usageType')
    const active = await this.#read(() => this.#reads.active(u))
    if (active === undefined) {
      this.#notFound += 1
      throw new ModelConfigNotFoundError(
        u,
        `No enabled model is configured for usage type "${u}"`,
      )
    }
    return active
  }

  /** The enabled configurations of a usage type in priority order (empty when there are none). */
  async getFallbackChain(usageType: string): Promise<readonly ModelConfig[]> {
    const u = this.#check(usageTypeSchema, usageType, 'usageType')
    return this.#read(() => this.#reads.enabled(u))
  }

  /** Every configuration of a usage type in priority order, disabled ones included. */
  async getConfigsForUsage(usageType: string): Promise<readonly ModelConfig[]> {
    const u = this.#check(usageTypeSchema, usageType, 'usageType')
    return this.#read(() => this.#reads.byUsageType(u))
  }

  /** Every configuration, ordered by usage type and priority. */
  async getAllConfigs(): Promise<readonly ModelConfig[]> {
    return this.#read(() => this.#reads.all())
  }

  /** Every configuration grouped by usage type, each list ordered by priority. */
  async getAllConfigsGrouped(): Promise<GroupedModelConfigs> {
    return this.#read(() => this.#reads.grouped())
  }

  /** Distinct model ids of a provider's enabled configurations, sorted. */
  async getAvailableModels(provider: string): Promise<readonly string[]> {
    const p = this.#check(providerSchema, provider, 'provider')
    return this.#read(() => this.#reads.availableModels(p))
  }

  /** Whether an enabled configuration of the usage type serves `modelId`. */
  async validateModel(usageType: string, modelId: string): Promise<boolean> {
    const u = this.#check(usageTypeSchema, usageType, 'usageType')
    const m = this.#check(modelIdSchema, modelId, 'modelId')
    const chain = await this.#read(() => this.#reads.enabled(u))
    return chain.some((config) => config.modelId === m)
  }

  /** Inserts a configuration or updates the one at its `(usageType, priority)`; resolves the stored row. */
  async upsertConfig(input: ModelConfigInput): Promise<ModelConfig> {
    const {
      createdAt: _c,
      updatedAt: _u,
      ...config
    } = this.#check(modelConfigInputSchema, input)
    return this.#write('upsert', config.usageType, async (repository) => {
      const stored = await repository.upsert(config)
      return { result: stored, rows: 1 }
    })
  }

  /** Deletes the configuration at `(usageType, priority)`; resolves whether one existed. */
  async deleteConfig(usageType: string, priority: number): Promise<boolean> {
    const u = this.#check(usageTypeSchema, usageType, 'usageType')
    const p = this.#check(prioritySchema, priority, 'priority')
    return this.#write('delete', u, async (repository) => {
      const deleted = await repository.delete(u, p)
      return { result: deleted, rows: deleted ? 1 : 0 }
    })
  }

  /** Seeds the defaults for every usage type that has no configuration (idempotent); resolves rows inserted. */
  async seedDefaults(): Promise<number> {
    return this.#write('seed', undefined, async (repository) => {
      const inserted = await repository.seedDefaults(this.#settings.defaults)
      return { result: inserted, rows: inserted }
    })
  }

  /** Deletes every configuration and seeds the defaults, in one transaction; resolves rows seeded. */
  async resetToDefaults(): Promise<number> {
    return this.#write('reset', undefined, async (repository) => {
      const deleted = await repository.deleteAll()
      const inserted = await repository.seedDefaults(this.#settings.defaults)
      return { result: inserted, rows: deleted + inserted }
    })
  }

  /**
   * Replaces a usage type's whole chain in one statement: entry `i` becomes
   * priority `i + 1` and every other configuration of the usage type goes.
   * Readers see the whole old chain or the whole new one, never a mix.
   */
  async replaceChain(
    usageType: string,
    entries: readonly ChainEntryInput[],
  ): Promise<readonly ModelConfig[]> {
    const u = this.#check(usageTypeSchema, usageType, 'usageType')
    const chain = this.#check(chainSchema, entries, 'entries')
    return this.#write('replace-chain', u, async (repository) => {
      const stored = await repository.replaceChain(u, chain)
      return { result: stored, rows: stored.length }
    })
  }

  /**
   * Renumbers a chain in one statement: the configuration now at `order[i]`
   * moves to priority `i + 1`. `order` must list every priority of the chain
   * exactly once (`E_VALIDATION`, rule `permutation`, otherwise); a usage type
   * without configurations is `E_NOT_FOUND`.
   */
  async reorderChain(
    usageType: string,
    order: readonly number[],
  ): Promise<readonly ModelConfig[]> {
    const u = this.#check(usageTypeSchema, usageType, 'usageType')
    const o = this.#check(orderSchema, order, 'order')
    return this.#write('reorder-chain', u, async (repository) => {
      const stored = await repository.reorderChain(u, o)
      if (stored.length > 0) return { result: stored, rows: stored.length }
      const current = await repository.findByUsageType(u)
      if (current.length === 0) {
        throw new ModelConfigNotFoundError(
          u,
          `Usage type "${u}" has no chain to reorder`,
        )
      }
      const priorities = current.map((config) => config.priority).join(', ')
      throw new ModelConfigValidationError([
        {
          field: 'order',
          rule: 'permutation',
          message: `must list every priority of the chain of "${u}" exactly once (${priorities})`,
        },
      ])
    })
  }

  async #start(): Promise<MigrationResult> {
    const { autoSeed, logger } = this.#settings
    const migrated = await runMigrations({
      transaction: (fn, options) =>
        this.#transaction(options?.label ?? 'model-config.migrate', fn),
    })
    this.#schemaVersion = migrated.toVersion
    if (migrated.applied.length > 0) {
      logger?.info({ ...migrated }, 'model-config: schema migrated')
    }
    this.#emitter.emit('migrated', migrated)
    await this.#checkWiring()
    if (autoSeed) {
      const inserted = await this.#transaction(
        'model-config.auto-seed',
        async (tx) => {
          const repository = new ModelConfigRepository(tx)
          return (await repository.isEmpty())
            ? repository.seedDefaults(this.#settings.defaults)
            : 0
        },
      )
      if (inserted > 0) {
        logger?.info(
          { inserted },
          'model-config: seeded the defaults into an empty store',
        )
        this.#emitter.emit('seeded', { inserted })
      }
    }
    return migrated
  }

  /**
   * Commits an empty write to the table and checks that the cache saw it: a
   * transaction manager created without the cache's `transactionListener`
   * would otherwise leave stale reads in the cache until their TTL.
   */
  async #checkWiring(): Promise<void> {
    const { cache, transactions } = this.#settings
    const seen = (): number => {
      const { invalidations } = cache.stats()
      return (
        (invalidations.tables[MODEL_CONFIGS_TABLE] ?? 0) + invalidations.all
      )
    }
    const before = seen()
    await this.#transaction('model-config.check-wiring', (tx) =>
      tx.query(WIRING_PROBE),
    )
    if (seen() === before) {
      throw new InvalidOptionError(
        'transactions',
        transactions,
        "a TransactionManager created with the cache's transactionListener among its listeners",
      )
    }
  }

  async #read<T>(fn: () => Promise<T>): Promise<T> {
    await this.start()
    const result = await fn()
    this.#readCount += 1
    return result
  }

  async #write<T>(
    operation: ModelConfigOperation,
    usageType: string | undefined,
    fn: (
      repository: ModelConfigRepository,
    ) => Promise<{ result: T; rows: number }>,
  ): Promise<T> {
    await this.start()
    let outcome: { result: T; rows: number }
    try {
      outcome = await this.#transaction(`model-config.${operation}`, (tx) =>
        fn(new ModelConfigRepository(tx)),
      )
    } catch (error) {
      if (isModelConfigValidationError(error)) this.#validationErrors += 1
      else if (isModelConfigNotFoundError(error)) this.#notFound += 1
      throw error
    }
    this.#writes += 1
    this.#emitter.emit('changed', { operation, usageType, rows: outcome.rows })
    return outcome.result
  }

  #transaction<T>(
    label: string,
    fn: (tx: Transaction) => Promise<T>,
  ): Promise<T> {
    return runWriteTransaction(this.#settings, label, fn, (error, attempt) => {
      this.#duplicateKeyRetries += 1
      this.#settings.logger?.debug(
        { err: error, attempt },
        `${label}: retrying after a concurrent insert`,
      )
    })
  }

  /** Validates one input; counts and rethrows a validation error. */
  #check<S extends z.ZodType>(
    schema: S,
    value: unknown,
    field?: string,
  ): z.output<S> {
    try {
      return validate(schema, value, field)
    } catch (error) {
      this.#validationErrors += 1
      throw error
    }
  }
}
