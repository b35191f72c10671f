/**
 * Online backup of a DuckDB file from the process that owns it (no other
 * process may open the file, not even read-only), as the runbook quotes it.
 */
import { type Pool } from '@duckkit/db-pool'

// #region backup
/**
 * Copies every table, view and sequence of the pool's database into a new
 * DuckDB file at `target` (which must not exist). `COPY FROM DATABASE` reads
 * one snapshot, so the copy is consistent while writes go on.
 */
export async function backupDatabase(
  pool: Pool,
  target: string,
): Promise<void> {
  const file = `'${target.replaceAll("'", "''")}'`
  await pool.withConnection(async (connection) => {
    const [current] = await connection.query<{ name: string }>(
      'SELECT current_database() AS name',
    )
    await connection.execute(`ATTACH ${file} AS backup_target`)
    try {
      await connection.execute(
        `COPY FROM DATABASE "${current?.name}" TO backup_target`,
        undefined,
        { timeoutMs: 0 }, // no statement deadline: a copy takes what it takes
      )
    } finally {
      await connection.execute('DETACH backup_target')
    }
  })
}
// #endregion backup
