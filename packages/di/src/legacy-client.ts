import {
  defaultTransactionRunner,
  DuckDBClient,
  type ExecuteResult,
  type Pool,
  type PooledConnection,
  type QueryParams,
  type Row,
  type StatementOptions,
  type TransactionRunner,
} from '@duckkit/db-pool'
import { statementKind } from '@duckkit/db-tx'
import type { Logger } from '@duckkit/resilience'

/** What the bridge tells about committed writes: the query cache's statement invalidation. */
export interface StatementInvalidator {
  /** Invalidates cached results of the tables the statements wrote. */
  invalidateForStatements(statements: readonly string[]): Promise<void>
}

/** Options of {@link createLegacyClient}. */
export interface LegacyClientOptions {
  /** The container's pool: the client runs every statement on it. */
  readonly pool: Pool
  /** Cache to invalidate after each write the client commits. @default undefined (no cache) */
  readonly cache?: StatementInvalidator | undefined
  /** Logger with pino's method shape, told when an invalidation fails. @default undefined */
  readonly logger?: Logger | undefined
}

/**
 * A `DuckDBClient` for code written against the old `getDuckDBClient()` API:
 * it runs in `pool` mode on the container's own pool (same connections,
 * limits and statistics), and every write it commits, in
 * `execute`, a writing `query` or a `transaction`, invalidates the query cache
 * as a write through the transaction manager would.
 */
class BridgedDuckDBClient extends DuckDBClient {
  readonly #invalidate: (statements: readonly string[]) => Promise<void>

  constructor(
    options: LegacyClientOptions,
    invalidate: (statements: readonly string[]) => Promise<void>,
  ) {
    super({ pool: options.pool, transaction: recordingRunner(invalidate) })
    this.#invalidate = invalidate
  }

  /** Runs one statement and returns its rows; a writing statement invalidates the cache. */
  override async query<T extends Row = Row>(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<T[]> {
    const rows = await super.query<T>(sql, params, options)
    if (statementKind(sql) === 'write') await this.#invalidate([sql])
    return rows
  }

  /** Runs one statement and returns how many rows it changed; writes invalidate the cache. */
  override async execute(
    sql: string,
    params?: QueryParams,
    options?: StatementOptions,
  ): Promise<ExecuteResult> {
    const result = await super.execute(sql, params, options)
    if (statementKind(sql) === 'write') await this.#invalidate([sql])
    return result
  }
}

/** Creates the bridge client described at {@link LegacyClientOptions}; it opens on first use. */
export function createLegacyClient(options: LegacyClientOptions): DuckDBClient {
  const { cache, logger } = options
  const invalidate = async (statements: readonly string[]): Promise<void> => {
    const writes = statements.filter((sql) => statementKind(sql) === 'write')
    if (cache === undefined || writes.length === 0) return
    try {
      await cache.invalidateForStatements(writes)
    } catch (error) {
      logger?.warn(
        { err: error },
        'di: the legacy client could not invalidate the query cache',
      )
    }
  }
  return new BridgedDuckDBClient(options, invalidate)
}

/** The default BEGIN/COMMIT runner, remembering what ran so the commit can invalidate it. */
function recordingRunner(
  invalidate: (statements: readonly string[]) => Promise<void>,
): TransactionRunner {
  return async (connection, fn) => {
    const statements: string[] = []
    const result = await defaultTransactionRunner(
      recordingConnection(connection, statements),
      fn,
    )
    await invalidate(statements)
    return result
  }
}

function recordingConnection(
  connection: PooledConnection,
  statements: string[],
): PooledConnection {
  return {
    get id() {
      return connection.id
    },
    get raw() {
      return connection.raw
    },
    get inTransaction() {
      return connection.inTransaction
    },
    get transactionFailed() {
      return connection.transactionFailed
    },
    query: <T extends Row = Row>(
      sql: string,
      params?: QueryParams,
      options?: StatementOptions,
    ): Promise<T[]> => {
      statements.push(sql)
      return connection.query<T>(sql, params, options)
    },
    execute: (sql, params, options) => {
      statements.push(sql)
      return connection.execute(sql, params, options)
    },
    release: (options) => connection.release(options),
    [Symbol.asyncDispose]: () => connection[Symbol.asyncDispose](),
  }
}
