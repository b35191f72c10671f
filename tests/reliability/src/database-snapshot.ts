import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'

/** A row of `model_configs` as the API shows it (timestamps left out). */
export interface StoredConfig {
  readonly usageType: string
  readonly priority: number
  readonly modelId: string
  readonly modelName: string
  readonly provider: string
  readonly parameters: Readonly<Record<string, unknown>>
  readonly enabled: boolean
}

/**
 * Reads `model_configs` straight from a copy of a database file and its WAL
 * (so the original is left for the service to recover itself), ordered by
 * usage type and priority. This is the ground truth the API answers are
 * compared with, bypassing every cache tier.
 */
export async function readStoredConfigs(
  databasePath: string,
): Promise<StoredConfig[]> {
  const dir = mkdtempSync(join(tmpdir(), 'duckkit-snapshot-'))
  const copy = join(dir, basename(databasePath))
  try {
    copyFileSync(databasePath, copy)
    if (existsSync(`${databasePath}.wal`))
      copyFileSync(`${databasePath}.wal`, `${copy}.wal`)
    const instance = await DuckDBInstance.create(copy, { threads: '1' })
    try {
      const connection = await instance.connect()
      try {
        const reader = await connection.runAndReadAll(
          `SELECT usage_type, priority, model_id, model_name, provider,
             CAST(parameters AS VARCHAR) AS parameters, enabled
           FROM model_configs ORDER BY usage_type, priority`,
        )
        return reader.getRowObjectsJS().map((row) => ({
          usageType: text(row.usage_type),
          priority: Number(row.priority),
          modelId: text(row.model_id),
          modelName: text(row.model_name),
          provider: text(row.provider),
          parameters: JSON.parse(text(row.parameters)) as Record<
            string,
            unknown
          >,
          enabled: row.enabled === true,
        }))
      } finally {
        connection.closeSync()
      }
    } finally {
      instance.closeSync()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A VARCHAR column's value (anything else means the schema changed under the suite). */
function text(value: unknown): string {
  if (typeof value !== 'string')
    throw new Error(`expected text, got ${typeof value}`)
  return value
}

/** The fields of {@link StoredConfig} of any configuration-like object, for comparisons. */
export function storedFields(config: StoredConfig): StoredConfig {
  return {
    usageType: config.usageType,
    priority: config.priority,
    modelId: config.modelId,
    modelName: config.modelName,
    provider: config.provider,
    parameters: config.parameters,
    enabled: config.enabled,
  }
}
