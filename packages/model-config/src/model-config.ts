/** A JSON value, as stored in a configuration's `parameters`. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue }

/** Model parameters passed to the provider, such as `temperature` or `max_tokens`. */
export type ModelParameters = { readonly [key: string]: JsonValue }

/** Which model serves a usage type at one priority, as stored. */
export interface ModelConfig {
  /** What the model is used for, such as `'chat_deep'` or `'embedding'`. */
  readonly usageType: string
  /** Position in the usage type's fallback chain; 1 is the first choice. */
  readonly priority: number
  /** The provider's model identifier, such as `'openrouter/auto'`. */
  readonly modelId: string
  /** Human-readable model name. */
  readonly modelName: string
  /** Who serves the model, such as `'openrouter'`, `'ollama'` or `'openai'`. */
  readonly provider: string
  /** Parameters sent with each request to the model. */
  readonly parameters: ModelParameters
  /** Whether the configuration takes part in the chain. */
  readonly enabled: boolean
  /** When the configuration was created (ISO 8601, UTC, millisecond precision). */
  readonly createdAt: string
  /** When the configuration last changed (ISO 8601, UTC, millisecond precision). */
  readonly updatedAt: string
}

/** The input of `upsertConfig`: one configuration, keyed by `(usageType, priority)`. */
export interface ModelConfigInput {
  /** What the model is used for. */
  readonly usageType: string
  /** Position in the chain, an integer from 1. */
  readonly priority: number
  /** The provider's model identifier. */
  readonly modelId: string
  /** Human-readable model name. */
  readonly modelName: string
  /** Who serves the model. */
  readonly provider: string
  /** Parameters sent with each request. @defaultValue `{}` */
  readonly parameters?: ModelParameters | undefined
  /** Whether the configuration takes part in the chain. @defaultValue `true` */
  readonly enabled?: boolean | undefined
  /** Ignored, so a configuration read from the service can be passed back. */
  readonly createdAt?: string | undefined
  /** Ignored, so a configuration read from the service can be passed back. */
  readonly updatedAt?: string | undefined
}

/** One entry of a chain given to `replaceChain`; its priority is its position (from 1). */
export interface ChainEntryInput {
  /** The provider's model identifier. */
  readonly modelId: string
  /** Human-readable model name. */
  readonly modelName: string
  /** Who serves the model. */
  readonly provider: string
  /** Parameters sent with each request. @defaultValue `{}` */
  readonly parameters?: ModelParameters | undefined
  /** Whether the entry takes part in the chain. @defaultValue `true` */
  readonly enabled?: boolean | undefined
}

/** A validated configuration with every default filled in, as the repository writes it. */
export interface NewModelConfig {
  /** What the model is used for. */
  readonly usageType: string
  /** Position in the chain. */
  readonly priority: number
  /** The provider's model identifier. */
  readonly modelId: string
  /** Human-readable model name. */
  readonly modelName: string
  /** Who serves the model. */
  readonly provider: string
  /** Parameters sent with each request. */
  readonly parameters: ModelParameters
  /** Whether the configuration takes part in the chain. */
  readonly enabled: boolean
}

/** A validated chain entry with every default filled in. */
export type NewChainEntry = Omit<NewModelConfig, 'usageType' | 'priority'>

/** Configurations keyed by usage type, each list ordered by priority. */
export type GroupedModelConfigs = {
  readonly [usageType: string]: readonly ModelConfig[]
}
