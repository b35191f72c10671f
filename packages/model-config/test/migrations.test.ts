import { DuckDBInstance } from '@duckdb/node-api'
import { createPool } from '@duckkit/db-pool'
import { createTransactionManager } from '@duckkit/db-tx'
import { createQueryCache } from '@duckkit/query-cache'
import { isInvalidOptionError } from '@duckkit/resilience'
import { tempDatabasePath } from '@duckkit/test-utils'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MODEL_CONFIGS } from '../src/defaults.js'
import { MODEL_CONFIG_MIGRATIONS, type Migration } from '../src/migrations.js'
import { runMigrations } from '../src/run-migrations.js'
import {
  isSchemaTooNewError,
  SchemaTooNewError,
} from '../src/schema-too-new-error.js'
import { ModelConfigService } from '../src/service.js'
import { openStack } from './stack.js'

const addNotes: Migration = {
  version: 2,
  name: 'add notes',
  statements: ['ALTER TABLE model_configs ADD COLUMN notes VARCHAR'],
}

async function migrationRows(path: string): Promise<unknown[]> {
  const pool = await createPool({ path, max: 1 })
  try {
    return await pool.query(
      'SELECT version, name FROM model_config_migrations ORDER BY version',
    )
  } finally {
    await pool.close()
  }
}

describe('migrations', () => {
  it('migrates a new file database once and keeps data across restarts', async () => {
    const path = tempDatabasePath()
    const first = await openStack({ path })
    expect(first.service.stats().schemaVersion).toBe(1)
    await first.service.upsertConfig({
      usageType: 'chat_deep',
      priority: 2,
      modelId: 'kept',
      modelName: 'Kept',
      provider: 'openai',
    })
    await first.close()

    const second = await openStack({ path })
    expect(await second.service.start()).toEqual({
      fromVersion: 1,
      toVersion: 1,
      applied: [],
    })
    const chain = await second.service.getConfigsForUsage('chat_deep')
    expect(chain.map((c) => c.modelId)).toEqual(['openrouter/auto', 'kept'])
    expect(await second.service.getAllConfigs()).toHaveLength(
      DEFAULT_MODEL_CONFIGS.length + 1,
    )
    await second.close()

    expect(await migrationRows(path)).toEqual([
      { version: 1, name: 'create model_configs' },
    ])
  })

  it('reports what start() did through the migrated and seeded events', async () => {
    const pool = await createPool({ path: ':memory:', max: 2 })
    const cache = createQueryCache()
    const transactions = createTransactionManager({
      pool,
      listeners: [cache.transactionListener],
    })
    const service = new ModelConfigService({ transactions, cache })
    const events: [string, unknown][] = []
    service.on('migrated', (e) => events.push(['migrated', e]))
    service.on('seeded', (e) => events.push(['seeded', e]))
    const [a, b] = await Promise.all([service.start(), service.start()])
    expect(a).toBe(b)
    expect(events).toEqual([
      ['migrated', { fromVersion: 0, toVersion: 1, applied: [1] }],
      ['seeded', { inserted: DEFAULT_MODEL_CONFIGS.length }],
    ])
    await transactions.close()
    await cache.close()
    await pool.close()
  })

  it('applies only the migrations a database has not seen, in one transaction each run', async () => {
    const pool = await createPool({ path: ':memory:', max: 2 })
    const tm = createTransactionManager({ pool })
    expect(await runMigrations(tm)).toEqual({
      fromVersion: 0,
      toVersion: 1,
      applied: [1],
    })
    const next = [...MODEL_CONFIG_MIGRATIONS, addNotes]
    expect(await runMigrations(tm, { migrations: next })).toEqual({
      fromVersion: 1,
      toVersion: 2,
      applied: [2],
    })
    expect(await runMigrations(tm, { migrations: next })).toEqual({
      fromVersion: 2,
      toVersion: 2,
      applied: [],
    })
    const broken: Migration = {
      version: 3,
      name: 'broken',
      statements: ['ALTER TABLE nope ADD COLUMN x INT'],
    }
    await expect(
      runMigrations(tm, { migrations: [...next, broken] }),
    ).rejects.toMatchObject({
      code: 'E_CATALOG',
    })
    const [row] = await pool.query<{ version: number }>(
      'SELECT max(version) AS version FROM model_config_migrations',
    )
    expect(row?.version).toBe(2)
    await tm.close()
    await pool.close()
  })

  it('rolls a failed migration back completely', async () => {
    const pool = await createPool({ path: ':memory:', max: 2 })
    const tm = createTransactionManager({ pool })
    const broken: Migration = {
      version: 2,
      name: 'broken',
      statements: ['SELEC 1'],
    }
    await expect(
      runMigrations(tm, { migrations: [...MODEL_CONFIG_MIGRATIONS, broken] }),
    ).rejects.toMatchObject({
      code: 'E_SQL_SYNTAX',
    })
    const tables = await pool.query(
      "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'model_config%'",
    )
    expect(tables).toEqual([])
    await tm.close()
    await pool.close()
  })

  it('refuses a database whose schema is newer than the code, changing nothing', async () => {
    const path = tempDatabasePath()
    const pool = await createPool({ path, max: 2 })
    const tm = createTransactionManager({ pool })
    await runMigrations(tm, {
      migrations: [...MODEL_CONFIG_MIGRATIONS, addNotes],
    })
    await tm.close()
    await pool.close()

    const error = await openStack({ path }).catch((e: unknown) => e)
    expect(isSchemaTooNewError(error)).toBe(true)
    expect(error).toBeInstanceOf(SchemaTooNewError)
    expect(error).toMatchObject({
      code: 'E_SCHEMA_TOO_NEW',
      databaseVersion: 2,
      codeVersion: 1,
      retryable: false,
    })
    expect((error as Error).message).toMatch(/version 2.*version 1/)
    expect(await migrationRows(path)).toEqual([
      { version: 1, name: 'create model_configs' },
      { version: 2, name: 'add notes' },
    ])
    const reopened = await createPool({ path, max: 1 })
    expect(
      await reopened.query('SELECT count(*) AS n FROM model_configs'),
    ).toEqual([{ n: 0 }])
    await reopened.close()
  })

  it('refuses a file written by a newer release, before seeding anything', async () => {
    const path = tempDatabasePath()
    const instance = await DuckDBInstance.create(path)
    const connection = await instance.connect()
    for (const statement of MODEL_CONFIG_MIGRATIONS[0]?.statements ?? []) {
      await connection.run(statement)
    }
    await connection.run(
      'CREATE TABLE model_config_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)',
    )
    await connection.run(
      "INSERT INTO model_config_migrations VALUES (1, 'create model_configs', now()), (2, 'future', now()), (3, 'future', now())",
    )
    connection.closeSync()
    instance.closeSync()

    const error = await openStack({ path }).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'E_SCHEMA_TOO_NEW',
      databaseVersion: 3,
      codeVersion: 1,
    })
    const reopened = await createPool({ path, max: 1 })
    expect(
      await reopened.query('SELECT count(*) AS n FROM model_configs'),
    ).toEqual([{ n: 0 }])
    await reopened.close()
  })

  it('lets concurrent starts on one database agree (conflicts are retried)', async () => {
    const pool = await createPool({ path: ':memory:', max: 4 })
    const stacks = await Promise.all([
      openStack({ pool }),
      openStack({ pool }),
      openStack({ pool }),
    ])
    for (const stack of stacks)
      expect(stack.service.stats().schemaVersion).toBe(1)
    expect(
      await pool.query('SELECT count(*) AS n FROM model_config_migrations'),
    ).toEqual([{ n: 1 }])
    expect(await pool.query('SELECT count(*) AS n FROM model_configs')).toEqual(
      [{ n: DEFAULT_MODEL_CONFIGS.length }],
    )
    for (const stack of stacks) await stack.close()
    await pool.close()
  })

  it('refuses a migration list with gaps or without statements', async () => {
    const pool = await createPool({ path: ':memory:', max: 1 })
    const tm = createTransactionManager({ pool })
    for (const migrations of [
      [addNotes],
      [{ ...MODEL_CONFIG_MIGRATIONS[0]!, statements: [] }],
    ]) {
      const error = await runMigrations(tm, { migrations }).catch(
        (e: unknown) => e,
      )
      expect(isInvalidOptionError(error)).toBe(true)
    }
    await tm.close()
    await pool.close()
  })
})
