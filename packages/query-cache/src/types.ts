/** Parameters of a SQL statement: positional (`?`, `$1`) or named (`$name`). */
export type QueryParams = readonly unknown[] | Readonly<Record<string, unknown>>

/**
 * Anything that runs a query and resolves its rows: a pool, a transaction, a
 * plain connection wrapper. The cache depends on nothing more.
 */
export interface QueryRunner {
  /** Runs one statement and resolves its rows as objects. */
  query(sql: string, params?: QueryParams): Promise<Record<string, unknown>[]>
  /** True inside a transaction that has written: reads bypass the cache. */
  readonly hasWrites?: boolean
  /**
   * True inside a transaction: results read through it are served from the
   * cache but never stored (the transaction's snapshot may predate a commit).
   */
  readonly inTransaction?: boolean
}

/** What a transaction hands its listeners once it has committed or rolled back. */
export interface CommitEvent {
  /** SQL text of the transaction's statements, in order; never parameters. */
  readonly statements: readonly string[]
}

/** Hooks a transaction layer (such as db-tx) calls around the end of a transaction. */
export interface TransactionListener {
  /** Called after the final successful commit; the transaction resolves after it. */
  afterCommit?(event: CommitEvent): Promise<void> | void
  /** Called after a rollback. */
  afterRollback?(event: CommitEvent): Promise<void> | void
}

/** Turns values into bytes for Redis and back; must round-trip what the factories return. */
export interface Serializer {
  /** Encodes a value. */
  serialize(value: unknown): Uint8Array
  /** Decodes bytes produced by `serialize`. */
  deserialize(bytes: Uint8Array): unknown
}

/** Options of `getOrSet` and `set`. */
export interface EntryOptions {
  /** Time to live of the entry in milliseconds. @default the cache's `defaultTtlMs` */
  ttlMs?: number | undefined
  /** Tables the value was computed from; writes to them invalidate it. @default [] */
  tables?: readonly string[] | undefined
  /** Tags of the entry; `invalidateTags` invalidates it. @default [] */
  tags?: readonly string[] | undefined
  /** Window after the TTL during which the old value is served while one refresh runs. @default the cache's `staleWhileRevalidateMs` */
  staleWhileRevalidateMs?: number | undefined
}

/** Options of `query`. */
export interface QueryOptions extends EntryOptions {
  /** Cache even when the SQL calls volatile functions or reads what the cache cannot track. @default false */
  force?: boolean | undefined
}
