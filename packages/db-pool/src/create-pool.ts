import { DuckDBInstance } from '@duckdb/node-api'
import { classifyError } from '@duckkit/resilience'
import { type PoolOptions, resolvePoolOptions } from './options.js'
import { DuckDBPool } from './pool.js'
import type { Pool } from './types.js'

/**
 * Opens a pool of DuckDB connections over one instance (opened from `path`,
 * or the `instance` you pass) and resolves once `min` connections are open.
 *
 * @example
 * ```ts
 * const pool = await createPool({ path: 'app.duckdb', config: { threads: 1 } })
 * const rows = await pool.query<{ id: number }>('SELECT id FROM users WHERE name = ?', ['ada'])
 * await pool.withConnection(async (connection) => {
 *   await connection.execute('BEGIN')
 *   await connection.execute('INSERT INTO audit VALUES ($who)', { who: 'ada' })
 *   await connection.execute('COMMIT')
 * })
 * await pool.close()
 * ```
 */
export async function createPool(options?: PoolOptions): Promise<Pool> {
  const resolved = resolvePoolOptions(options)
  let instance = resolved.instance
  const ownsInstance = instance === undefined
  if (instance === undefined) {
    try {
      instance = await DuckDBInstance.create(resolved.path, resolved.config)
    } catch (error) {
      throw classifyError(error)
    }
  }
  const pool = new DuckDBPool(instance, ownsInstance, resolved)
  try {
    await pool.start()
  } catch (error) {
    await pool.close({ timeoutMs: 0 })
    throw error
  }
  return pool
}
