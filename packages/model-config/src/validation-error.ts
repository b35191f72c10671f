import { ModelConfigErrorCodes } from './error-codes.js'

const BRAND = Symbol.for('@duckkit/model-config/ValidationError')

/** One problem found in an input: where it is and which rule it broke. */
export interface ValidationIssue {
  /** Dotted path of the offending field, such as `'parameters.temperature'` or `'entries.0.modelId'`. */
  readonly field: string
  /** The rule that failed, such as `'too_small'`, `'invalid_type'` or `'permutation'`. */
  readonly rule: string
  /** What is wrong, in words. */
  readonly message: string
}

/**
 * An input to the model-config service broke a rule. `field` and `rule` name
 * the first problem; `issues` lists all of them.
 */
export class ModelConfigValidationError extends TypeError {
  /** Stable machine-readable code. */
  readonly code = ModelConfigErrorCodes.validation
  /** Dotted path of the first offending field. */
  readonly field: string
  /** The rule the first offending field broke. */
  readonly rule: string
  /** Every problem found, in input order. */
  readonly issues: readonly ValidationIssue[]
  /** Marks instances so guards work across copies of this package. */
  readonly [BRAND] = true

  constructor(
    issues: readonly [ValidationIssue, ...ValidationIssue[]],
    options: { cause?: unknown } = {},
  ) {
    const [first] = issues
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
    super(
      `Invalid ${first.field}: ${first.message} [${first.rule}]${more}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.name = 'ModelConfigValidationError'
    this.field = first.field
    this.rule = first.rule
    this.issues = Object.freeze([...issues])
  }
}

/** Whether a value is a {@link ModelConfigValidationError}, from any copy of this package. */
export function isModelConfigValidationError(
  value: unknown,
): value is ModelConfigValidationError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  )
}
