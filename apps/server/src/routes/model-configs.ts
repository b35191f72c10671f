import {
  type ChainEntryInput,
  ModelConfigNotFoundError,
  type ModelParameters,
} from '@duckkit/model-config'
import { type FastifyInstance, type onRequestHookHandler } from 'fastify'
import { BEARER_SECURITY } from '../auth.js'
import { DATABASE_BREAKER } from '../container.js'
import { problemResponses } from '../problem.js'
import {
  chainBodySchema,
  modelConfigBodySchema,
  modelConfigList,
  providerParams,
  reorderBodySchema,
  usageTypeParams,
  usageTypePriorityParams,
} from '../schemas.js'
import { type Services } from '../services.js'

/** Body of an upsert, as the schema lets it through. */
interface ConfigBody {
  readonly modelId: string
  readonly modelName: string
  readonly provider: string
  readonly parameters?: ModelParameters
  readonly enabled?: boolean
}

type UsageParams = { usageType: string }
type PriorityParams = { usageType: string; priority: number }

const TAGS = ['model-configs']

/**
 * Registers the `/v1` model-configuration API; `authorize` guards every
 * write. Writes run through the database breaker, so once it opened they fail
 * fast with 503; reads do not, so cached answers keep flowing while it is open.
 */
export function modelConfigRoutes(
  app: FastifyInstance,
  services: Pick<Services, 'modelConfigService' | 'breakers'>,
  authorize: onRequestHookHandler,
): void {
  const models = services.modelConfigService
  const breaker = services.breakers.get(DATABASE_BREAKER)
  const write = <T>(fn: () => Promise<T>): Promise<T> => breaker.execute(fn)
  const readErrors = problemResponses(400, 503)
  const writeErrors = problemResponses(400, 401, 409, 413, 415, 503)

  app.get(
    '/v1/model-configs',
    {
      schema: {
        operationId: 'listModelConfigs',
        summary: 'Every configuration, ordered by usage type and priority',
        tags: TAGS,
        response: { 200: modelConfigList, ...problemResponses(503) },
      },
    },
    () => models.getAllConfigs(),
  )

  app.get(
    '/v1/usage-types',
    {
      schema: {
        operationId: 'listModelConfigsGrouped',
        summary:
          'Every configuration grouped by usage type, each chain in priority order',
        tags: TAGS,
        response: {
          200: {
            type: 'object',
            description: 'Usage type to its configurations.',
            additionalProperties: modelConfigList,
          },
          ...problemResponses(503),
        },
      },
    },
    () => models.getAllConfigsGrouped(),
  )

  app.get<{ Params: { provider: string } }>(
    '/v1/providers/:provider/models',
    {
      schema: {
        operationId: 'listAvailableModels',
        summary:
          "Distinct model ids of a provider's enabled configurations, sorted",
        tags: TAGS,
        params: providerParams,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['provider', 'models'],
            properties: {
              provider: { type: 'string' },
              models: { type: 'array', items: { type: 'string' } },
            },
          },
          ...readErrors,
        },
      },
    },
    async (request) => ({
      provider: request.params.provider,
      models: await models.getAvailableModels(request.params.provider),
    }),
  )

  app.post(
    '/v1/model-configs/reset',
    {
      onRequest: authorize,
      schema: {
        operationId: 'resetModelConfigs',
        summary:
          'Delete every configuration and seed the defaults, in one transaction',
        tags: TAGS,
        security: BEARER_SECURITY,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['seeded'],
            properties: {
              seeded: {
                type: 'integer',
                description: 'Configurations seeded.',
              },
            },
          },
          ...problemResponses(401, 503),
        },
      },
    },
    async () => ({ seeded: await write(() => models.resetToDefaults()) }),
  )

  app.get<{ Params: UsageParams }>(
    '/v1/model-configs/:usageType',
    {
      schema: {
        operationId: 'getUsageTypeConfigs',
        summary:
          'Every configuration of a usage type in priority order, disabled ones included',
        tags: TAGS,
        params: usageTypeParams,
        response: { 200: modelConfigList, ...readErrors },
      },
    },
    (request) => models.getConfigsForUsage(request.params.usageType),
  )

  app.put<{
    Params: UsageParams
    Body: { entries: readonly ChainEntryInput[] }
  }>(
    '/v1/model-configs/:usageType',
    {
      onRequest: authorize,
      schema: {
        operationId: 'replaceChain',
        summary:
          "Replace a usage type's whole chain (entry i becomes priority i + 1)",
        tags: TAGS,
        security: BEARER_SECURITY,
        params: usageTypeParams,
        body: chainBodySchema,
        response: { 200: modelConfigList, ...writeErrors },
      },
    },
    (request) =>
      write(() =>
        models.replaceChain(request.params.usageType, request.body.entries),
      ),
  )

  app.get<{ Params: UsageParams }>(
    '/v1/model-configs/:usageType/active',
    {
      schema: {
        operationId: 'getActiveModel',
        summary: 'The first enabled configuration of a usage type',
        tags: TAGS,
        params: usageTypeParams,
        response: {
          200: { $ref: 'ModelConfig#' },
          ...problemResponses(400, 404, 503),
        },
      },
    },
    (request) => models.getActiveModel(request.params.usageType),
  )

  app.get<{ Params: UsageParams }>(
    '/v1/model-configs/:usageType/fallback-chain',
    {
      schema: {
        operationId: 'getFallbackChain',
        summary: 'The enabled configurations of a usage type in priority order',
        tags: TAGS,
        params: usageTypeParams,
        response: { 200: modelConfigList, ...readErrors },
      },
    },
    (request) => models.getFallbackChain(request.params.usageType),
  )

  app.get<{ Params: UsageParams; Querystring: { modelId: string } }>(
    '/v1/model-configs/:usageType/validate',
    {
      schema: {
        operationId: 'validateModel',
        summary:
          'Whether an enabled configuration of the usage type serves a model',
        tags: TAGS,
        params: usageTypeParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['modelId'],
          properties: {
            modelId: { type: 'string', minLength: 1, maxLength: 256 },
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['usageType', 'modelId', 'valid'],
            properties: {
              usageType: { type: 'string' },
              modelId: { type: 'string' },
              valid: { type: 'boolean' },
            },
          },
          ...readErrors,
        },
      },
    },
    async (request) => ({
      usageType: request.params.usageType,
      modelId: request.query.modelId,
      valid: await models.validateModel(
        request.params.usageType,
        request.query.modelId,
      ),
    }),
  )

  app.post<{ Params: UsageParams; Body: { order: readonly number[] } }>(
    '/v1/model-configs/:usageType/reorder',
    {
      onRequest: authorize,
      schema: {
        operationId: 'reorderChain',
        summary:
          'Renumber a chain: the configuration at order[i] moves to priority i + 1',
        tags: TAGS,
        security: BEARER_SECURITY,
        params: usageTypeParams,
        body: reorderBodySchema,
        response: {
          200: modelConfigList,
          ...writeErrors,
          ...problemResponses(404),
        },
      },
    },
    (request) =>
      write(() =>
        models.reorderChain(request.params.usageType, request.body.order),
      ),
  )

  app.get<{ Params: PriorityParams }>(
    '/v1/model-configs/:usageType/:priority',
    {
      schema: {
        operationId: 'getModelConfig',
        summary: 'One configuration',
        tags: TAGS,
        params: usageTypePriorityParams,
        response: {
          200: { $ref: 'ModelConfig#' },
          ...problemResponses(400, 404, 503),
        },
      },
    },
    async (request) => {
      const { usageType, priority } = request.params
      const chain = await models.getConfigsForUsage(usageType)
      const found = chain.find((config) => config.priority === priority)
      if (found !== undefined) return found
      throw notFound(usageType, priority)
    },
  )

  app.put<{ Params: PriorityParams; Body: ConfigBody }>(
    '/v1/model-configs/:usageType/:priority',
    {
      onRequest: authorize,
      schema: {
        operationId: 'upsertModelConfig',
        summary: 'Create or replace the configuration at (usageType, priority)',
        tags: TAGS,
        security: BEARER_SECURITY,
        params: usageTypePriorityParams,
        body: modelConfigBodySchema,
        response: { 200: { $ref: 'ModelConfig#' }, ...writeErrors },
      },
    },
    (request) =>
      write(() =>
        models.upsertConfig({
          ...request.body,
          usageType: request.params.usageType,
          priority: request.params.priority,
        }),
      ),
  )

  app.delete<{ Params: PriorityParams }>(
    '/v1/model-configs/:usageType/:priority',
    {
      onRequest: authorize,
      schema: {
        operationId: 'deleteModelConfig',
        summary: 'Delete the configuration at (usageType, priority)',
        tags: TAGS,
        security: BEARER_SECURITY,
        params: usageTypePriorityParams,
        response: {
          204: { type: 'null', description: 'Deleted.' },
          ...problemResponses(400, 401, 404, 409, 503),
        },
      },
    },
    async (request, reply) => {
      const { usageType, priority } = request.params
      if (await write(() => models.deleteConfig(usageType, priority)))
        return reply.code(204).send()
      throw notFound(usageType, priority)
    },
  )
}

/** The error the error handler maps to 404 `E_NOT_FOUND`. */
function notFound(
  usageType: string,
  priority: number,
): ModelConfigNotFoundError {
  return new ModelConfigNotFoundError(
    usageType,
    `No configuration at usage type "${usageType}", priority ${priority}`,
  )
}
