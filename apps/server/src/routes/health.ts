import { type HealthStatus } from '@duckkit/db-pool'
import { type FastifyInstance, type FastifyReply } from 'fastify'
import { DATABASE_BREAKER } from '../container.js'
import { type Services } from '../services.js'

/** What the service tells health checks about its own lifecycle. */
export interface Lifecycle {
  /** True once shutdown began: readiness answers 503 so balancers stop sending. */
  shuttingDown: boolean
}

const TAGS = ['health']

const healthResponse = (
  description: string,
  extra: Record<string, unknown> = {},
) =>
  ({
    type: 'object',
    description,
    additionalProperties: false,
    required: ['status', 'reasons'],
    properties: {
      status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
      reasons: {
        type: 'array',
        items: { type: 'string' },
        description: 'Why the status is not ok.',
      },
      ...extra,
    },
  }) as const

const anyObject = { type: 'object', additionalProperties: true } as const

/** Registers `/health`, `/health/ready`, `/health/database` and `/health/cache`. */
export function healthRoutes(
  app: FastifyInstance,
  services: Pick<
    Services,
    'pool' | 'queryCache' | 'modelConfigService' | 'breakers'
  >,
  lifecycle: Lifecycle,
): void {
  const startedAt = Date.now()
  const responses = (schema: object) => ({ 200: schema, 503: schema })

  app.get(
    '/health',
    {
      schema: {
        operationId: 'liveness',
        summary: 'Liveness: the process answers',
        tags: TAGS,
        response: responses(
          healthResponse('Liveness.', { uptimeSeconds: { type: 'number' } }),
        ),
      },
    },
    (_request, reply) =>
      answer(reply, 'ok', [], {
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      }),
  )

  app.get(
    '/health/ready',
    {
      schema: {
        operationId: 'readiness',
        summary: 'Readiness: migrations done, pool healthy, not shutting down',
        tags: TAGS,
        response: responses(
          healthResponse('Readiness.', {
            schemaVersion: { type: 'integer' },
            pool: { type: 'string', enum: ['ok', 'degraded', 'down'] },
          }),
        ),
      },
    },
    async (_request, reply) => {
      const reasons: string[] = []
      const schemaVersion = services.modelConfigService.stats().schemaVersion
      const pool = await services.pool.health()
      let status: HealthStatus = pool.status
      reasons.push(...pool.reasons)
      if (schemaVersion === 0) {
        status = 'down'
        reasons.push('migrations have not run yet')
      }
      if (lifecycle.shuttingDown) {
        status = 'down'
        reasons.push('shutting down')
      }
      return answer(reply, status, reasons, {
        schemaVersion,
        pool: pool.status,
      })
    },
  )

  app.get(
    '/health/database',
    {
      schema: {
        operationId: 'databaseHealth',
        summary: 'Pool health, probe latency and breaker state',
        tags: TAGS,
        response: responses(
          healthResponse('Database health.', {
            latencyMs: {
              type: ['number', 'null'],
              description: 'Round trip of SELECT 1.',
            },
            breaker: {
              type: 'object',
              additionalProperties: false,
              required: ['state', 'retryAfterMs'],
              properties: {
                state: {
                  type: 'string',
                  enum: ['closed', 'open', 'half-open'],
                },
                retryAfterMs: { type: 'number' },
              },
            },
            pool: anyObject,
          }),
        ),
      },
    },
    async (_request, reply) => {
      const health = await services.pool.health()
      const breaker = services.breakers.get(DATABASE_BREAKER)
      const reasons = [...health.reasons]
      let status = health.status
      if (breaker.state !== 'closed') {
        reasons.push(`circuit breaker "${breaker.name}" is ${breaker.state}`)
        if (status === 'ok') status = 'degraded'
      }
      return answer(reply, status, reasons, {
        latencyMs:
          health.latencyMs === undefined ? null : round(health.latencyMs),
        breaker: { state: breaker.state, retryAfterMs: breaker.retryAfterMs() },
        pool: health.stats,
      })
    },
  )

  app.get(
    '/health/cache',
    {
      schema: {
        operationId: 'cacheHealth',
        summary: 'Cache tiers and invalidation bus',
        tags: TAGS,
        response: responses(
          healthResponse('Cache health.', { tiers: anyObject, bus: anyObject }),
        ),
      },
    },
    (_request, reply) => {
      const stats = services.queryCache.stats()
      const reasons: string[] = []
      if (stats.l2.enabled && stats.l2.breaker !== 'closed') {
        reasons.push(
          `Redis tier unavailable (breaker ${stats.l2.breaker}): serving from memory and the database`,
        )
      }
      if (stats.bus.enabled && !stats.bus.trusted) {
        reasons.push(
          'invalidation bus not in sync: the memory tier is bypassed',
        )
      }
      if (stats.bus.deferred) {
        reasons.push('invalidations wait for Redis: the cache is bypassed')
      }
      return answer(reply, reasons.length === 0 ? 'ok' : 'degraded', reasons, {
        tiers: {
          l1: stats.l1,
          l2: stats.l2,
        },
        bus: {
          enabled: stats.bus.enabled,
          trusted: stats.bus.trusted,
          deferred: stats.bus.deferred,
          gaps: stats.bus.gaps,
        },
      })
    },
  )
}

function answer(
  reply: FastifyReply,
  status: HealthStatus,
  reasons: readonly string[],
  extra: Record<string, unknown>,
): FastifyReply {
  return reply
    .code(status === 'down' ? 503 : 200)
    .header('cache-control', 'no-store')
    .send({ status, reasons, ...extra })
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
