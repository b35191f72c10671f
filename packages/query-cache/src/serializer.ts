import { type Serializer } from './types.js'

/** Key that marks an encoded special value in the JSON form. */
const TAG = '$t'

/** Decodes any `Uint8Array` without wrapping it in a `Buffer` first (a BOM is kept, as `Buffer#toString` keeps it). */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/**
 * The default serializer: JSON with tagged values, so what DuckDB rows hold
 * in JavaScript form round-trips exactly: `bigint`, `Date`, `Buffer` /
 * `Uint8Array`, `NaN`, `±Infinity`, `-0`, `undefined`, `Map`, `Set`, nested
 * arrays and plain objects (structs). Instances of other classes are refused
 * with a `TypeError` (pass your own serializer for those).
 */
export const jsonSerializer: Serializer = {
  serialize(value: unknown): Uint8Array {
    return Buffer.from(JSON.stringify(encode(value, 0)), 'utf8')
  },
  deserialize(bytes: Uint8Array): unknown {
    return decode(JSON.parse(utf8.decode(bytes)) as Json)
  },
}

const MAX_DEPTH = 200

function encode(value: unknown, depth: number): Json {
  if (depth > MAX_DEPTH) throw new TypeError('value is nested too deeply')
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value
      return { [TAG]: 'n', v: Object.is(value, -0) ? '-0' : String(value) }
    case 'bigint':
      return { [TAG]: 'b', v: value.toString() }
    case 'undefined':
      return { [TAG]: 'u' }
    case 'object':
      return value === null ? null : encodeObject(value, depth)
    default:
      throw new TypeError(`cannot serialize a ${typeof value}`)
  }
}

function encodeObject(value: object, depth: number): Json {
  if (Array.isArray(value)) {
    const out: Json[] = new Array<Json>(value.length)
    for (let i = 0; i < value.length; i += 1) {
      out[i] = encode((value as unknown[])[i], depth + 1)
    }
    return out
  }
  if (value instanceof Date) return { [TAG]: 'd', v: String(value.getTime()) }
  if (value instanceof Uint8Array) {
    return {
      [TAG]: 'y',
      v: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString(
        'base64',
      ),
    }
  }
  if (value instanceof Map) {
    const entries: Json[] = []
    for (const [k, v] of value as Map<unknown, unknown>) {
      entries.push([encode(k, depth + 1), encode(v, depth + 1)])
    }
    return { [TAG]: 'm', v: entries }
  }
  if (value instanceof Set) {
    const items: Json[] = []
    for (const item of value as Set<unknown>)
      items.push(encode(item, depth + 1))
    return { [TAG]: 's', v: items }
  }
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) {
    const name =
      (value as { constructor?: { name?: string } }).constructor?.name ??
      'unknown'
    throw new TypeError(
      `cannot serialize an instance of ${name}; use plain values (getRowObjectsJS) or pass a serializer`,
    )
  }
  const out: { [key: string]: Json } = {}
  for (const key of Object.keys(value)) {
    put(out, key, encode((value as Record<string, unknown>)[key], depth + 1))
  }
  // A plain object that has the tag key itself is wrapped so it is not mistaken for a tag.
  return Object.hasOwn(out, TAG) ? { [TAG]: 'o', v: out } : out
}

/** Decodes the parsed JSON in place: only tagged values are replaced, so plain rows allocate nothing new. */
function decode(json: Json): unknown {
  if (json === null || typeof json !== 'object') return json
  if (Array.isArray(json)) {
    const items = json as unknown[]
    for (let i = 0; i < items.length; i += 1) {
      const item = items[i]
      if (item !== null && typeof item === 'object')
        items[i] = decode(item as Json)
    }
    return items
  }
  const tag = json[TAG]
  if (tag === undefined) return decodeFields(json)
  const v = json.v
  switch (tag) {
    case 'n':
      return v === '-0' ? -0 : Number(v)
    case 'b':
      return BigInt(v as string)
    case 'u':
      return undefined
    case 'd':
      return new Date(Number(v))
    case 'y':
      return Buffer.from(v as string, 'base64')
    case 'm':
      return new Map(
        (v as Json[][]).map(([k, val]) => [
          decode(k ?? null),
          decode(val ?? null),
        ]),
      )
    case 's':
      return new Set((v as Json[]).map(decode))
    case 'o':
      return decodeFields(v as { [key: string]: Json })
    default:
      throw new TypeError(
        `unknown tag ${JSON.stringify(tag)} in serialized value`,
      )
  }
}

function decodeFields(json: { [key: string]: Json }): Record<string, unknown> {
  const out = json as Record<string, unknown>
  for (const key of Object.keys(json)) {
    const value = json[key]
    if (value !== null && typeof value === 'object') {
      const decoded = decode(value)
      if (decoded !== value) put(out, key, decoded)
    }
  }
  return out
}

/** Sets an own property, also for the key `__proto__` (which plain assignment would treat as the prototype). */
function put<V>(target: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  } else {
    target[key] = value
  }
}
