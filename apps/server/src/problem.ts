import { type FastifyReply, type FastifyRequest } from 'fastify'

/** Media type of every error response (RFC 9457). */
const PROBLEM_MEDIA_TYPE = 'application/problem+json'

/** One offending input field of a 400 response. */
export interface ProblemIssue {
  /** Dotted path of the field, such as `parameters.temperature` or `entries.0.modelId`. */
  readonly field: string
  /** Where the field is: the body, the path or the query string. */
  readonly in: 'body' | 'path' | 'query' | 'header'
  /** The rule that failed, such as `required`, `type` or `too_big`. */
  readonly rule: string
  /** What is wrong, in words. */
  readonly message: string
}

/** An RFC 9457 problem document with DuckKit's stable `code`. */
interface Problem {
  /** URI naming the kind of problem. */
  readonly type: string
  /** Short summary of the kind of problem. */
  readonly title: string
  /** The HTTP status code. */
  readonly status: number
  /** What went wrong in this occurrence. */
  readonly detail: string
  /** The request path. */
  readonly instance: string
  /** Stable machine-readable code, such as `E_VALIDATION`. */
  readonly code: string
  /** Id of the request, as in the logs and the `x-request-id` header. */
  readonly requestId: string
  /** Offending fields (validation problems only). */
  readonly errors?: readonly ProblemIssue[]
  /** Seconds after which a retry may succeed (503 only; also in `Retry-After`). */
  readonly retryAfterSeconds?: number
}

/** What the error mapping decided: status, code, words and headers. */
export interface ProblemSpec {
  /** HTTP status. */
  readonly status: number
  /** Stable code. */
  readonly code: string
  /** Short summary of the kind of problem. */
  readonly title: string
  /** What went wrong in this occurrence. */
  readonly detail: string
  /** Offending fields. */
  readonly errors?: readonly ProblemIssue[]
  /** Seconds for `Retry-After`. */
  readonly retryAfterSeconds?: number
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>
}

/** Sends a problem document; the body never holds a stack trace. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  spec: ProblemSpec,
): void {
  const problem: Problem = {
    type: `urn:duckkit:problem:${spec.code.replace(/^E_/, '').toLowerCase().replaceAll('_', '-')}`,
    title: spec.title,
    status: spec.status,
    detail: spec.detail,
    instance: request.url.split('?')[0] ?? request.url,
    code: spec.code,
    requestId: request.id,
    ...(spec.errors === undefined ? {} : { errors: spec.errors }),
    ...(spec.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: spec.retryAfterSeconds }),
  }
  if (spec.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(spec.retryAfterSeconds))
  }
  for (const [name, value] of Object.entries(spec.headers ?? {}))
    reply.header(name, value)
  void reply
    .code(spec.status)
    .type(PROBLEM_MEDIA_TYPE)
    .serializer((payload) => JSON.stringify(payload))
    .send(problem)
}

const issueSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['field', 'in', 'rule', 'message'],
  properties: {
    field: {
      type: 'string',
      description: 'Dotted path of the offending field.',
    },
    in: { type: 'string', enum: ['body', 'path', 'query', 'header'] },
    rule: { type: 'string', description: 'The rule that failed.' },
    message: { type: 'string' },
  },
} as const

/** JSON schema of {@link Problem}, registered as `Problem`. */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'An RFC 9457 problem document with a stable `code`.',
  additionalProperties: false,
  required: [
    'type',
    'title',
    'status',
    'detail',
    'instance',
    'code',
    'requestId',
  ],
  properties: {
    type: { type: 'string', description: 'URI naming the kind of problem.' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path.' },
    code: {
      type: 'string',
      description:
        'Stable code: E_VALIDATION, E_INVALID_JSON, E_UNAUTHORIZED, E_NOT_FOUND, E_ROUTE_NOT_FOUND, E_CONFLICT, E_PAYLOAD_TOO_LARGE, E_UNSUPPORTED_MEDIA_TYPE, E_CIRCUIT_OPEN, E_POOL_EXHAUSTED, E_UNAVAILABLE, E_SHUTTING_DOWN, E_INTERNAL.',
    },
    requestId: { type: 'string' },
    errors: { type: 'array', items: issueSchema },
    retryAfterSeconds: { type: 'integer', minimum: 0 },
  },
} as const

/** Response schemas of the given error statuses, for a route's `schema.response`. */
export function problemResponses(
  ...statuses: readonly number[]
): Record<
  string,
  { description: string; content: Record<string, { schema: { $ref: string } }> }
> {
  const descriptions: Record<number, string> = {
    400: 'The request is invalid (validation, malformed JSON).',
    401: 'A bearer token is missing or wrong.',
    404: 'Nothing matched.',
    409: 'The write conflicted with another one.',
    413: 'The body is larger than the limit.',
    415: 'The body is not JSON.',
    503: 'The database is unavailable (circuit open, pool exhausted); see Retry-After.',
  }
  const result: Record<
    string,
    {
      description: string
      content: Record<string, { schema: { $ref: string } }>
    }
  > = {}
  for (const status of statuses) {
    result[String(status)] = {
      description: descriptions[status] ?? 'An error.',
      content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: 'Problem#' } } },
    }
  }
  return result
}
