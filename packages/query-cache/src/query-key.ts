import { createHash } from 'node:crypto'
import { type QueryParams } from './types.js'

/** Parameter encodings longer than this are hashed to keep keys short. */
const MAX_INLINE = 128

/** A short, stable id of a normalised SQL text. */
export function sqlId(normalizedSql: string): string {
  return createHash('sha256')
    .update(normalizedSql)
    .digest('base64url')
    .slice(0, 22)
}

/** The cache key of a query: the SQL's id plus a stable encoding of its parameters. */
export function queryKey(id: string, params: QueryParams | undefined): string {
  if (params === undefined) return `q:${id}`
  const encoded = stable(params)
  const part =
    encoded.length <= MAX_INLINE
      ? encoded
      : `#${createHash('sha256').update(encoded).digest('base64url')}`
  return `q:${id}:${part}`
}

/** Encodes a parameter value so that equal values (and only those) encode equally. */
function stable(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'bigint':
      return `${value}n`
    case 'boolean':
      return value ? 'true' : 'false'
    case 'undefined':
      return 'undefined'
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`
      if (value instanceof Date) return `D${value.getTime()}`
      if (value instanceof Uint8Array) {
        return `B${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`
      }
      const record = value as Record<string, unknown>
      const keys = Object.keys(record).sort()
      return `{${keys.map((k) => `${JSON.stringify(k)}:${stable(record[k])}`).join(',')}}`
    }
    default:
      return String(value)
  }
}
