import { MAX_CHAIN_LENGTH, MAX_PRIORITY } from '@duckkit/model-config'

/** A usage type or provider name, as model-config accepts it. */
const slug = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
} as const

const label = { type: 'string', minLength: 1, maxLength: 256 } as const

const parameters = {
  type: 'object',
  description:
    'Parameters sent to the provider (temperature 0..2, top_p 0..1, max_tokens >= 1, any other JSON values).',
  additionalProperties: true,
} as const

/** JSON schema of a stored model configuration, registered as `ModelConfig`. */
export const modelConfigSchema = {
  $id: 'ModelConfig',
  type: 'object',
  description: 'Which model serves a usage type at one priority.',
  additionalProperties: false,
  required: [
    'usageType',
    'priority',
    'modelId',
    'modelName',
    'provider',
    'parameters',
    'enabled',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    usageType: {
      ...slug,
      description: 'What the model is used for, such as chat_deep.',
    },
    priority: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_PRIORITY,
      description: '1 is the first choice.',
    },
    modelId: { ...label, description: "The provider's model identifier." },
    modelName: { ...label, description: 'Human-readable model name.' },
    provider: {
      ...slug,
      description: 'Who serves the model, such as openrouter.',
    },
    parameters,
    enabled: { type: 'boolean' },
    createdAt: { type: 'string', description: 'ISO 8601 time, UTC.' },
    updatedAt: { type: 'string', description: 'ISO 8601 time, UTC.' },
  },
} as const

/** Body of `PUT /v1/model-configs/{usageType}/{priority}` and one entry of a chain. */
export const modelConfigBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['modelId', 'modelName', 'provider'],
  properties: {
    modelId: label,
    modelName: label,
    provider: slug,
    parameters,
    enabled: { type: 'boolean', default: true },
  },
} as const

/** Body of `PUT /v1/model-configs/{usageType}` (replace a chain). */
export const chainBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['entries'],
  properties: {
    entries: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_CHAIN_LENGTH,
      description: 'The new chain; entry i gets priority i + 1.',
      items: modelConfigBodySchema,
    },
  },
} as const

/** Body of `POST /v1/model-configs/{usageType}/reorder`. */
export const reorderBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['order'],
  properties: {
    order: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_CHAIN_LENGTH,
      description:
        'Every current priority once; the configuration at order[i] moves to priority i + 1.',
      items: { type: 'integer', minimum: 1, maximum: MAX_PRIORITY },
    },
  },
} as const

/** Path parameters `{usageType}`. */
export const usageTypeParams = {
  type: 'object',
  additionalProperties: false,
  required: ['usageType'],
  properties: { usageType: slug },
} as const

/** Path parameters `{usageType}/{priority}`. */
export const usageTypePriorityParams = {
  type: 'object',
  additionalProperties: false,
  required: ['usageType', 'priority'],
  properties: {
    usageType: slug,
    priority: { type: 'integer', minimum: 1, maximum: MAX_PRIORITY },
  },
} as const

/** Path parameters `{provider}`. */
export const providerParams = {
  type: 'object',
  additionalProperties: false,
  required: ['provider'],
  properties: { provider: slug },
} as const

/** A list of stored configurations. */
export const modelConfigList = {
  type: 'array',
  items: { $ref: 'ModelConfig#' },
} as const
