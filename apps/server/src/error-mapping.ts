import {
  isPoolAcquireTimeoutError,
  isPoolClosedError,
  isPoolDownError,
  isPoolQueueFullError,
} from '@duckkit/db-pool'
import {
  isTransactionManagerClosedError,
  isTransactionTimeoutError,
} from '@duckkit/db-tx'
import {
  isModelConfigNotFoundError,
  isModelConfigValidationError,
} from '@duckkit/model-config'
import {
  isCircuitOpenError,
  isConstraintViolationError,
  isDatabaseError,
  isFatalDatabaseError,
  isTransactionConflictError,
} from '@duckkit/resilience'
import { type ProblemIssue, type ProblemSpec } from './problem.js'

/** A Fastify/ajv validation error item, as much of it as the mapping reads. */
interface AjvIssue {
  readonly instancePath: string
  readonly keyword: string
  readonly message?: string
  readonly params: Record<string, unknown>
}

/** The fields of a Fastify error the mapping reads. */
interface FastifyLikeError {
  readonly code?: unknown
  readonly statusCode?: unknown
  readonly validation?: readonly AjvIssue[]
  readonly validationContext?: string
  readonly message?: unknown
}

const LOCATIONS: Record<string, ProblemIssue['in']> = {
  body: 'body',
  params: 'path',
  querystring: 'query',
  headers: 'header',
}

/**
 * Turns any error a route can raise into a problem: validation 400, not found
 * 404, conflict 409, too large 413, circuit open or pool exhausted 503 with a
 * retry delay, and 500 for the rest (whose detail never shows internals).
 */
export function mapError(error: unknown): ProblemSpec {
  if (isModelConfigValidationError(error)) {
    return {
      status: 400,
      code: 'E_VALIDATION',
      title: 'Invalid input',
      detail: error.message,
      errors: error.issues.map((issue) => ({
        field: issue.field,
        in: 'body',
        rule: issue.rule,
        message: issue.message,
      })),
    }
  }
  if (isModelConfigNotFoundError(error)) {
    return {
      status: 404,
      code: 'E_NOT_FOUND',
      title: 'Not found',
      detail: error.message,
    }
  }
  if (isCircuitOpenError(error)) {
    return {
      status: 503,
      code: 'E_CIRCUIT_OPEN',
      title: 'Database unavailable',
      detail:
        'The database circuit breaker is open after repeated failures; retry later.',
      retryAfterSeconds: seconds(error.retryAfterMs),
    }
  }
  if (isPoolAcquireTimeoutError(error) || isPoolQueueFullError(error)) {
    return {
      status: 503,
      code: 'E_POOL_EXHAUSTED',
      title: 'Database busy',
      detail: 'Every database connection is busy; retry later.',
      retryAfterSeconds: 1,
    }
  }
  if (
    isPoolClosedError(error) ||
    isPoolDownError(error) ||
    isFatalDatabaseError(error) ||
    isTransactionManagerClosedError(error)
  ) {
    return {
      status: 503,
      code: 'E_UNAVAILABLE',
      title: 'Database unavailable',
      detail: 'The database is not accepting work.',
      retryAfterSeconds: 5,
    }
  }
  if (isTransactionConflictError(error) || isConstraintViolationError(error)) {
    return {
      status: 409,
      code: 'E_CONFLICT',
      title: 'Conflict',
      detail:
        'The write conflicted with a concurrent one; read the current state and retry.',
    }
  }
  if (
    isTransactionTimeoutError(error) ||
    (isDatabaseError(error) && error.retryable)
  ) {
    return {
      status: 503,
      code: 'E_UNAVAILABLE',
      title: 'Database unavailable',
      detail: 'A transient database failure; retry later.',
      retryAfterSeconds: 1,
    }
  }
  const fastify = fastifyError(error)
  if (fastify !== undefined) return fastify
  return {
    status: 500,
    code: 'E_INTERNAL',
    title: 'Internal error',
    detail:
      'An unexpected error occurred; the logs hold the details under this request id.',
  }
}

function fastifyError(error: unknown): ProblemSpec | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const e = error as FastifyLikeError
  if (Array.isArray(e.validation)) {
    const location = LOCATIONS[e.validationContext ?? 'body'] ?? 'body'
    const issues: readonly AjvIssue[] = e.validation
    const errors = issues.map((issue) => toIssue(issue, location))
    const first = errors[0]
    return {
      status: 400,
      code: 'E_VALIDATION',
      title: 'Invalid input',
      detail:
        first === undefined
          ? 'The request is invalid.'
          : `Invalid ${first.field}: ${first.message}` +
            (errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''),
      errors,
    }
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined
  const code = typeof e.code === 'string' ? e.code : ''
  if (status === 413 || code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      code: 'E_PAYLOAD_TOO_LARGE',
      title: 'Payload too large',
      detail: 'The request body is larger than the limit.',
    }
  }
  if (status === 415 || code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      code: 'E_UNSUPPORTED_MEDIA_TYPE',
      title: 'Unsupported media type',
      detail: 'Send the body as application/json.',
    }
  }
  if (
    error instanceof SyntaxError ||
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
  ) {
    return {
      status: 400,
      code: 'E_INVALID_JSON',
      title: 'Malformed JSON',
      detail:
        code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'The body is empty but the content type says JSON.'
          : 'The body is not valid JSON.',
    }
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return {
      status,
      code: 'E_BAD_REQUEST',
      title: 'Bad request',
      detail:
        typeof e.message === 'string' ? e.message : 'The request was refused.',
    }
  }
  return undefined
}

function toIssue(issue: AjvIssue, location: ProblemIssue['in']): ProblemIssue {
  const path = issue.instancePath.split('/').filter((part) => part !== '')
  const extra =
    typeof issue.params.missingProperty === 'string'
      ? issue.params.missingProperty
      : typeof issue.params.additionalProperty === 'string'
        ? issue.params.additionalProperty
        : undefined
  if (extra !== undefined) path.push(extra)
  const field = path.join('.') || '(root)'
  const rule =
    issue.keyword === 'additionalProperties'
      ? 'unknown_field'
      : issue.keyword === 'required'
        ? 'required'
        : issue.keyword
  const message =
    issue.keyword === 'additionalProperties'
      ? 'is not a known field'
      : issue.keyword === 'required'
        ? 'is required'
        : (issue.message ?? 'is invalid')
  return { field, in: location, rule, message }
}

function seconds(ms: number): number {
  if (!Number.isFinite(ms)) return 60
  return Math.max(1, Math.ceil(ms / 1000))
}
