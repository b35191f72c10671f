import { type FastifyInstance } from 'fastify'
import { type ServiceMetrics } from '../metrics.js'

/** Registers `/metrics` (Prometheus text format). */
export function metricsRoute(
  app: FastifyInstance,
  metrics: ServiceMetrics,
): void {
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'metrics',
        summary:
          'Prometheus metrics: pool, transactions, cache, breakers, HTTP, process',
        tags: ['statistics'],
        response: {
          200: {
            description: 'Prometheus text exposition format 0.0.4.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) => {
      const text = await metrics.render()
      return reply
        .type(metrics.contentType)
        .header('cache-control', 'no-store')
        .send(text)
    },
  )
}
