import { CHAOS_KINDS } from '@duckkit/resilience'
import { type FastifyInstance, type onRequestHookHandler } from 'fastify'
import { BEARER_SECURITY } from '../auth.js'
import { type ChaosControl, type ChaosRequest } from '../chaos-control.js'
import { problemResponses } from '../problem.js'

const TAGS = ['admin']

const stateSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['enabled', 'injected', 'settings', 'until'],
  properties: {
    enabled: { type: 'boolean' },
    seed: { type: 'integer' },
    checks: { type: 'integer' },
    injected: { type: 'integer' },
    byKind: { type: 'object', additionalProperties: { type: 'integer' } },
    settings: { type: ['object', 'null'], additionalProperties: true },
    until: { type: ['string', 'null'] },
  },
} as const

const bodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rate', 'kinds', 'durationMs'],
  properties: {
    rate: { type: 'number', minimum: 0, maximum: 1 },
    kinds: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', enum: [...CHAOS_KINDS] },
    },
    latencyMs: {
      anyOf: [
        { type: 'number', minimum: 0, maximum: 60_000 },
        {
          type: 'array',
          minItems: 2,
          maxItems: 2,
          items: { type: 'number', minimum: 0, maximum: 60_000 },
        },
      ],
    },
    durationMs: { type: 'integer', minimum: 1, maximum: 3_600_000 },
    seed: { type: 'integer', minimum: 0, maximum: 4_294_967_295 },
  },
} as const

/** Registers `GET`, `POST` and `DELETE /admin/chaos` (only when chaos is enabled by configuration). */
export function adminChaosRoutes(
  app: FastifyInstance,
  chaos: ChaosControl,
  authorize: onRequestHookHandler,
): void {
  app.get(
    '/admin/chaos',
    {
      onRequest: authorize,
      schema: {
        operationId: 'getChaos',
        summary: 'Fault injection: whether it is on, its settings and counters',
        tags: TAGS,
        security: BEARER_SECURITY,
        response: { 200: stateSchema, ...problemResponses(401) },
      },
    },
    (_request, reply) =>
      reply.header('cache-control', 'no-store').send(chaos.state()),
  )
  app.post<{ Body: ChaosRequest }>(
    '/admin/chaos',
    {
      onRequest: authorize,
      schema: {
        operationId: 'enableChaos',
        summary:
          'Turn fault injection on for a duration, with a rate and kinds',
        tags: TAGS,
        security: BEARER_SECURITY,
        body: bodySchema,
        response: { 200: stateSchema, ...problemResponses(400, 401, 413, 415) },
      },
    },
    (request) => {
      const { latencyMs } = request.body
      if (Array.isArray(latencyMs) && latencyMs[0] > latencyMs[1]) {
        throw Object.assign(new Error('latencyMs: min must not exceed max'), {
          validation: [
            {
              instancePath: '/latencyMs',
              keyword: 'range',
              message: 'min must not exceed max',
              params: {},
            },
          ],
          validationContext: 'body',
        })
      }
      return chaos.enable(request.body)
    },
  )
  app.delete(
    '/admin/chaos',
    {
      onRequest: authorize,
      schema: {
        operationId: 'disableChaos',
        summary: 'Turn fault injection off',
        tags: TAGS,
        security: BEARER_SECURITY,
        response: { 200: stateSchema, ...problemResponses(401) },
      },
    },
    () => chaos.disable(),
  )
}
