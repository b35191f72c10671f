import { ModelConfigErrorCodes } from './error-codes.js'

const BRAND = Symbol.for('@duckkit/model-config/NotFoundError')

/** No configuration matched: a usage type without an enabled model, or an unknown chain. */
export class ModelConfigNotFoundError extends Error {
  /** Stable machine-readable code. */
  readonly code = ModelConfigErrorCodes.notFound
  /** The usage type that was looked up. */
  readonly usageType: string
  /** Marks instances so guards work across copies of this package. */
  readonly [BRAND] = true

  constructor(usageType: string, message: string) {
    super(message)
    this.name = 'ModelConfigNotFoundError'
    this.usageType = usageType
  }
}

/** Whether a value is a {@link ModelConfigNotFoundError}, from any copy of this package. */
export function isModelConfigNotFoundError(
  value: unknown,
): value is ModelConfigNotFoundError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  )
}
