import { type NewModelConfig } from './model-config.js'

/** The usage types the default seed covers. */
export const DEFAULT_USAGE_TYPES = [
  'chat_deep',
  'chat_semantic',
  'chat_text',
  'chat_graph',
  'chat_title',
  'embedding',
  'inference',
  'kg_edge_creation',
  'general_available_models',
] as const

function openRouterAuto(usageType: string): NewModelConfig {
  return {
    usageType,
    priority: 1,
    modelId: 'openrouter/auto',
    modelName: 'OpenRouter Auto',
    provider: 'openrouter',
    parameters: {},
    enabled: true,
  }
}

/**
 * What an empty store is seeded with: every default usage type served by
 * `openrouter/auto`, except embedding (`nomic-embed-text` on ollama) and
 * inference (`llama3.1:8b` on ollama).
 */
export const DEFAULT_MODEL_CONFIGS: readonly NewModelConfig[] = Object.freeze(
  DEFAULT_USAGE_TYPES.map((usageType): NewModelConfig => {
    if (usageType === 'embedding') {
      return {
        ...openRouterAuto(usageType),
        modelId: 'nomic-embed-text',
        modelName: 'Nomic Embed Text',
        provider: 'ollama',
      }
    }
    if (usageType === 'inference') {
      return {
        ...openRouterAuto(usageType),
        modelId: 'llama3.1:8b',
        modelName: 'Llama 3.1 8B',
        provider: 'ollama',
      }
    }
    return openRouterAuto(usageType)
  }).map((config) => Object.freeze(config)),
)
