import { DatabaseError, isDatabaseError } from '@duckkit/resilience'
import { ModelConfigErrorCodes } from './error-codes.js'

/**
 * The database holds a newer model-config schema than this code knows; it
 * refuses to run rather than misread or damage the data. Never retryable.
 */
export class SchemaTooNewError extends DatabaseError {
  /** Highest schema version recorded in the database. */
  readonly databaseVersion: number
  /** Highest schema version this code knows. */
  readonly codeVersion: number

  constructor(databaseVersion: number, codeVersion: number) {
    super(
      `The database's model-config schema is version ${databaseVersion}, newer than version ${codeVersion} that this code knows; upgrade @duckkit/model-config`,
      { code: ModelConfigErrorCodes.schemaTooNew, retryable: false },
    )
    this.name = 'SchemaTooNewError'
    this.databaseVersion = databaseVersion
    this.codeVersion = codeVersion
  }
}

/** Whether a value is a {@link SchemaTooNewError}, from any copy of this package. */
export function isSchemaTooNewError(
  value: unknown,
): value is SchemaTooNewError {
  return (
    isDatabaseError(value) && value.code === ModelConfigErrorCodes.schemaTooNew
  )
}
