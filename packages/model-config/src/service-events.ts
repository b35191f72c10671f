import { type MigrationResult } from './run-migrations.js'

/** Which write changed the configurations. */
export type ModelConfigOperation =
  'upsert' | 'delete' | 'seed' | 'reset' | 'replace-chain' | 'reorder-chain'

/** Events of a {@link ModelConfigService} and their payloads. */
export interface ModelConfigEvents {
  /** `start()` brought the schema up to date (also when nothing had to be applied). */
  migrated: MigrationResult
  /** `start()` found the store empty and seeded the defaults. */
  seeded: {
    /** Rows inserted. */
    readonly inserted: number
  }
  /** A write committed. */
  changed: {
    /** Which write it was. */
    readonly operation: ModelConfigOperation
    /** The usage type written, or undefined when the write spans usage types. */
    readonly usageType: string | undefined
    /** Rows inserted, updated or deleted. */
    readonly rows: number
  }
}

/** Counters returned by `stats()`. */
export interface ModelConfigStats {
  /** Schema version of the database after `start()`, or 0 before it finished. */
  readonly schemaVersion: number
  /** Read calls served (from the cache or the database). */
  readonly reads: number
  /** Write calls that committed. */
  readonly writes: number
  /** Calls refused because an input broke a rule. */
  readonly validationErrors: number
  /** Calls that found no configuration (`getActiveModel`, `reorderChain`). */
  readonly notFound: number
  /** Times the snapshot of all configurations was rebuilt from a new query result. */
  readonly snapshotBuilds: number
  /** Write transactions run again because a concurrent transaction committed the same key first. */
  readonly duplicateKeyRetries: number
}

/** A listener of one event whose payload type is `P`. */
export type ModelConfigListener<P> = (payload: P) => void
