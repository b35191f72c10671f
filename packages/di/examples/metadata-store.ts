/**
 * A module written against the old process-wide client, the way the plan's
 * `metadata_store` was: it imports `getDuckDBClient()` and calls it where it
 * needs the database. It is left exactly as it was; once a service container
 * has started, `getDuckDBClient()` returns the container's bridge client, so
 * these functions read and write the container's database and their writes
 * invalidate the container's query cache.
 */
import { getDuckDBClient } from '@duckkit/db-pool'

/** Metadata kept about one dataset. */
export interface DatasetMetadata {
  readonly name: string
  readonly rows: number
  readonly owner: string
}

/** Creates the metadata table when it does not exist. */
export async function ensureMetadataSchema(): Promise<void> {
  await getDuckDBClient().execute(
    `CREATE TABLE IF NOT EXISTS dataset_metadata (
      name VARCHAR PRIMARY KEY,
      rows BIGINT NOT NULL,
      owner VARCHAR NOT NULL
    )`,
  )
}

/** Stores (or replaces) the metadata of a dataset. */
export async function saveMetadata(metadata: DatasetMetadata): Promise<void> {
  await getDuckDBClient().execute(
    'INSERT OR REPLACE INTO dataset_metadata VALUES ($name, $rows, $owner)',
    { name: metadata.name, rows: metadata.rows, owner: metadata.owner },
  )
}

/** The metadata of a dataset, if it is known. */
export async function getMetadata(
  name: string,
): Promise<DatasetMetadata | undefined> {
  const rows = await getDuckDBClient().query<{
    name: string
    rows: number
    owner: string
  }>('SELECT name, rows, owner FROM dataset_metadata WHERE name = ?', [name])
  const row = rows[0]
  return row === undefined
    ? undefined
    : { name: row.name, rows: Number(row.rows), owner: row.owner }
}

/** Hands every dataset of one owner to another, in one transaction. */
export async function transferOwnership(
  from: string,
  to: string,
): Promise<number> {
  return getDuckDBClient().transaction(async (connection) => {
    const { rowsChanged } = await connection.execute(
      'UPDATE dataset_metadata SET owner = $to WHERE owner = $from',
      { from, to },
    )
    return rowsChanged
  })
}
