/**
 * The new pattern, as the migration guide quotes it: the store gets the
 * transaction manager and the query cache from whoever creates it, caches
 * by table version, throws typed errors and reads in one statement.
 */
import { type TransactionManager } from '@duckkit/db-tx'
import { type QueryCache } from '@duckkit/query-cache'
import { isConstraintViolationError } from '@duckkit/resilience'
import { ModelExistsError, ModelNotFoundError } from './errors.js'
import { MODEL_COLUMNS, type Model } from './schema.js'

// #region store
/** What the store needs; the application creates these once. */
export interface ModelStoreDeps {
  readonly transactions: TransactionManager
  readonly cache: QueryCache
}

export class ModelStore {
  readonly #tm: TransactionManager
  readonly #cache: QueryCache

  constructor({ transactions, cache }: ModelStoreDeps) {
    this.#tm = transactions
    this.#cache = cache
  }
  // #endregion store

  // #region reads
  async getActiveModel(usageType: string): Promise<Model> {
    // The cache keys on the SQL and its parameters and learns from DuckDB's
    // parser that the query reads `models`: no key to invent or forget.
    const [model] = await this.#cache.query<Model>(
      this.#tm,
      `SELECT ${MODEL_COLUMNS} FROM models
       WHERE usage_type = ? AND enabled ORDER BY priority LIMIT 1`,
      [usageType],
    )
    if (model === undefined) throw new ModelNotFoundError(usageType)
    return model
  }

  getChain(usageType: string): Promise<Model[]> {
    return this.#cache.query<Model>(
      this.#tm,
      `SELECT ${MODEL_COLUMNS} FROM models
       WHERE usage_type = ? AND enabled ORDER BY priority`,
      [usageType],
    )
  }
  // #endregion reads

  // #region one-query
  async getAllGrouped(): Promise<Record<string, Model[]>> {
    // One statement, whatever the number of usage types.
    const rows = await this.#cache.query<{ usageType: string; chain: Model[] }>(
      this.#tm,
      `SELECT usage_type AS "usageType",
              list({ 'usageType': usage_type, 'priority': priority,
                     'modelId': model_id, 'provider': provider,
                     'enabled': enabled } ORDER BY priority) AS chain
       FROM models GROUP BY usage_type ORDER BY usage_type`,
    )
    return Object.fromEntries(rows.map((row) => [row.usageType, row.chain]))
  }
  // #endregion one-query

  // #region writes
  async setModel(model: Model): Promise<void> {
    // Commits bump the version of `models` on every instance: every cached
    // read of the table (active model, chain, grouped) misses next time.
    await this.#tm.transaction(() =>
      this.#tm.execute(
        `INSERT INTO models VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (usage_type, priority) DO UPDATE
         SET model_id = excluded.model_id, provider = excluded.provider,
             enabled = excluded.enabled`,
        [
          model.usageType,
          model.priority,
          model.modelId,
          model.provider,
          model.enabled,
        ],
      ),
    )
  }

  async addModel(model: Model): Promise<void> {
    try {
      await this.#tm.transaction(() =>
        this.#tm.execute('INSERT INTO models VALUES (?, ?, ?, ?, ?)', [
          model.usageType,
          model.priority,
          model.modelId,
          model.provider,
          model.enabled,
        ]),
      )
    } catch (error) {
      // A typed error with the constraint kind, not a message to grep.
      if (isConstraintViolationError(error) && error.kind === 'primary_key') {
        throw new ModelExistsError(model.usageType, model.priority, {
          cause: error,
        })
      }
      throw error
    }
  }
  // #endregion writes
}
