import fc from 'fast-check'
import { badSlug, slug } from './hostile-parts.js'

/** A placeholder for `depth` nested objects, expanded by {@link toJson} (a real one would overflow `JSON.stringify`). */
function deep(depth: number): string {
  return `__DEEP_${depth}__`
}

/** `JSON.stringify`, with every {@link deep} placeholder expanded to its nesting. */
export function toJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /"__DEEP_(\d+)__"/g,
    (_match, depth: string) =>
      `${'{"a":'.repeat(Number(depth))}1${'}'.repeat(Number(depth))}`,
  )
}

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
/** A configuration body that passes every rule. */
export const validEntry = fc.record({
  modelId: text.filter((s) => s.trim() !== '' && !/\p{Cc}/u.test(s)),
  modelName: text.filter((s) => s.trim() !== '' && !/\p{Cc}/u.test(s)),
  provider: slug,
})

/** A mutation that makes a configuration body invalid (schema or model-config rules). */
const breakEntry = fc.oneof(
  fc
    .constantFrom('modelId', 'modelName', 'provider')
    .map((field) => (e: Record<string, unknown>) => {
      const { [field]: _gone, ...rest } = e
      return rest
    }),
  fc
    .tuple(
      fc.constantFrom(
        'modelId',
        'modelName',
        'provider',
        'enabled',
        'parameters',
      ),
      fc.constantFrom<unknown>(42, null, [], [1, 2], true, 'x', { a: 1 }, -1.5),
    )
    .filter(([field, value]) => {
      if (field === 'enabled') return typeof value !== 'boolean'
      if (field === 'parameters')
        return (
          typeof value !== 'object' || value === null || Array.isArray(value)
        )
      return typeof value !== 'string'
    })
    .map(([field, value]) => (e: Record<string, unknown>) => ({
      ...e,
      [field]: value,
    })),
  fc
    .tuple(fc.stringMatching(/^[a-zA-Z_]{1,12}$/), fc.jsonValue())
    .filter(
      ([key]) =>
        !['modelId', 'modelName', 'provider', 'parameters', 'enabled'].includes(
          key,
        ),
    )
    .map(([key, value]) => (e: Record<string, unknown>) => ({
      ...e,
      [key]: value,
    })),
  fc
    .tuple(
      fc.constantFrom('modelId', 'modelName'),
      fc.constantFrom(
        '',
        '   ',
        '\t',
        'x'.repeat(257),
        'a\u0001b',
        'line\nbreak',
      ),
    )
    .map(([field, value]) => (e: Record<string, unknown>) => ({
      ...e,
      [field]: value,
    })),
  badSlug.map((value) => (e: Record<string, unknown>) => ({
    ...e,
    provider: decodeURIComponent(value),
  })),
  fc
    .constantFrom<Record<string, unknown>>(
      { temperature: 2.5 },
      { temperature: -0.1 },
      { temperature: 'hot' },
      { temperature: null },
      { top_p: 1.01 },
      { top_p: -1 },
      { max_tokens: 0 },
      { max_tokens: 1.5 },
      { max_tokens: '100' },
      { big: 'x'.repeat(16_400) },
    )
    .map((parameters) => (e: Record<string, unknown>) => ({
      ...e,
      parameters,
    })),
  // Parameters nested deeper than allowed (64 levels), up to 100,000 levels
  // (600 kB, within the body limit), sometimes with another broken rule.
  fc
    .tuple(
      fc.oneof(
        fc.integer({ min: 65, max: 3000 }),
        fc.integer({ min: 3000, max: 100_000 }),
      ),
      fc.boolean(),
    )
    .map(([depth, hot]) => (e: Record<string, unknown>) => ({
      ...e,
      parameters: { ...(hot ? { temperature: 5 } : {}), nested: deep(depth) },
    })),
)

/** A configuration body with one to three broken rules. */
export const invalidEntry = fc
  .tuple(validEntry, fc.array(breakEntry, { minLength: 1, maxLength: 3 }))
  .map(([entry, breaks]) =>
    breaks.reduce<Record<string, unknown>>((e, f) => f(e), { ...entry }),
  )

/** JSON text that does not parse, an empty body, or a `__proto__` key. */
export const brokenJson = fc.oneof(
  fc
    .json()
    .chain((json) =>
      json.length < 2
        ? fc.constant('{')
        : fc
            .integer({ min: 1, max: json.length - 1 })
            .map((cut) => json.slice(0, cut)),
    ),
  fc.constantFrom(
    '',
    '{',
    '{"modelId":',
    "{'modelId':'x'}",
    '{"modelId":"x",}',
    'undefined',
    'NaN',
    '\u0000',
    '{"__proto__":{"admin":true},"modelId":"m","modelName":"M","provider":"p"}',
    '{"modelId":"m","modelName":"M","provider":"p","parameters":{"constructor":{"prototype":{"x":1}},"__proto__":{"y":1}}}',
  ),
  fc
    .string({ unit: 'binary', minLength: 1, maxLength: 60 })
    .map((s) => `{${s}`),
)
