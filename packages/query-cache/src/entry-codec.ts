import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { type CacheEntry } from './entry.js'

/** First byte of every stored entry: the format version. */
const FORMAT = 1
/** Flag bit: the payload is deflated. */
const COMPRESSED = 1
/** Bytes before the header: format, flags, header length (uint32). */
const PREFIX = 6

interface Header {
  d: string[]
  v: number[]
  c: number
  e: number
  s: number
  m: number
}

/** An entry as stored in Redis, plus whether compression was applied. */
export interface EncodedEntry {
  /** The bytes to store. */
  readonly bytes: Buffer
  /** Whether the payload was compressed. */
  readonly compressed: boolean
}

/**
 * Encodes an entry for L2: a small JSON header (versions, times) then the
 * serialized value, deflated when it is larger than `compressAbove` bytes.
 */
export function encodeEntry(
  entry: CacheEntry,
  payload: Uint8Array,
  compressAbove: number,
): EncodedEntry {
  const header: Header = {
    d: [...entry.deps],
    v: [...entry.versions],
    c: entry.createdAt,
    e: entry.expiresAt,
    s: entry.staleUntil,
    m: entry.costMs,
  }
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8')
  const compressed = payload.byteLength > compressAbove
  const body = compressed ? deflateRawSync(payload) : payload
  const out = Buffer.allocUnsafe(
    PREFIX + headerBytes.byteLength + body.byteLength,
  )
  out[0] = FORMAT
  out[1] = compressed ? COMPRESSED : 0
  out.writeUInt32BE(headerBytes.byteLength, 2)
  headerBytes.copy(out, PREFIX)
  out.set(body, PREFIX + headerBytes.byteLength)
  return { bytes: out, compressed }
}

/** Reads an entry stored by {@link encodeEntry}; throws on bytes it does not recognise. */
export function decodeEntry(
  bytes: Buffer,
  deserialize: (payload: Uint8Array) => unknown,
): CacheEntry {
  if (bytes.byteLength < PREFIX || bytes[0] !== FORMAT) {
    throw new TypeError('unknown entry format')
  }
  const flags = bytes[1] ?? 0
  const headerLength = bytes.readUInt32BE(2)
  const header = JSON.parse(
    bytes.toString('utf8', PREFIX, PREFIX + headerLength),
  ) as Header
  if (
    !Array.isArray(header.d) ||
    !Array.isArray(header.v) ||
    header.d.length !== header.v.length
  ) {
    throw new TypeError('malformed entry header')
  }
  const body = bytes.subarray(PREFIX + headerLength)
  const payload = (flags & COMPRESSED) !== 0 ? inflateRawSync(body) : body
  return {
    value: deserialize(payload),
    deps: header.d,
    versions: header.v,
    createdAt: header.c,
    expiresAt: header.e,
    staleUntil: header.s,
    costMs: header.m,
    size: payload.byteLength,
  }
}
