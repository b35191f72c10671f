import {
  type GroupedModelConfigs,
  type ModelConfig,
} from '../src/model-config.js'
import { CONFIG_COLUMNS, toModelConfig } from '../src/row-mapping.js'
import { type SqlRunner } from '../src/sql-runner.js'

/**
 * The "before" of the benchmark: loads the usage types, then each one's
 * configurations with its own query (N+1 round trips). Not exported.
 */
export class NaiveModelConfigRepository {
  readonly #db: SqlRunner

  constructor(db: SqlRunner) {
    this.#db = db
  }

  async findAllGrouped(): Promise<GroupedModelConfigs> {
    const types = await this.#db.query(
      'SELECT DISTINCT usage_type FROM model_configs ORDER BY usage_type',
    )
    const grouped: Record<string, readonly ModelConfig[]> = {}
    for (const row of types as { usage_type: string }[]) {
      const rows = await this.#db.query(
        `SELECT ${CONFIG_COLUMNS} FROM model_configs WHERE usage_type = $usageType ORDER BY priority`,
        { usageType: row.usage_type },
      )
      grouped[row.usage_type] = rows.map(toModelConfig)
    }
    return grouped
  }
}
