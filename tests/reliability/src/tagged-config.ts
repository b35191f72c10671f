import { createHash } from 'node:crypto'
import { type ConfigBody } from './service-api.js'

/** Who wrote a configuration and in which of its writes. */
export interface WriteTag {
  /** The writer (a usage type or a client name). */
  readonly writer: string
  /** The writer's sequence number of the write, increasing. */
  readonly seq: number
}

/** The fields of a stored configuration that {@link decodeConfig} reads. */
export interface StoredFields {
  readonly modelId: string
  readonly modelName: string
  readonly provider: string
  readonly parameters: Readonly<Record<string, unknown>>
}

const PROVIDER = 'reliability'

function digest(writer: string, seq: number, slot: number): string {
  return createHash('sha256')
    .update(`${writer}/${seq}/${slot}`)
    .digest('hex')
    .slice(0, 16)
}

/**
 * The body of write `seq` of `writer` at `slot` (a priority or a chain
 * position): every field is derived from the tag, and a digest ties them
 * together, so a row whose fields come from different writes (torn) is
 * recognized. The padding varies in length so rows differ in size.
 */
export function taggedBody(writer: string, seq: number, slot = 0): ConfigBody {
  const check = digest(writer, seq, slot)
  return {
    modelId: `${writer}#${seq}`,
    modelName: `model ${writer} ${seq} ${check}`,
    provider: PROVIDER,
    parameters: {
      writer,
      seq,
      slot,
      check,
      temperature: (seq % 20) / 10,
      pad: 'x'.repeat((seq * 37) % 300),
    },
  }
}

/**
 * The tag of a configuration written by {@link taggedBody} at `slot`, or a
 * string saying why it is not one write's whole content (a torn row).
 */
export function decodeConfig(
  config: StoredFields,
  slot = 0,
): WriteTag | string {
  const { writer, seq } = config.parameters
  if (typeof writer !== 'string' || typeof seq !== 'number')
    return `no tag in ${JSON.stringify(config.parameters).slice(0, 200)}`
  const expected = taggedBody(writer, seq, slot)
  const same =
    config.modelId === expected.modelId &&
    config.modelName === expected.modelName &&
    config.provider === expected.provider &&
    canonical(config.parameters) === canonical(expected.parameters)
  return same
    ? { writer, seq }
    : `torn row: ${JSON.stringify(config).slice(0, 300)}`
}

/** Number of entries of chain write `seq` (1 to 5, so a partial chain shows). */
export function chainLength(seq: number): number {
  return 1 + (seq % 5)
}

/** JSON with object keys sorted (the store may reorder the keys of `parameters`). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  )
}
