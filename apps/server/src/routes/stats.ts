import { type FastifyInstance } from 'fastify'
import { type ChaosControl } from '../chaos-control.js'
import { type Services } from '../services.js'

const TAGS = ['statistics']

const counters = (description: string, required: readonly string[]) =>
  ({
    type: 'object',
    description,
    additionalProperties: true,
    required,
    properties: Object.fromEntries(required.map((name) => [name, {}])),
  }) as const

/** Registers `/stats/pool`, `/stats/transactions`, `/stats/cache` and `/stats/resilience`. */
export function statsRoutes(
  app: FastifyInstance,
  services: Pick<
    Services,
    'pool' | 'transactionManager' | 'queryCache' | 'breakers'
  >,
  chaos: ChaosControl,
): void {
  const noStore = { 'cache-control': 'no-store' }
  app.get(
    '/stats/pool',
    {
      schema: {
        operationId: 'poolStats',
        summary:
          'Pool gauges, counters and acquire-wait percentiles (db-pool PoolStats)',
        tags: TAGS,
        response: {
          200: counters('db-pool PoolStats.', [
            'state',
            'size',
            'idle',
            'inUse',
            'waiting',
            'max',
            'acquired',
            'timeouts',
            'leaks',
            'acquireWaitMs',
          ]),
        },
      },
    },
    (_request, reply) => reply.headers(noStore).send(services.pool.stats()),
  )
  app.get(
    '/stats/transactions',
    {
      schema: {
        operationId: 'transactionStats',
        summary:
          'Transaction counters and duration percentiles (db-tx TransactionStats)',
        tags: TAGS,
        response: {
          200: counters('db-tx TransactionStats.', [
            'active',
            'started',
            'committed',
            'rolledBack',
            'retries',
            'conflicts',
            'replays',
            'durationMs',
          ]),
        },
      },
    },
    (_request, reply) =>
      reply.headers(noStore).send(services.transactionManager.stats()),
  )
  app.get(
    '/stats/cache',
    {
      schema: {
        operationId: 'cacheStats',
        summary:
          'Cache hits and misses per tier, invalidations, bus (query-cache QueryCacheStats)',
        tags: TAGS,
        response: {
          200: counters('query-cache QueryCacheStats.', [
            'l1',
            'l2',
            'hits',
            'misses',
            'hitRate',
            'invalidations',
            'bus',
          ]),
        },
      },
    },
    (_request, reply) =>
      reply.headers(noStore).send(services.queryCache.stats()),
  )
  app.get(
    '/stats/resilience',
    {
      schema: {
        operationId: 'resilienceStats',
        summary: 'Circuit breakers by name and the chaos injector',
        tags: TAGS,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['breakers', 'chaos'],
            properties: {
              breakers: {
                type: 'object',
                description: 'Breaker name to its CircuitBreakerStats.',
                additionalProperties: {
                  type: 'object',
                  additionalProperties: true,
                },
              },
              chaos: { type: 'object', additionalProperties: true },
            },
          },
        },
      },
    },
    (_request, reply) =>
      reply
        .headers(noStore)
        .send({ breakers: services.breakers.stats(), chaos: chaos.state() }),
  )
}
