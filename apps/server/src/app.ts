import { randomUUID } from 'node:crypto'
import { type Server } from 'node:http'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { Ajv } from 'ajv'
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyHttpOptions,
} from 'fastify'
import { type Logger } from 'pino'
import { bearerAuth } from './auth.js'
import { ChaosControl } from './chaos-control.js'
import { mapError } from './error-mapping.js'
import { etagHook } from './etag.js'
import { ServiceMetrics } from './metrics.js'
import { RequestLogController } from './request-logging.js'
import { problemSchema, sendProblem } from './problem.js'
import {
  clientErrorHandler,
  drainRefusedBody,
  frameworkErrors,
  requireHostHeader,
} from './protocol-errors.js'
import { adminChaosRoutes } from './routes/admin-chaos.js'
import { dashboardRoute } from './routes/dashboard.js'
import { healthRoutes, type Lifecycle } from './routes/health.js'
import { metricsRoute } from './routes/metrics.js'
import { modelConfigRoutes } from './routes/model-configs.js'
import { statsRoutes } from './routes/stats.js'
import { modelConfigSchema } from './schemas.js'
import { type Services } from './services.js'

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** The started DuckKit services. */
  readonly services: Services
  /** Bearer token that authorizes writes. */
  readonly adminToken: string
  /** Whether `/admin/chaos` is registered. @default false */
  readonly chaos?: boolean
  /** Largest request body in bytes. @default 1048576 */
  readonly bodyLimitBytes?: number
  /** Logger (pino); request logs carry `requestId`. @default a silent logger */
  readonly logger?: Logger
  /** Shared with the shutdown logic: readiness answers 503 once `shuttingDown` is set. @default a fresh one */
  readonly lifecycle?: Lifecycle
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Builds the Fastify application over started services: the `/v1` API,
 * health, statistics, metrics, OpenAPI, docs, dashboard and (optionally)
 * chaos administration. It does not listen; call `listen` or `inject`.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { services } = options
  const lifecycle = options.lifecycle ?? { shuttingDown: false }
  const fastifyOptions: FastifyHttpOptions<Server> = {
    bodyLimit: options.bodyLimitBytes ?? 1_048_576,
    genReqId: (request) => {
      const given = request.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given)
        ? given
        : randomUUID()
    },
    logController: new RequestLogController(),
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Protocol errors are problem documents too (see protocol-errors.ts).
    clientErrorHandler,
    frameworkErrors,
    http: { requireHostHeader: false },
  }
  const app = Fastify(
    options.logger === undefined
      ? fastifyOptions
      : { ...fastifyOptions, loggerInstance: options.logger },
  ) as unknown as FastifyInstance

  // Bodies are validated strictly (no coercion, no removal of unknown fields);
  // path and query parameters are strings on the wire, so they are coerced.
  const strict = new Ajv({
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: false,
  })
  const coercing = new Ajv({
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: true,
  })
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema),
  )

  app.addSchema(problemSchema)
  app.addSchema(modelConfigSchema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'DuckKit model-config service',
        version: '1.0.0',
        description:
          'Model configurations over DuckDB with health, statistics, metrics and a live dashboard. Writes need `Authorization: Bearer <token>`; errors are application/problem+json (RFC 9457) with a stable `code`.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      },
      tags: [
        { name: 'model-configs', description: 'Model configurations (/v1).' },
        {
          name: 'health',
          description: 'Liveness, readiness and dependencies.',
        },
        {
          name: 'statistics',
          description: 'Statistics and Prometheus metrics.',
        },
        { name: 'admin', description: 'Fault injection (DUCKKIT_CHAOS=1).' },
        { name: 'dashboard', description: 'The live dashboard.' },
      ],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null, deepLinking: true },
  })

  const chaos = new ChaosControl(services.chaos)
  const metrics = new ServiceMetrics(services, chaos)
  const authorize = bearerAuth(options.adminToken)

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })
  app.addHook('onRequest', requireHostHeader)
  app.addHook('onSend', etagHook)
  app.addHook('onSend', drainRefusedBody)
  app.addHook('onSend', async (_request, reply, payload) => {
    // During shutdown, answers close their connection so the server can finish closing.
    if (lifecycle.shuttingDown) reply.header('connection', 'close')
    return payload
  })
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? '(unmatched)',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    )
    done()
  })
  app.addHook('onClose', (_instance, done) => {
    metrics.close()
    done()
  })

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const spec = mapError(error)
    if (spec.status >= 500)
      request.log.error({ err: error, code: spec.code }, 'request failed')
    else
      request.log.info(
        { code: spec.code, detail: spec.detail },
        'request refused',
      )
    sendProblem(request, reply, spec)
  })
  app.setNotFoundHandler((request, reply) => {
    sendProblem(request, reply, {
      status: 404,
      code: 'E_ROUTE_NOT_FOUND',
      title: 'Not found',
      detail: `No route ${request.method} ${request.url.split('?')[0] ?? ''}`,
    })
  })

  modelConfigRoutes(app, services, authorize)
  healthRoutes(app, services, lifecycle)
  statsRoutes(app, services, chaos)
  metricsRoute(app, metrics)
  dashboardRoute(app)
  if (options.chaos === true) adminChaosRoutes(app, chaos, authorize)
  app.get(
    '/openapi.json',
    {
      schema: {
        operationId: 'openapi',
        summary: 'This API as an OpenAPI 3.1 document',
        tags: ['statistics'],
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    () => app.swagger(),
  )
  return app
}
