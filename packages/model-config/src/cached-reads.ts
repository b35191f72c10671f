import { type QueryRunner } from '@duckkit/query-cache'
import { MODEL_CONFIGS_TABLE } from './migrations.js'
import { type GroupedModelConfigs, type ModelConfig } from './model-config.js'
import { ModelConfigRepository } from './repository.js'
import { type ServiceSettings } from './service-options.js'
import { type Snapshot, buildSnapshot } from './snapshot.js'
import { type SqlParams } from './sql-runner.js'

const TABLES = [MODEL_CONFIGS_TABLE] as const

/**
 * The service's reads, through the query cache and in the ambient transaction
 * when there is one. With the `snapshot` strategy every read derives from one
 * cached query of the whole table, indexed once per cached result; with
 * `per-query` each read caches its own single-SQL query.
 */
export class CachedReads {
  readonly #snapshotMode: boolean
  readonly #repository: ModelConfigRepository
  readonly #snapshots = new WeakMap<GroupedModelConfigs, Snapshot>()
  #builds = 0

  constructor(settings: ServiceSettings) {
    const { transactions, cache, cacheTtlMs } = settings
    this.#snapshotMode = settings.readStrategy === 'snapshot'
    // db-tx's manager has no `inTransaction`: without it, a read inside a
    // transaction whose snapshot predates a commit would be stored as current.
    const ambient: QueryRunner = {
      query: (sql, params) => transactions.query(sql, params),
      get hasWrites() {
        return transactions.current()?.hasWrites ?? false
      },
      get inTransaction() {
        return transactions.current() !== undefined
      },
    }
    this.#repository = new ModelConfigRepository({
      query: (sql: string, params?: SqlParams) =>
        cache.query(ambient, sql, params, {
          ttlMs: cacheTtlMs,
          tables: TABLES,
        }),
    })
  }

  /** Snapshots built so far (one per table version seen). */
  get snapshotBuilds(): number {
    return this.#builds
  }

  /** First enabled configuration of a usage type. */
  async active(usageType: string): Promise<ModelConfig | undefined> {
    if (!this.#snapshotMode) return this.#repository.findActive(usageType)
    return (await this.#snapshot()).grouped[usageType]?.find((c) => c.enabled)
  }

  /** Enabled configurations of a usage type, by priority. */
  async enabled(usageType: string): Promise<readonly ModelConfig[]> {
    if (!this.#snapshotMode)
      return this.#repository.findEnabledByUsageType(usageType)
    return (await this.#snapshot()).enabled.get(usageType) ?? []
  }

  /** Every configuration of a usage type, by priority. */
  async byUsageType(usageType: string): Promise<readonly ModelConfig[]> {
    if (!this.#snapshotMode) return this.#repository.findByUsageType(usageType)
    return (await this.#snapshot()).grouped[usageType] ?? []
  }

  /** Every configuration, by usage type and priority. */
  async all(): Promise<readonly ModelConfig[]> {
    if (!this.#snapshotMode) return this.#repository.findAll()
    return (await this.#snapshot()).all
  }

  /** Every configuration grouped by usage type. */
  async grouped(): Promise<GroupedModelConfigs> {
    if (!this.#snapshotMode) return this.#repository.findAllGrouped()
    return (await this.#snapshot()).grouped
  }

  /** Distinct enabled model ids of a provider, sorted. */
  async availableModels(provider: string): Promise<readonly string[]> {
    if (!this.#snapshotMode)
      return this.#repository.findAvailableModels(provider)
    return (await this.#snapshot()).modelsByProvider.get(provider) ?? []
  }

  async #snapshot(): Promise<Snapshot> {
    const grouped = await this.#repository.findAllGrouped()
    let snapshot = this.#snapshots.get(grouped)
    if (snapshot === undefined) {
      snapshot = buildSnapshot(grouped)
      this.#snapshots.set(grouped, snapshot)
      this.#builds += 1
    }
    return snapshot
  }
}
