import { createHash } from 'node:crypto'

/**
 * A compact digest of what a statement returned, used to check that a replayed
 * statement returns the same as the first time: the rows of a query (values in
 * column order) or the changed-row count of a write.
 */
export function fingerprint(result: readonly unknown[] | number): string {
  if (typeof result === 'number') return `n:${result}`
  const hash = createHash('sha1')
  hash.update(`r:${result.length}:`)
  for (const row of result) hash.update(serialize(row))
  return hash.digest('base64')
}

function serialize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'bigint':
      return `${value}n`
    case 'boolean':
      return value ? 'T' : 'F'
    case 'undefined':
      return 'U'
    case 'object':
      return serializeObject(value)
    default:
      return `?${typeof value}`
  }
}

function serializeObject(value: object | null): string {
  if (value === null) return 'N'
  if (value instanceof Date) return `D${value.getTime()}`
  if (ArrayBuffer.isView(value)) {
    return `B${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`
  }
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`
  if (value instanceof Map) {
    return `M{${[...value].map(([k, v]) => `${serialize(k)}:${serialize(v)}`).join(',')}}`
  }
  const text = (value as { toString?: () => string }).toString
  if (typeof text === 'function' && text !== Object.prototype.toString) {
    return `S${JSON.stringify(text.call(value))}`
  }
  const entries = Object.entries(value).map(
    ([k, v]) => `${JSON.stringify(k)}:${serialize(v)}`,
  )
  return `{${entries.join(',')}}`
}
