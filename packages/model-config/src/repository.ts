import { MODEL_CONFIGS_TABLE as T } from './migrations.js'
import {
  type GroupedModelConfigs,
  type ModelConfig,
  type NewChainEntry,
  type NewModelConfig,
} from './model-config.js'
import { deepFreeze } from './deep-freeze.js'
import { CONFIG_COLUMNS, CONFIG_STRUCT, toModelConfig } from './row-mapping.js'
import { type SqlRunner } from './sql-runner.js'

/** JSON shape that `from_json` reads a list of new configurations with. */
const CONFIG_LIST_TYPE = `'[{"usageType":"VARCHAR","priority":"INTEGER","modelId":"VARCHAR","modelName":"VARCHAR","provider":"VARCHAR","parameters":"JSON","enabled":"BOOLEAN"}]'`
/** JSON shape that `from_json` reads a list of chain entries with. */
const CHAIN_LIST_TYPE = `'[{"modelId":"VARCHAR","modelName":"VARCHAR","provider":"VARCHAR","parameters":"JSON","enabled":"BOOLEAN"}]'`

const SQL = {
  byUsageType: `SELECT ${CONFIG_COLUMNS} FROM ${T} WHERE usage_type = $usageType ORDER BY priority`,
  enabledByUsageType: `SELECT ${CONFIG_COLUMNS} FROM ${T} WHERE usage_type = $usageType AND enabled ORDER BY priority`,
  active: `SELECT ${CONFIG_COLUMNS} FROM ${T} WHERE usage_type = $usageType AND enabled ORDER BY priority LIMIT 1`,
  all: `SELECT ${CONFIG_COLUMNS} FROM ${T} ORDER BY usage_type, priority`,
  allGrouped: `SELECT usage_type, CAST(to_json(list(${CONFIG_STRUCT} ORDER BY priority)) AS VARCHAR) AS configs
    FROM ${T} GROUP BY usage_type ORDER BY usage_type`,
  availableModels: `SELECT DISTINCT model_id FROM ${T} WHERE provider = $provider AND enabled ORDER BY model_id`,
  upsert: `INSERT INTO ${T} (usage_type, priority, model_id, model_name, provider, parameters, enabled)
    VALUES ($usageType, $priority, $modelId, $modelName, $provider, CAST($parameters AS JSON), $enabled)
    ON CONFLICT (usage_type, priority) DO UPDATE SET
      model_id = excluded.model_id, model_name = excluded.model_name, provider = excluded.provider,
      parameters = excluded.parameters, enabled = excluded.enabled, updated_at = now()
    RETURNING ${CONFIG_COLUMNS}`,
  delete: `DELETE FROM ${T} WHERE usage_type = $usageType AND priority = $priority RETURNING priority`,
  deleteAll: `DELETE FROM ${T} RETURNING priority`,
  isEmpty: `SELECT NOT EXISTS (SELECT 1 FROM ${T}) AS empty`,
  seed: `INSERT INTO ${T} (usage_type, priority, model_id, model_name, provider, parameters, enabled)
    SELECT s.usageType, s.priority, s.modelId, s.modelName, s.provider, s.parameters, s.enabled
    FROM (SELECT unnest(from_json(CAST($configs AS JSON), ${CONFIG_LIST_TYPE}), recursive := true)) AS s
    WHERE NOT EXISTS (SELECT 1 FROM ${T} AS m WHERE m.usage_type = s.usageType)
    ON CONFLICT DO NOTHING
    RETURNING priority`,
  replaceChain: `MERGE INTO ${T} AS m
    USING (
      SELECT $usageType AS usage_type, CAST(generate_subscripts(e, 1) AS INTEGER) AS priority,
        unnest(e, recursive := true)
      FROM (SELECT from_json(CAST($entries AS JSON), ${CHAIN_LIST_TYPE}) AS e)
    ) AS s
    ON m.usage_type = s.usage_type AND m.priority = s.priority
    WHEN MATCHED THEN UPDATE SET
      model_id = s.modelId, model_name = s.modelName, provider = s.provider,
      parameters = s.parameters, enabled = s.enabled,
      created_at = now(), updated_at = now()
    WHEN NOT MATCHED THEN INSERT (usage_type, priority, model_id, model_name, provider, parameters, enabled)
      VALUES (s.usage_type, s.priority, s.modelId, s.modelName, s.provider, s.parameters, s.enabled)
    WHEN NOT MATCHED BY SOURCE AND m.usage_type = $usageType THEN DELETE
    RETURNING merge_action, ${CONFIG_COLUMNS}`,
  reorder: `UPDATE ${T} AS m SET priority = n.new_priority, updated_at = now()
    FROM (
      SELECT unnest(o) AS old_priority, CAST(generate_subscripts(o, 1) AS INTEGER) AS new_priority
      FROM (SELECT CAST($order AS INTEGER[]) AS o)
    ) AS n
    WHERE m.usage_type = $usageType AND m.priority = n.old_priority
      AND (SELECT list(priority ORDER BY priority) FROM ${T} WHERE usage_type = $usageType)
        = list_sort(CAST($order AS INTEGER[]))
    RETURNING ${CONFIG_COLUMNS}`,
} as const

/**
 * The model-config repository: every operation is one SQL statement. It does
 * not validate its input (the service does) and runs on whatever
 * {@link SqlRunner} it is given: a pool, a transaction or a caching reader.
 * Results are deeply frozen; when the runner hands back the same rows object
 * again (a cache hit), the mapped result is reused instead of rebuilt.
 *
 * @example
 * ```ts
 * const repository = new ModelConfigRepository(pool)
 * const chain = await repository.findEnabledByUsageType('chat_deep')
 * ```
 */
export class ModelConfigRepository {
  readonly #db: SqlRunner
  readonly #mapped = new WeakMap<object, unknown>()

  /** Creates a repository that runs its statements on `db`. */
  constructor(db: SqlRunner) {
    this.#db = db
  }

  /** Every configuration of a usage type, ordered by priority. */
  async findByUsageType(usageType: string): Promise<readonly ModelConfig[]> {
    return this.#map(
      await this.#db.query(SQL.byUsageType, { usageType }),
      toConfigs,
    )
  }

  /** The enabled configurations of a usage type, ordered by priority. */
  async findEnabledByUsageType(
    usageType: string,
  ): Promise<readonly ModelConfig[]> {
    return this.#map(
      await this.#db.query(SQL.enabledByUsageType, { usageType }),
      toConfigs,
    )
  }

  /** The first enabled configuration of a usage type by priority, if any. */
  async findActive(usageType: string): Promise<ModelConfig | undefined> {
    const configs = this.#map(
      await this.#db.query(SQL.active, { usageType }),
      toConfigs,
    )
    return configs[0]
  }

  /** Every configuration, ordered by usage type and priority. */
  async findAll(): Promise<readonly ModelConfig[]> {
    return this.#map(await this.#db.query(SQL.all), toConfigs)
  }

  /** Every configuration grouped by usage type (grouped in SQL), each list ordered by priority. */
  async findAllGrouped(): Promise<GroupedModelConfigs> {
    return this.#map(await this.#db.query(SQL.allGrouped), toGrouped)
  }

  /** Distinct model ids of the enabled configurations of a provider, sorted. */
  async findAvailableModels(provider: string): Promise<readonly string[]> {
    return this.#map(
      await this.#db.query(SQL.availableModels, { provider }),
      toModelIds,
    )
  }

  /** Inserts a configuration, or updates the one at its `(usageType, priority)`; resolves the stored row. */
  async upsert(config: NewModelConfig): Promise<ModelConfig> {
    const [row] = await this.#db.query(SQL.upsert, {
      usageType: config.usageType,
      priority: config.priority,
      modelId: config.modelId,
      modelName: config.modelName,
      provider: config.provider,
      parameters: JSON.stringify(config.parameters),
      enabled: config.enabled,
    })
    if (row === undefined) throw new Error('upsert returned no row')
    return deepFreeze(toModelConfig(row))
  }

  /** Deletes the configuration at `(usageType, priority)`; resolves whether one existed. */
  async delete(usageType: string, priority: number): Promise<boolean> {
    return (
      (await this.#db.query(SQL.delete, { usageType, priority })).length > 0
    )
  }

  /** Deletes every configuration; resolves how many there were. */
  async deleteAll(): Promise<number> {
    return (await this.#db.query(SQL.deleteAll)).length
  }

  /** Whether the store holds no configuration at all. */
  async isEmpty(): Promise<boolean> {
    const [row] = await this.#db.query(SQL.isEmpty)
    return (row as { empty?: unknown } | undefined)?.empty === true
  }

  /**
   * Inserts the given configurations for every usage type that has none yet
   * (idempotent: a usage type with any configuration is left alone); resolves
   * how many rows it inserted.
   */
  async seedDefaults(configs: readonly NewModelConfig[]): Promise<number> {
    if (configs.length === 0) return 0
    return (
      await this.#db.query(SQL.seed, { configs: JSON.stringify(configs) })
    ).length
  }

  /**
   * Replaces a usage type's whole chain in one `MERGE` statement: entry `i`
   * becomes priority `i + 1`, and every other configuration of the usage type
   * is deleted. Resolves the new chain, ordered by priority.
   */
  async replaceChain(
    usageType: string,
    entries: readonly NewChainEntry[],
  ): Promise<readonly ModelConfig[]> {
    const rows = await this.#db.query(SQL.replaceChain, {
      usageType,
      entries: JSON.stringify(entries),
    })
    return toConfigs(
      rows.filter(
        (row) => (row as { merge_action?: unknown }).merge_action !== 'DELETE',
      ),
    )
  }

  /**
   * Renumbers a chain in one `UPDATE` statement: the configuration now at
   * `order[i]` moves to priority `i + 1`. It changes nothing (and resolves an
   * empty list) unless `order` lists every priority of the chain exactly once.
   */
  async reorderChain(
    usageType: string,
    order: readonly number[],
  ): Promise<readonly ModelConfig[]> {
    return toConfigs(
      await this.#db.query(SQL.reorder, {
        usageType,
        order: `[${order.join(',')}]`,
      }),
    )
  }

  #map<T>(rows: readonly object[], map: (rows: readonly object[]) => T): T {
    const known = this.#mapped.get(rows) as T | undefined
    if (known !== undefined) return known
    const mapped = deepFreeze(map(rows))
    this.#mapped.set(rows, mapped)
    return mapped
  }
}

/** Maps rows to configurations, ordered by usage type and priority. */
function toConfigs(rows: readonly object[]): readonly ModelConfig[] {
  return deepFreeze(
    rows
      .map(toModelConfig)
      .sort(
        (a, b) =>
          compareText(a.usageType, b.usageType) || a.priority - b.priority,
      ),
  )
}

function toGrouped(rows: readonly object[]): GroupedModelConfigs {
  const grouped: Record<string, readonly ModelConfig[]> = {}
  for (const row of rows as readonly {
    usage_type: string
    configs: string
  }[]) {
    grouped[row.usage_type] = (JSON.parse(row.configs) as object[]).map(
      toModelConfig,
    )
  }
  return grouped
}

function toModelIds(rows: readonly object[]): readonly string[] {
  return rows.map((row) => String((row as { model_id: unknown }).model_id))
}

/** Orders strings by UTF-16 code units (the same as DuckDB for the ASCII names the service accepts). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
