/**
 * The old pattern, as the migration guide quotes it: a process-wide client,
 * hand-kept cache keys, generic exceptions matched by their text, and an N+1
 * read. It compiles and runs (the tests show its stale read and its N+1), and
 * `getDuckDBClient()` emits its deprecation warning.
 */
// #region client
import { getDuckDBClient } from '@duckkit/db-pool'
import { MODEL_COLUMNS, type Model } from './schema.js'

// One client for the whole process, reached from anywhere.
const db = () =>
  getDuckDBClient({ path: process.env.DUCKDB_PATH ?? 'app.duckdb' })
// #endregion client

// #region cache
// Results cached under keys every writer must know about.
const cache = new Map<string, unknown>()
// #endregion cache

// #region reads
export async function getActiveModel(usageType: string): Promise<Model> {
  const key = `active:${usageType}`
  const hit = cache.get(key) as Model | undefined
  if (hit !== undefined) return hit
  const rows = await db().query<Model>(
    `SELECT ${MODEL_COLUMNS} FROM models
     WHERE usage_type = ? AND enabled ORDER BY priority LIMIT 1`,
    [usageType],
  )
  const model = rows[0]
  if (model === undefined) throw new Error(`No active model for ${usageType}`)
  cache.set(key, model)
  return model
}

export async function getChain(usageType: string): Promise<Model[]> {
  const key = `chain:${usageType}`
  const hit = cache.get(key) as Model[] | undefined
  if (hit !== undefined) return hit
  const rows = await db().query<Model>(
    `SELECT ${MODEL_COLUMNS} FROM models
     WHERE usage_type = ? AND enabled ORDER BY priority`,
    [usageType],
  )
  cache.set(key, rows)
  return rows
}
// #endregion reads

// #region n-plus-one
export async function getAllGrouped(): Promise<Record<string, Model[]>> {
  const usageTypes = await db().query<{ usageType: string }>(
    'SELECT DISTINCT usage_type AS "usageType" FROM models ORDER BY 1',
  )
  const grouped: Record<string, Model[]> = {}
  for (const { usageType } of usageTypes) {
    // One more query per usage type: 1 + N round trips.
    grouped[usageType] = await db().query<Model>(
      `SELECT ${MODEL_COLUMNS} FROM models
       WHERE usage_type = ? ORDER BY priority`,
      [usageType],
    )
  }
  return grouped
}
// #endregion n-plus-one

// #region writes
export async function setModel(model: Model): Promise<void> {
  await db().transaction(async (tx) => {
    await tx.execute(
      'DELETE FROM models WHERE usage_type = ? AND priority = ?',
      [model.usageType, model.priority],
    )
    await tx.execute('INSERT INTO models VALUES (?, ?, ?, ?, ?)', [
      model.usageType,
      model.priority,
      model.modelId,
      model.provider,
      model.enabled,
    ])
  })
  // Forgets `chain:<usageType>`: getChain keeps serving the old chain.
  cache.delete(`active:${model.usageType}`)
}

export async function addModel(model: Model): Promise<void> {
  try {
    await db().execute('INSERT INTO models VALUES (?, ?, ?, ?, ?)', [
      model.usageType,
      model.priority,
      model.modelId,
      model.provider,
      model.enabled,
    ])
  } catch (error) {
    // Classified by the text of the message, re-thrown as a bare Error.
    if (String(error).includes('Duplicate key')) {
      throw new Error(`Model ${model.usageType}/${model.priority} exists`)
    }
    throw error
  }
  cache.delete(`active:${model.usageType}`)
}
// #endregion writes

// #region handler
export async function activeModelHandler(
  usageType: string,
): Promise<{ status: number; body: unknown }> {
  try {
    return { status: 200, body: await getActiveModel(usageType) }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (message.startsWith('No active model')) {
      return { status: 404, body: { error: message } }
    }
    // Conflicts, a busy pool, a broken database: all look the same here.
    return { status: 500, body: { error: message } }
  }
}
// #endregion handler

/** Empties the module's cache (the tests start each case from scratch). */
export function resetLegacyCache(): void {
  cache.clear()
}
