import { type Clock, systemClock } from './clock.js'
import { classifyError } from './classify-error.js'
import { countsAsFailure } from './errors.js'
import { InvalidOptionError } from './invalid-option-error.js'
import { type Logger } from './logger.js'
import { clockOption, functionOption, numberOption } from './validate.js'

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Name of the breaker (one per database), used in errors, events and stats. */
  name: string
  /** Share of failed calls in the rolling window above which the breaker opens, in (0, 1). @default 0.5 */
  failureThreshold?: number | undefined
  /** Calls the rolling window must hold before the breaker may open. @default 5 */
  volumeThreshold?: number | undefined
  /** Length of the rolling window of call counts, in milliseconds. @default 10000 */
  rollingWindowMs?: number | undefined
  /** Number of buckets the rolling window is divided into. @default 10 */
  rollingBuckets?: number | undefined
  /** Time the breaker stays open before it lets one probe call through, in milliseconds. @default 10000 */
  resetTimeoutMs?: number | undefined
  /** Decides whether an error counts toward opening. @default classify the error, then `countsAsFailure` (transient, connection and fatal errors only) */
  isFailure?: ((error: unknown) => boolean) | undefined
  /** Source of time for the rolling window and `retryAfterMs`. @default systemClock */
  clock?: Clock | undefined
  /** Receives a warning when the breaker opens and info when it closes. @default undefined */
  logger?: Logger | undefined
}

/** Circuit breaker options with every default filled in. */
export interface CircuitBreakerSettings {
  readonly name: string
  readonly failureThreshold: number
  readonly volumeThreshold: number
  readonly rollingWindowMs: number
  readonly rollingBuckets: number
  readonly resetTimeoutMs: number
  readonly isFailure: (error: unknown) => boolean
  readonly clock: Clock
  readonly logger: Logger | undefined
}

/** Fills in and validates {@link CircuitBreakerOptions}; throws an `InvalidOptionError` naming the field. */
export function resolveCircuitBreakerOptions(
  options: CircuitBreakerOptions,
): CircuitBreakerSettings {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(
      'options',
      options,
      'an object with at least a name',
    )
  }
  if (typeof options.name !== 'string' || options.name.length === 0) {
    throw new InvalidOptionError('name', options.name, 'a non-empty string')
  }
  const failureThreshold = numberOption(
    'failureThreshold',
    options.failureThreshold,
    0.5,
    {
      above: 0,
      max: 1,
    },
  )
  if (failureThreshold === 1) {
    throw new InvalidOptionError(
      'failureThreshold',
      1,
      'a number > 0 and < 1 (a share of calls)',
    )
  }
  const rollingWindowMs = numberOption(
    'rollingWindowMs',
    options.rollingWindowMs,
    10_000,
    {
      min: 1,
      integer: true,
    },
  )
  const rollingBuckets = numberOption(
    'rollingBuckets',
    options.rollingBuckets,
    10,
    {
      min: 1,
      max: rollingWindowMs,
      integer: true,
    },
  )
  return {
    name: options.name,
    failureThreshold,
    volumeThreshold: numberOption(
      'volumeThreshold',
      options.volumeThreshold,
      5,
      {
        min: 0,
        integer: true,
      },
    ),
    rollingWindowMs,
    rollingBuckets,
    resetTimeoutMs: numberOption(
      'resetTimeoutMs',
      options.resetTimeoutMs,
      10_000,
      {
        min: 1,
        max: 2 ** 31 - 1,
        integer: true,
      },
    ),
    isFailure:
      functionOption('isFailure', options.isFailure) ?? isHealthFailure,
    clock: clockOption(options.clock, systemClock),
    logger: options.logger,
  }
}

/** The default `isFailure`: classifies raw errors first, so raw DuckDB errors are judged like typed ones. */
function isHealthFailure(error: unknown): boolean {
  return countsAsFailure(classifyError(error))
}
