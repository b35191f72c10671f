/** One forward-only step of the model-config schema. */
export interface Migration {
  /** Schema version this step produces: 1 for the first, then 2, 3, ... without gaps. */
  readonly version: number
  /** Short description, recorded in the migrations table. */
  readonly name: string
  /** Statements to run, in order, inside the migration transaction. */
  readonly statements: readonly string[]
}

/** Name of the table that holds model configurations. */
export const MODEL_CONFIGS_TABLE = 'model_configs'
/** Name of the table that records applied migrations. */
export const MIGRATIONS_TABLE = 'model_config_migrations'

/** Every migration this version of the package knows, oldest first. */
export const MODEL_CONFIG_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'create model_configs',
    statements: [
      `CREATE TABLE ${MODEL_CONFIGS_TABLE} (
        usage_type VARCHAR NOT NULL,
        priority INTEGER NOT NULL CHECK (priority >= 1),
        model_id VARCHAR NOT NULL,
        model_name VARCHAR NOT NULL,
        provider VARCHAR NOT NULL,
        parameters JSON NOT NULL DEFAULT '{}',
        enabled BOOLEAN NOT NULL DEFAULT true,
        created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (usage_type, priority)
      )`,
    ],
  },
])

/** The schema version this version of the package writes and reads. */
export const MODEL_CONFIG_SCHEMA_VERSION = 1
