/**
 * The table both sides of the migration guide work on: which model serves a
 * usage type, in priority order.
 */
export const MODELS_DDL = `CREATE TABLE IF NOT EXISTS models (
  usage_type VARCHAR NOT NULL,
  priority INTEGER NOT NULL,
  model_id VARCHAR NOT NULL,
  provider VARCHAR NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT true,
  PRIMARY KEY (usage_type, priority)
)`

/** One row of `models`, as both sides return it. */
export type Model = {
  usageType: string
  priority: number
  modelId: string
  provider: string
  enabled: boolean
}

/** The columns of {@link Model}, renamed to camelCase in SQL. */
export const MODEL_COLUMNS =
  'usage_type AS "usageType", priority, model_id AS "modelId", provider, enabled'
