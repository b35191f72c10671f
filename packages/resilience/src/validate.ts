import { type Clock, systemClock } from './clock.js'
import { InvalidOptionError } from './invalid-option-error.js'
import { type Logger } from './logger.js'

/** Checks a number option against inclusive bounds and returns it, or its default when undefined. */
export function numberOption(
  field: string,
  value: unknown,
  fallback: number,
  rule: {
    min?: number
    max?: number
    integer?: boolean
    allowInfinity?: boolean
    above?: number
  },
): number {
  if (value === undefined) return fallback
  const finiteOk =
    rule.allowInfinity === true
      ? value === Infinity || Number.isFinite(value)
      : Number.isFinite(value)
  const ok =
    typeof value === 'number' &&
    finiteOk &&
    (rule.integer !== true || Number.isInteger(value) || value === Infinity) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.max === undefined || value <= rule.max)
  if (!ok) throw new InvalidOptionError(field, value, describeRule(rule))
  return value
}

function describeRule(rule: {
  min?: number
  max?: number
  integer?: boolean
  allowInfinity?: boolean
  above?: number
}): string {
  const kind = rule.integer === true ? 'an integer' : 'a number'
  const parts: string[] = []
  if (rule.above !== undefined) parts.push(`> ${rule.above}`)
  if (rule.min !== undefined) parts.push(`>= ${rule.min}`)
  if (rule.max !== undefined) parts.push(`<= ${rule.max}`)
  const infinity = rule.allowInfinity === true ? ' (Infinity allowed)' : ''
  return `${kind}${parts.length > 0 ? ` ${parts.join(' and ')}` : ''}${infinity}`
}

/** Checks that an optional option is a function. */
export function functionOption<F>(
  field: string,
  value: F | undefined,
): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionError(field, value, 'a function')
  }
  return value
}

/**
 * Checks a `clock` option (an object with `now`, `setTimeout` and
 * `clearTimeout`) and returns it, or `fallback` when it is undefined; throws
 * an {@link InvalidOptionError} naming the field otherwise.
 */
export function clockOption(
  value: Clock | null | undefined,
  fallback: Clock = systemClock,
): Clock {
  if (value === undefined || value === null) return fallback
  if (
    typeof value !== 'object' ||
    typeof value.now !== 'function' ||
    typeof value.setTimeout !== 'function' ||
    typeof value.clearTimeout !== 'function'
  ) {
    throw new InvalidOptionError(
      'clock',
      value,
      'an object with now, setTimeout and clearTimeout',
    )
  }
  return value
}

const LOG_METHODS = ['debug', 'info', 'warn', 'error'] as const

/**
 * Checks a `logger` option (pino's method shape: `debug`, `info`, `warn`,
 * `error`) and returns it, or undefined when none was given; throws an
 * {@link InvalidOptionError} naming the field otherwise.
 */
export function loggerOption(value: unknown): Logger | undefined {
  if (value === undefined) return undefined
  if (
    typeof value !== 'object' ||
    value === null ||
    LOG_METHODS.some(
      (method) =>
        typeof (value as Record<string, unknown>)[method] !== 'function',
    )
  ) {
    throw new InvalidOptionError(
      'logger',
      value,
      'an object with debug, info, warn and error methods',
    )
  }
  return value as Logger
}
