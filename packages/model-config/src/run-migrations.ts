import { InvalidOptionError } from '@duckkit/resilience'
import {
  MIGRATIONS_TABLE,
  MODEL_CONFIG_MIGRATIONS,
  type Migration,
} from './migrations.js'
import { SchemaTooNewError } from './schema-too-new-error.js'
import { type SqlRunner } from './sql-runner.js'

/** Something that runs a function inside one transaction (a db-tx `TransactionManager`). */
export interface MigrationTransactions {
  /** Runs `fn` in a transaction that commits when it resolves and rolls back when it throws. */
  transaction<T>(
    fn: (tx: SqlRunner) => Promise<T>,
    options?: { label?: string },
  ): Promise<T>
}

/** Options of {@link runMigrations}. */
export interface RunMigrationsOptions {
  /** The migrations to apply, oldest first (versions 1, 2, 3, ... without gaps). @defaultValue {@link MODEL_CONFIG_MIGRATIONS} */
  migrations?: readonly Migration[]
}

/** What {@link runMigrations} did. */
export interface MigrationResult {
  /** Schema version found in the database before (0 for a new database). */
  readonly fromVersion: number
  /** Schema version of the database now. */
  readonly toVersion: number
  /** Versions applied by this call, oldest first (empty when the schema was current). */
  readonly applied: readonly number[]
}

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  version INTEGER PRIMARY KEY,
  name VARCHAR NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
)`
const CURRENT_VERSION = `SELECT CAST(coalesce(max(version), 0) AS INTEGER) AS version FROM ${MIGRATIONS_TABLE}`
const RECORD_MIGRATION = `INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES ($version, $name)`

/**
 * Brings the model-config schema up to date in ONE transaction: creates the
 * migrations table when missing, reads the current version and applies every
 * newer migration in order, recording each. Running it again is a no-op. A
 * database whose version is newer than the code knows is refused with a
 * {@link SchemaTooNewError}, and nothing is changed. A conflict with a
 * concurrent migration is retried by the transaction manager.
 *
 * @example
 * ```ts
 * const { fromVersion, toVersion } = await runMigrations(transactions)
 * ```
 */
export async function runMigrations(
  transactions: MigrationTransactions,
  options: RunMigrationsOptions = {},
): Promise<MigrationResult> {
  const migrations = checkMigrations(
    options.migrations ?? MODEL_CONFIG_MIGRATIONS,
  )
  const latest = migrations.length
  return transactions.transaction(
    async (tx) => {
      await tx.query(CREATE_MIGRATIONS_TABLE)
      const [row] = await tx.query(CURRENT_VERSION)
      const fromVersion = Number(
        (row as { version?: unknown } | undefined)?.version ?? 0,
      )
      if (fromVersion > latest) throw new SchemaTooNewError(fromVersion, latest)
      const applied: number[] = []
      for (const migration of migrations.slice(fromVersion)) {
        for (const statement of migration.statements) await tx.query(statement)
        await tx.query(RECORD_MIGRATION, {
          version: migration.version,
          name: migration.name,
        })
        applied.push(migration.version)
      }
      return { fromVersion, toVersion: Math.max(fromVersion, latest), applied }
    },
    { label: 'model-config.migrate' },
  )
}

function checkMigrations(value: unknown): readonly Migration[] {
  if (!Array.isArray(value)) {
    throw new InvalidOptionError('migrations', value, 'an array of migrations')
  }
  const list: readonly unknown[] = value
  list.forEach((item, index) => {
    const migration = (item ?? {}) as Partial<Migration>
    if (migration.version !== index + 1) {
      throw new InvalidOptionError(
        `migrations[${index}].version`,
        migration.version,
        `${index + 1} (versions run 1, 2, 3, ... without gaps, oldest first)`,
      )
    }
    const statements: unknown = migration.statements
    if (!Array.isArray(statements) || statements.length === 0) {
      throw new InvalidOptionError(
        `migrations[${index}].statements`,
        statements,
        'a non-empty array of SQL statements',
      )
    }
  })
  return list as readonly Migration[]
}
