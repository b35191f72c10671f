import { type z } from 'zod'
import {
  type ValidationIssue,
  ModelConfigValidationError,
} from './validation-error.js'

/** Deepest nesting of objects and arrays any input may have (`parameters` included). */
export const MAX_INPUT_DEPTH = 64

/**
 * Parses `value` with `schema` and returns the result, or throws a
 * {@link ModelConfigValidationError} naming each offending field (prefixed
 * with `field` when given) and the rule it broke. Input nested deeper than
 * {@link MAX_INPUT_DEPTH} is refused first (rule `too_deep`): the schemas
 * walk JSON values recursively, and hostile nesting would overflow the stack.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  field?: string,
): z.output<S> {
  const deep = tooDeepPath(value, MAX_INPUT_DEPTH)
  if (deep !== undefined) {
    const at = deep.indexOf('parameters')
    const path = [
      ...(field === undefined ? [] : [field]),
      ...deep.slice(0, at < 0 ? 1 : at + 1),
    ]
    throw new ModelConfigValidationError([
      {
        field: path.length === 0 ? 'input' : path.join('.'),
        rule: 'too_deep',
        message: `must not nest objects or arrays more than ${MAX_INPUT_DEPTH} levels deep`,
      },
    ])
  }
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

/**
 * The path to an object or array nested deeper than `limit` levels, or
 * undefined when there is none. Iterative, so any depth (or a cycle) is safe.
 */
function tooDeepPath(
  value: unknown,
  limit: number,
): readonly string[] | undefined {
  const pending: { value: unknown; path: readonly string[] }[] = [
    { value, path: [] },
  ]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue
    if (next.path.length >= limit) return next.path
    for (const [key, child] of Object.entries(next.value))
      pending.push({ value: child, path: [...next.path, key] })
  }
  return undefined
}
