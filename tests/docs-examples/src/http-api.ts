import {
  PoolAcquireTimeoutError,
  PoolClosedError,
  PoolDownError,
  PoolQueueFullError,
} from '@duckkit/db-pool'
import {
  ReplayDivergenceError,
  TransactionManagerClosedError,
  TransactionTimeoutError,
} from '@duckkit/db-tx'
import {
  ModelConfigNotFoundError,
  ModelConfigValidationError,
  SchemaTooNewError,
} from '@duckkit/model-config'
import {
  CatalogError,
  CircuitOpenError,
  ConnectionError,
  ConstraintViolationError,
  DataError,
  FatalDatabaseError,
  InterruptedError,
  IoError,
  OutOfMemoryError,
  QueryTimeoutError,
  SqlSyntaxError,
  TransactionAbortedError,
  TransactionConflictError,
} from '@duckkit/resilience'
import { buildApp } from '@duckkit/server/dist/app.js'
import { loadConfig } from '@duckkit/server/dist/config.js'
import { createServices } from '@duckkit/server/dist/container.js'
import { mapError } from '@duckkit/server/dist/error-mapping.js'
import { pino } from 'pino'
import { format, resolveConfig } from 'prettier'

/** The parts of a JSON schema the reference renders. */
interface Schema {
  readonly $ref?: string
  readonly type?: string | readonly string[]
  readonly description?: string
  readonly enum?: readonly unknown[]
  readonly properties?: Readonly<Record<string, Schema>>
  readonly required?: readonly string[]
  readonly additionalProperties?: boolean | Schema
  readonly items?: Schema
  readonly anyOf?: readonly Schema[]
  readonly minLength?: number
  readonly maxLength?: number
  readonly minimum?: number
  readonly maximum?: number
  readonly minItems?: number
  readonly maxItems?: number
  readonly uniqueItems?: boolean
  readonly pattern?: string
  readonly default?: unknown
}

/** One operation of the OpenAPI document. */
interface Operation {
  readonly operationId?: string
  readonly summary?: string
  readonly tags?: readonly string[]
  readonly security?: readonly Record<string, readonly string[]>[]
  readonly parameters?: readonly {
    readonly name: string
    readonly in: string
    readonly required?: boolean
    readonly schema: Schema
  }[]
  readonly requestBody?: {
    readonly required?: boolean
    readonly content: Readonly<Record<string, { readonly schema: Schema }>>
  }
  readonly responses: Readonly<
    Record<
      string,
      {
        readonly description?: string
        readonly content?: Readonly<Record<string, { readonly schema: Schema }>>
      }
    >
  >
}

/** The OpenAPI 3.1 document as `/openapi.json` serves it. */
export interface OpenApiDocument {
  readonly openapi: string
  readonly info: {
    readonly title: string
    readonly version: string
    readonly description?: string
  }
  readonly tags?: readonly {
    readonly name: string
    readonly description?: string
  }[]
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>
  readonly components: {
    readonly schemas: Readonly<Record<string, Schema>>
    readonly securitySchemes?: Readonly<
      Record<string, Readonly<Record<string, string>>>
    >
  }
}

/** One row of the error tables: what triggered it and what the service answered. */
export interface ErrorRow {
  /** What raised the error (a request, or an error class of a package). */
  readonly source: string
  readonly status: number
  readonly code: string
  readonly title: string
  /** `Retry-After` in seconds, if the answer carries one. */
  readonly retryAfter?: string
}

const TOKEN = 'docs-generator-token-0123456789'
const AUTH = { authorization: `Bearer ${TOKEN}` }
const JSON_TYPE = { 'content-type': 'application/json' }

/** A small body limit, so that the 413 row needs no megabyte of data. */
const BODY_LIMIT = 1024

/**
 * Starts the reference service on an in-memory database (not listening),
 * takes its `/openapi.json`, sends it the requests of
 * {@link HTTP_TRIGGERS}, reads `/metrics`, then stops it.
 */
export async function inspectService(): Promise<{
  document: OpenApiDocument
  requestErrors: ErrorRow[]
  /** The Prometheus text of `/metrics`. */
  metrics: string
}> {
  const config = loadConfig({
    DUCKDB_PATH: ':memory:',
    LOG_LEVEL: 'silent',
    DUCKKIT_WARM_UP: '0',
  })
  const logger = pino({ level: 'silent' })
  const services = await createServices(config, logger)
  const app = await buildApp({
    services,
    adminToken: TOKEN,
    chaos: true,
    bodyLimitBytes: BODY_LIMIT,
    logger,
  })
  try {
    await app.ready()
    const document = (
      await app.inject({ method: 'GET', url: '/openapi.json' })
    ).json<OpenApiDocument>()
    const requestErrors: ErrorRow[] = []
    for (const [source, request] of HTTP_TRIGGERS) {
      const response = await app.inject({ ...request })
      const body = response.json<{ code: string; title: string }>()
      const retryAfter = response.headers['retry-after']
      requestErrors.push({
        source,
        status: response.statusCode,
        code: body.code,
        title: body.title,
        ...(retryAfter === undefined ? {} : { retryAfter: String(retryAfter) }),
      })
    }
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
    return { document, requestErrors, metrics }
  } finally {
    await app.close()
    await services.dispose()
  }
}

/** The request fields the triggers use (a subset of Fastify's `InjectOptions`). */
interface Inject {
  readonly method: 'GET' | 'PUT'
  readonly url: string
  readonly headers?: Record<string, string>
  readonly payload?: string | Record<string, unknown>
}

/** Requests that make the service answer with each request-level error. */
const HTTP_TRIGGERS: readonly (readonly [string, Inject])[] = [
  [
    'a body that breaks the schema (`PUT` without `modelName`)',
    {
      method: 'PUT',
      url: '/v1/model-configs/chat_deep/2',
      headers: { ...AUTH, ...JSON_TYPE },
      payload: { modelId: 'm', provider: 'openai' },
    },
  ],
  [
    'a path parameter out of range (`priority` 0)',
    { method: 'GET', url: '/v1/model-configs/chat_deep/0' },
  ],
  [
    'a body that is not JSON although the content type says so',
    {
      method: 'PUT',
      url: '/v1/model-configs/chat_deep/2',
      headers: { ...AUTH, ...JSON_TYPE },
      payload: '{"modelId":',
    },
  ],
  [
    'a path that does not percent-decode (`/v1/model-configs/%zz`)',
    { method: 'GET', url: '/v1/model-configs/%zz' },
  ],
  [
    'a write without `Authorization: Bearer <token>`',
    {
      method: 'PUT',
      url: '/v1/model-configs/chat_deep/2',
      headers: JSON_TYPE,
      payload: { modelId: 'm', modelName: 'M', provider: 'openai' },
    },
  ],
  [
    'no active model (`GET /v1/model-configs/vision/active`)',
    { method: 'GET', url: '/v1/model-configs/vision/active' },
  ],
  ['an unknown route', { method: 'GET', url: '/v2/nothing' }],
  [
    'a body over `DUCKKIT_BODY_LIMIT`',
    {
      method: 'PUT',
      url: '/v1/model-configs/chat_deep/2',
      headers: { ...AUTH, ...JSON_TYPE },
      payload: JSON.stringify({ modelId: 'x'.repeat(BODY_LIMIT * 2) }),
    },
  ],
  [
    'a body in a media type the service has no parser for (`application/xml`)',
    {
      method: 'PUT',
      url: '/v1/model-configs/chat_deep/2',
      headers: { ...AUTH, 'content-type': 'application/xml' },
      payload: '<modelId>m</modelId>',
    },
  ],
  [
    'a `text/plain` body (parsed as a string, then refused by the schema)',
    {
      method: 'PUT',
      url: '/v1/model-configs/chat_deep/2',
      headers: { ...AUTH, 'content-type': 'text/plain' },
      payload: 'modelId=m',
    },
  ],
]

/** Errors of the packages, one of each class the mapping distinguishes. */
function packageErrors(): readonly (readonly [string, unknown])[] {
  const sql = { sql: 'UPDATE model_configs SET enabled = false' }
  const conflict = new TransactionConflictError(
    'TransactionContext Error: Conflict on update!',
    sql,
  )
  return [
    [
      '`ModelConfigValidationError` (model-config, `E_VALIDATION`)',
      new ModelConfigValidationError([
        {
          field: 'priority',
          rule: 'too_big',
          message: 'must be at most 1000',
        },
      ]),
    ],
    [
      '`ModelConfigNotFoundError` (model-config, `E_NOT_FOUND`)',
      new ModelConfigNotFoundError('vision', 'No configuration'),
    ],
    [
      '`TransactionConflictError` (resilience, `E_TX_CONFLICT`) after the retries ran out',
      conflict,
    ],
    [
      '`ReplayDivergenceError` (db-tx, `E_TX_CONFLICT`)',
      new ReplayDivergenceError(0, sql.sql),
    ],
    [
      '`ConstraintViolationError` (resilience, `E_CONSTRAINT`)',
      new ConstraintViolationError(
        'Constraint Error: Duplicate key "usage_type: chat_deep, priority: 1" violates primary key constraint.',
        { ...sql, kind: 'primary_key' },
      ),
    ],
    [
      '`CircuitOpenError` (resilience, `E_CIRCUIT_OPEN`), breaker `duckdb`',
      new CircuitOpenError('duckdb', 7_500),
    ],
    [
      '`PoolAcquireTimeoutError` (db-pool, `E_POOL_ACQUIRE_TIMEOUT`)',
      new PoolAcquireTimeoutError(10_000, 3, 4),
    ],
    [
      '`PoolQueueFullError` (db-pool, `E_POOL_QUEUE_FULL`)',
      new PoolQueueFullError(1000),
    ],
    ['`PoolClosedError` (db-pool, `E_POOL_CLOSED`)', new PoolClosedError()],
    [
      '`PoolDownError` (db-pool, `E_POOL_DOWN`): the database was invalidated',
      new PoolDownError(new FatalDatabaseError('FATAL Error: invalidated')),
    ],
    [
      '`TransactionManagerClosedError` (db-tx, `E_TX_MANAGER_CLOSED`)',
      new TransactionManagerClosedError(),
    ],
    [
      '`TransactionTimeoutError` (db-tx, `E_TX_TIMEOUT`)',
      new TransactionTimeoutError(60_000, 'max-age'),
    ],
    [
      '`QueryTimeoutError` (resilience, `E_QUERY_TIMEOUT`)',
      new QueryTimeoutError('Query timed out after 30000 ms', {
        ...sql,
        timeoutMs: 30_000,
      }),
    ],
    [
      '`IoError` (resilience, `E_IO`)',
      new IoError('IO Error: Could not read from file "db.duckdb"', sql),
    ],
    [
      '`ConnectionError` (resilience, `E_DB_CONNECTION`)',
      new ConnectionError('Connection Error: connection disconnected', sql),
    ],
    [
      '`OutOfMemoryError` (resilience, `E_OUT_OF_MEMORY`)',
      new OutOfMemoryError('Out of Memory Error: failed to allocate', sql),
    ],
    [
      '`FatalDatabaseError` (resilience, `E_DB_FATAL`), the call that invalidated the database',
      new FatalDatabaseError(
        'FATAL Error: Failed to create checkpoint because of error: Could not write file "db.duckdb": No space left on device',
      ),
    ],
    [
      '`TransactionAbortedError` (resilience, `E_TX_ABORTED`)',
      new TransactionAbortedError(
        'TransactionContext Error: Current transaction is aborted (please ROLLBACK)',
      ),
    ],
    [
      '`SqlSyntaxError`, `CatalogError`, `DataError` (resilience)',
      new SqlSyntaxError('Parser Error: syntax error at or near "SELEC"', sql),
    ],
    [
      '`InterruptedError` (resilience, `E_INTERRUPTED`)',
      new InterruptedError('INTERRUPT Error: Interrupted!', sql),
    ],
    [
      '`SchemaTooNewError` (model-config, `E_SCHEMA_TOO_NEW`)',
      new SchemaTooNewError(3, 1),
    ],
    ['any other error', new Error('unexpected')],
  ]
}

/** Maps each of {@link packageErrors} through the service's error mapping. */
export function packageErrorRows(): ErrorRow[] {
  return packageErrors().map(([source, error]) => {
    const spec = mapError(error)
    return {
      source,
      status: spec.status,
      code: spec.code,
      title: spec.title,
      ...(spec.retryAfterSeconds === undefined
        ? {}
        : { retryAfter: String(spec.retryAfterSeconds) }),
    }
  })
}

/** Checks that the catalog, data and syntax errors share their row's answer. */
export function sameAnswerAsSyntaxError(): boolean {
  const sql = { sql: 'SELECT 1' }
  const answers = [
    new SqlSyntaxError('Parser Error: x', sql),
    new CatalogError('Catalog Error: x', sql),
    new DataError('Conversion Error: x', sql),
  ].map((error) => `${mapError(error).status} ${mapError(error).code}`)
  return new Set(answers).size === 1
}

/** GitHub's heading anchor of a heading text (as github-slugger computes it). */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

const cell = (text: string): string => text.replaceAll('|', '\\|')
const code = (text: string): string => `\`${cell(text)}\``

/** The type of a schema in a few words, with links to the shared schemas. */
function typeOf(schema: Schema): string {
  if (schema.$ref !== undefined) {
    const name = schema.$ref.split('/').at(-1) ?? schema.$ref
    return `[${name}](#${slug(name)})`
  }
  if (schema.enum !== undefined) {
    return schema.enum.map((value) => code(JSON.stringify(value))).join(', ')
  }
  if (schema.anyOf !== undefined) return schema.anyOf.map(typeOf).join(' or ')
  const types = Array.isArray(schema.type)
    ? (schema.type as readonly string[])
    : [schema.type ?? 'any']
  const extra = schema.additionalProperties
  return types
    .map((type) =>
      type === 'array' && schema.items !== undefined
        ? `array of ${typeOf(schema.items)}`
        : type === 'object' && typeof extra === 'object'
          ? `object of ${typeOf(extra)}`
          : type,
    )
    .join(' or ')
}

/** Constraints of a schema, as a short list. */
function constraints(schema: Schema): string {
  const parts: string[] = []
  const range = (
    low: number | undefined,
    high: number | undefined,
    unit: string,
  ) => {
    if (low !== undefined && high !== undefined)
      parts.push(`${unit}${low}..${high}`)
    else if (low !== undefined) parts.push(`${unit}≥ ${low}`)
    else if (high !== undefined) parts.push(`${unit}≤ ${high}`)
  }
  range(schema.minimum, schema.maximum, '')
  range(schema.minLength, schema.maxLength, 'length ')
  range(schema.minItems, schema.maxItems, 'items ')
  if (schema.uniqueItems === true) parts.push('unique items')
  if (schema.pattern !== undefined)
    parts.push(`pattern ${code(schema.pattern)}`)
  if (schema.default !== undefined)
    parts.push(`default ${code(JSON.stringify(schema.default))}`)
  if (schema.additionalProperties === true) parts.push('any keys')
  return parts.join(', ')
}

/** Rows of a property table, descending into objects and arrays of objects. */
function propertyRows(schema: Schema, prefix = ''): string[] {
  const rows: string[] = []
  const required = new Set(schema.required ?? [])
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`
    rows.push(
      `| ${code(path)} | ${typeOf(property)} | ${required.has(name) ? 'yes' : ''} | ${constraints(property)} | ${cell(property.description ?? '')} |`,
    )
    if (property.properties !== undefined) {
      rows.push(...propertyRows(property, `${path}.`))
    } else if (property.items?.properties !== undefined) {
      rows.push(...propertyRows(property.items, `${path}[].`))
    }
  }
  return rows
}

function propertyTable(schema: Schema): string[] {
  if (schema.properties === undefined) return []
  return [
    '| field | type | required | constraints | description |',
    '| --- | --- | --- | --- | --- |',
    ...propertyRows(schema),
  ]
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const

/** Every operation, in the document's path order. */
function operations(document: OpenApiDocument) {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    METHODS.filter((method) => methods[method] !== undefined).map((method) => ({
      method: method.toUpperCase(),
      path,
      operation: methods[method] as Operation,
    })),
  )
}

function errorTable(rows: readonly ErrorRow[], first: string): string[] {
  return [
    `| ${first} | status | \`code\` | title | \`Retry-After\` |`,
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.source} | ${row.status} | ${code(row.code)} | ${cell(row.title)} | ${row.retryAfter ?? ''} |`,
    ),
  ]
}

/** Renders the HTTP API reference (markdown, formatted by Prettier). */
export async function renderHttpApi(input: {
  readonly document: OpenApiDocument
  readonly requestErrors: readonly ErrorRow[]
  readonly packageErrors: readonly ErrorRow[]
  /** Where the result will be written, for Prettier's configuration. */
  readonly file: string
}): Promise<string> {
  const { document } = input
  const ops = operations(document)
  const lines: string[] = [
    "<!-- Generated from the service's /openapi.json by tests/docs-examples (pnpm --filter @duckkit/docs-examples docs:update). Do not edit by hand. -->",
    '',
    '# HTTP API reference',
    '',
    `${document.info.title}, version ${document.info.version} (OpenAPI ${document.openapi}). ${document.info.description ?? ''}`,
    '',
    "This page is generated from the OpenAPI document the service serves at `/openapi.json` (browsable at `/docs`); a test fails when it is out of date. The error tables are generated too: from requests sent to the service and from the service's error mapping applied to each error class of the packages. Configuration, caching headers and deployment: [`apps/server/README.md`](../apps/server/README.md); what the health and statistics answers mean: [the runbook](runbook.md).",
    '',
    '## Authentication',
    '',
  ]
  for (const [name, scheme] of Object.entries(
    document.components.securitySchemes ?? {},
  )) {
    lines.push(
      `\`${name}\`: HTTP \`${scheme.scheme ?? ''}\` authentication, \`Authorization: Bearer <token>\` (the \`DUCKKIT_ADMIN_TOKEN\`). Operations that say "bearer token required" need it; a missing or wrong token is answered with 401 \`E_UNAUTHORIZED\`.`,
      '',
    )
  }
  lines.push('## Operations', '')
  for (const tag of document.tags ?? []) {
    const tagged = ops.filter((op) => op.operation.tags?.includes(tag.name))
    if (tagged.length === 0) continue
    lines.push(
      `- **${tag.name}** (${cell((tag.description ?? '').replace(/\.$/, ''))}): ${tagged
        .map(
          (op) =>
            `[${op.method} ${code(op.path)}](#${slug(`${op.method} ${op.path}`)})`,
        )
        .join(', ')}`,
    )
  }
  lines.push('')
  for (const { method, path, operation } of ops) {
    lines.push(`### ${method} ${path}`, '')
    lines.push(
      `${operation.summary ?? ''}. Operation \`${operation.operationId ?? ''}\`${
        operation.security !== undefined && operation.security.length > 0
          ? ', bearer token required'
          : ''
      }.`,
      '',
    )
    const parameters = operation.parameters ?? []
    if (parameters.length > 0) {
      lines.push(
        '| parameter | in | type | required | constraints |',
        '| --- | --- | --- | --- | --- |',
        ...parameters.map(
          (p) =>
            `| ${code(p.name)} | ${p.in} | ${typeOf(p.schema)} | ${p.required === true ? 'yes' : ''} | ${constraints(p.schema)} |`,
        ),
        '',
      )
    }
    for (const [type, { schema }] of Object.entries(
      operation.requestBody?.content ?? {},
    )) {
      lines.push(`Request body (\`${type}\`): ${typeOf(schema)}.`, '')
      const table = propertyTable(schema)
      if (table.length > 0) lines.push(...table, '')
    }
    lines.push('| status | content | body |', '| --- | --- | --- |')
    const bodies: string[] = []
    for (const [status, response] of Object.entries(operation.responses)) {
      const contents = Object.entries(response.content ?? {})
      const content = contents.map(([type]) => code(type)).join(', ')
      const body = contents.map(([, { schema }]) => typeOf(schema)).join(', ')
      const description =
        response.description === 'Default Response'
          ? ''
          : cell(response.description ?? '')
      lines.push(
        `| ${status} | ${content} | ${[description.replace(/\.$/, ''), body].filter((x) => x !== '').join(': ')} |`,
      )
      for (const [, { schema }] of contents) {
        const table = propertyTable(schema)
        if (table.length > 0 && !bodies.includes(table.join('\n'))) {
          bodies.push(table.join('\n'))
        }
      }
    }
    lines.push('')
    for (const table of bodies) lines.push('Response body:', '', table, '')
  }
  lines.push('## Schemas', '')
  for (const [name, schema] of Object.entries(document.components.schemas)) {
    lines.push(`### ${name}`, '', cell(schema.description ?? ''), '')
    lines.push(...propertyTable(schema), '')
  }
  lines.push(
    '## Error codes',
    '',
    'Every error answer is `application/problem+json` ([RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)): `type` (`urn:duckkit:problem:<code>`), `title`, `status`, `detail`, `instance` (the path), `code`, `requestId` (also in the `x-request-id` header and the log line), `errors` (400 validation only: `field`, `in`, `rule`, `message` per field) and `retryAfterSeconds` (503 only, also in `Retry-After`). Clients branch on `code`, never on `title` or `detail`.',
    '',
    '### Errors of the request',
    '',
    'Each row is a request sent to the service while this page was generated, with the answer it got.',
    '',
    ...errorTable(input.requestErrors, 'request'),
    '',
    '### Errors of the packages',
    '',
    "Each row is an error class of a DuckKit package passed through the service's error mapping (`apps/server/src/error-mapping.ts`). The own code of the package (in parentheses) appears in logs and `cause` chains, never in HTTP answers. `SqlSyntaxError`, `CatalogError` and `DataError` share one row.",
    '',
    ...errorTable(input.packageErrors, 'error raised below the route'),
    '',
    'Requests refused by the HTTP parser itself (a malformed request line, headers over the size limit, a request that does not arrive in time, an HTTP/1.1 request without `Host`) are answered 400, 431 or 408 with `E_BAD_REQUEST` and the connection is closed.',
    '',
  )
  const options = (await resolveConfig(input.file)) ?? {}
  return format(lines.join('\n'), { ...options, parser: 'markdown' })
}
