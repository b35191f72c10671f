import { type ModelConfig, type ModelParameters } from './model-config.js'

/** The columns every read returns, in the shape {@link toModelConfig} maps. */
export const CONFIG_COLUMNS = `usage_type, priority, model_id, model_name, provider,
  CAST(parameters AS VARCHAR) AS parameters, enabled,
  CAST(epoch_ms(created_at) AS DOUBLE) AS created_ms,
  CAST(epoch_ms(updated_at) AS DOUBLE) AS updated_ms`

/** The same columns as a DuckDB struct (camelCase keys), for `to_json(list(...))`. */
export const CONFIG_STRUCT = `{
  'usage_type': usage_type, 'priority': priority, 'model_id': model_id,
  'model_name': model_name, 'provider': provider, 'parameters': CAST(parameters AS VARCHAR),
  'enabled': enabled, 'created_ms': CAST(epoch_ms(created_at) AS DOUBLE),
  'updated_ms': CAST(epoch_ms(updated_at) AS DOUBLE)
}`

/** Maps one row of {@link CONFIG_COLUMNS} to a {@link ModelConfig}. */
export function toModelConfig(row: object): ModelConfig {
  const r = row as Record<string, unknown>
  return {
    usageType: String(r.usage_type),
    priority: Number(r.priority),
    modelId: String(r.model_id),
    modelName: String(r.model_name),
    provider: String(r.provider),
    parameters: toParameters(r.parameters),
    enabled: r.enabled === true || r.enabled === 'true',
    createdAt: toIso(r.created_ms),
    updatedAt: toIso(r.updated_ms),
  }
}

function toParameters(value: unknown): ModelParameters {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return {}
  return parsed as ModelParameters
}

function toIso(value: unknown): string {
  return new Date(Number(value)).toISOString()
}
