import { z } from 'zod'

/** Longest serialised `parameters` object accepted, in characters. */
export const MAX_PARAMETERS_LENGTH = 16_384
/** Highest priority accepted. */
export const MAX_PRIORITY = 1000
/** Most entries a chain may hold. */
export const MAX_CHAIN_LENGTH = 100

const SLUG = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u

const slug = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, { error: `${what} must not be empty`, abort: true })
    .max(64, { error: `${what} must be at most 64 characters` })
    .regex(SLUG, {
      error: `${what} may hold only letters, digits and _ . : - (and must start with a letter or digit)`,
    })

const label = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(1, { error: `${what} must not be empty`, abort: true })
    .max(256, { error: `${what} must be at most 256 characters` })
    .regex(NO_CONTROL_CHARACTERS, {
      error: `${what} must not contain control characters`,
    })

/** A usage type name such as `chat_deep`. */
export const usageTypeSchema = slug('usageType')
/** A provider name such as `openrouter`. */
export const providerSchema = slug('provider')

/** A priority: an integer from 1 to {@link MAX_PRIORITY}. */
export const prioritySchema = z
  .int({ error: 'priority must be an integer' })
  .min(1, { error: 'priority must be at least 1' })
  .max(MAX_PRIORITY, { error: `priority must be at most ${MAX_PRIORITY}` })

const parametersSchema = z
  .looseObject({
    temperature: z
      .number({ error: 'temperature must be a number' })
      .min(0, { error: 'temperature must be at least 0' })
      .max(2, { error: 'temperature must be at most 2' })
      .optional(),
    top_p: z
      .number({ error: 'top_p must be a number' })
      .min(0, { error: 'top_p must be at least 0' })
      .max(1, { error: 'top_p must be at most 1' })
      .optional(),
    max_tokens: z
      .int({ error: 'max_tokens must be an integer' })
      .min(1, { error: 'max_tokens must be at least 1' })
      .optional(),
  })
  .catchall(z.json({ error: 'parameters values must be JSON values' }))
  .refine((value) => JSON.stringify(value).length <= MAX_PARAMETERS_LENGTH, {
    error: `parameters must serialise to at most ${MAX_PARAMETERS_LENGTH} characters`,
    params: { rule: 'too_big' },
  })

const entryShape = {
  modelId: label('modelId'),
  modelName: label('modelName'),
  provider: providerSchema,
  parameters: parametersSchema.optional().default({}),
  enabled: z
    .boolean({ error: 'enabled must be a boolean' })
    .optional()
    .default(true),
}

/** The input of `upsertConfig`; unknown keys are rejected, timestamps are ignored. */
export const modelConfigInputSchema = z.strictObject({
  usageType: usageTypeSchema,
  priority: prioritySchema,
  ...entryShape,
  createdAt: z.unknown().optional(),
  updatedAt: z.unknown().optional(),
})

/** One entry of `replaceChain`; unknown keys are rejected. */
const chainEntrySchema = z.strictObject(entryShape)

/** The entries of `replaceChain`: 1 to {@link MAX_CHAIN_LENGTH} of them. */
export const chainSchema = z
  .array(chainEntrySchema, { error: 'entries must be an array' })
  .min(1, { error: 'entries must hold at least one entry' })
  .max(MAX_CHAIN_LENGTH, {
    error: `entries must hold at most ${MAX_CHAIN_LENGTH} entries`,
  })

/** The new order of `reorderChain`: the chain's current priorities, each once. */
export const orderSchema = z
  .array(prioritySchema, { error: 'order must be an array of priorities' })
  .min(1, { error: 'order must hold at least one priority' })
  .max(MAX_CHAIN_LENGTH, {
    error: `order must hold at most ${MAX_CHAIN_LENGTH} priorities`,
  })
  .refine((order) => new Set(order).size === order.length, {
    error: 'order must not list a priority twice',
    params: { rule: 'unique' },
  })

/** The model id argument of `validateModel`. */
export const modelIdSchema = label('modelId')
