/** Every stable code a model-config error carries. */
export const ModelConfigErrorCodes = {
  /** An input broke a rule ({@link ModelConfigValidationError}). */
  validation: 'E_VALIDATION',
  /** No configuration matched ({@link ModelConfigNotFoundError}). */
  notFound: 'E_NOT_FOUND',
  /** The database schema is newer than the code ({@link SchemaTooNewError}). */
  schemaTooNew: 'E_SCHEMA_TOO_NEW',
} as const
