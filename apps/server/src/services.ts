import { type Pool } from '@duckkit/db-pool'
import { type TransactionManager } from '@duckkit/db-tx'
import { type ModelConfigService } from '@duckkit/model-config'
import { type QueryCache } from '@duckkit/query-cache'
import { type BreakerRegistry, type ChaosInjector } from '@duckkit/resilience'

/** The parts of the DuckKit container the HTTP layer uses. */
export interface Services {
  /** The DuckDB connection pool. */
  readonly pool: Pool
  /** Transactions over the pool. */
  readonly transactionManager: TransactionManager
  /** The query result cache (memory, plus Redis when configured). */
  readonly queryCache: QueryCache
  /** Model configurations. */
  readonly modelConfigService: ModelConfigService
  /** Circuit breakers guarding the database. */
  readonly breakers: BreakerRegistry
  /** Fault injector consulted by the pool (off unless enabled through `/admin/chaos`). */
  readonly chaos: ChaosInjector
  /** Stops everything in reverse dependency order; safe to call twice. */
  dispose(): Promise<void>
}
