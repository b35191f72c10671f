export { createModelConfigService } from './create-service.js'
export { ModelConfigService } from './service.js'
export type {
  ModelConfigServiceOptions,
  ReadStrategy,
} from './service-options.js'
export type {
  ModelConfigEvents,
  ModelConfigListener,
  ModelConfigOperation,
  ModelConfigStats,
} from './service-events.js'
export { ModelConfigRepository } from './repository.js'
export type { SqlParams, SqlRunner } from './sql-runner.js'
export type {
  ChainEntryInput,
  GroupedModelConfigs,
  JsonValue,
  ModelConfig,
  ModelConfigInput,
  ModelParameters,
  NewChainEntry,
  NewModelConfig,
} from './model-config.js'
export { DEFAULT_MODEL_CONFIGS, DEFAULT_USAGE_TYPES } from './defaults.js'
export {
  MIGRATIONS_TABLE,
  MODEL_CONFIG_MIGRATIONS,
  MODEL_CONFIG_SCHEMA_VERSION,
  MODEL_CONFIGS_TABLE,
} from './migrations.js'
export type { Migration } from './migrations.js'
export { runMigrations } from './run-migrations.js'
export type {
  MigrationResult,
  MigrationTransactions,
  RunMigrationsOptions,
} from './run-migrations.js'
export { ModelConfigErrorCodes } from './error-codes.js'
export {
  isModelConfigValidationError,
  ModelConfigValidationError,
} from './validation-error.js'
export type { ValidationIssue } from './validation-error.js'
export {
  isModelConfigNotFoundError,
  ModelConfigNotFoundError,
} from './not-found-error.js'
export {
  isSchemaTooNewError,
  SchemaTooNewError,
} from './schema-too-new-error.js'
export {
  MAX_CHAIN_LENGTH,
  MAX_PARAMETERS_LENGTH,
  MAX_PRIORITY,
} from './schemas.js'
export { MAX_INPUT_DEPTH } from './validate.js'
