import { type z } from 'zod'
import {
  type ValidationIssue,
  ModelConfigValidationError,
} from './validation-error.js'

/**
 * Parses `value` with `schema` and returns the result, or throws a
 * {@link ModelConfigValidationError} naming each offending field (prefixed
 * with `field` when given) and the rule it broke.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  field?: string,
): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issues = result.error.issues.map((issue) => toIssue(issue, field))
  const [first, ...rest] = issues
  if (first === undefined) {
    throw new ModelConfigValidationError(
      [{ field: field ?? 'input', rule: 'invalid', message: 'is invalid' }],
      { cause: result.error },
    )
  }
  throw new ModelConfigValidationError([first, ...rest], {
    cause: result.error,
  })
}

function toIssue(
  issue: z.core.$ZodIssue,
  prefix: string | undefined,
): ValidationIssue {
  const keys = issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : []
  const path = [
    ...(prefix === undefined ? [] : [prefix]),
    ...issue.path.map(String),
    ...keys,
  ]
  const field = path.length === 0 ? 'input' : path.join('.')
  return { field, rule: ruleOf(issue), message: issue.message }
}

function ruleOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom') {
    const rule = (issue.params as { rule?: unknown } | undefined)?.rule
    return typeof rule === 'string' ? rule : 'custom'
  }
  if (issue.code === 'invalid_format')
    return issue.format === 'regex' ? 'pattern' : issue.format
  if (issue.code === 'unrecognized_keys') return 'unknown_key'
  return issue.code
}
