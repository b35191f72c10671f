const BRAND = Symbol.for('@duckkit/resilience/InvalidOptionError')

/** An option passed to a DuckKit factory or function has a value it does not accept. */
export class InvalidOptionError extends TypeError {
  /** Stable machine-readable code. */
  readonly code = 'E_INVALID_OPTION'
  /** Name of the offending option, such as `'maxAttempts'`. */
  readonly field: string
  /** The value that was passed. */
  readonly value: unknown
  /** What the option accepts, in words. */
  readonly allowed: string
  /** Marks instances so guards work across copies of this package. */
  readonly [BRAND] = true

  constructor(field: string, value: unknown, allowed: string) {
    super(`Invalid option ${field}: ${show(value)} (expected ${allowed})`)
    this.name = 'InvalidOptionError'
    this.field = field
    this.value = value
    this.allowed = allowed
  }
}

/** Whether a value is an {@link InvalidOptionError}, from any copy of this package. */
export function isInvalidOptionError(
  value: unknown,
): value is InvalidOptionError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  )
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  try {
    return String(value)
  } catch {
    return typeof value
  }
}
