/** Parameters of one statement: an array for `?`/`$1`, an object for `$name`. */
export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>>

/**
 * Something that runs one SQL statement and resolves its rows: a pool, a
 * transaction, a transaction manager's ambient helper or a caching reader.
 */
export interface SqlRunner {
  /** Runs `sql` with `params` and resolves its rows as plain objects. */
  query(sql: string, params?: SqlParams): Promise<readonly object[]>
}
