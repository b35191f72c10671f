const BRAND = Symbol.for('@duckkit/server/ConfigError')

/** One environment variable with a value the service does not accept. */
export interface ConfigIssue {
  /** Name of the environment variable, such as `PORT`. */
  readonly variable: string
  /** The value that was set. */
  readonly value: string
  /** What the variable accepts, in words. */
  readonly allowed: string
}

/** The environment holds values the service does not accept; every bad variable is listed. */
export class ServerConfigError extends Error {
  /** Stable machine-readable code. */
  readonly code = 'E_SERVER_CONFIG'
  /** Every bad variable, in the order they were checked. */
  readonly issues: readonly ConfigIssue[]
  /** Marks instances so the guard works across copies. */
  readonly [BRAND] = true

  constructor(issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration: ${issues
        .map(
          (issue) =>
            `${issue.variable}=${JSON.stringify(issue.value)} (expected ${issue.allowed})`,
        )
        .join('; ')}`,
    )
    this.name = 'ServerConfigError'
    this.issues = Object.freeze([...issues])
  }
}

/** Whether a value is a {@link ServerConfigError}. */
export function isServerConfigError(
  value: unknown,
): value is ServerConfigError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  )
}
