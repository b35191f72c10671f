import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { type CacheEntry } from './entry.js'

/**
 * First byte of every stored entry: the format version. Format 1 (a JSON
 * header) is not read any more: such entries are unreadable, so they miss and
 * are replaced.
 */
const FORMAT = 2
/** Flag bit: the payload is deflated. */
const COMPRESSED = 1
/** Bytes before the versions: format, flags, dep count (uint32), then createdAt, expiresAt, staleUntil, costMs (float64). */
const FIXED = 38

/** An entry as stored in Redis, plus whether compression was applied. */
export interface EncodedEntry {
  /** The bytes to store. */
  readonly bytes: Buffer
  /** Whether the payload was compressed. */
  readonly compressed: boolean
}

/**
 * Encodes an entry for L2: a binary header (the times, each dep's version,
 * then each dep as length-prefixed UTF-8, so a read checks versions without
 * parsing text) then the serialized value, deflated when it is larger than
 * `compressAbove` bytes. Numbers are little-endian.
 */
export function encodeEntry(
  entry: CacheEntry,
  payload: Uint8Array,
  compressAbove: number,
): EncodedEntry {
  const { deps, versions } = entry
  let headerLength = FIXED + 8 * deps.length
  for (const dep of deps) headerLength += 4 + Buffer.byteLength(dep, 'utf8')
  const compressed = payload.byteLength > compressAbove
  const body = compressed ? deflateRawSync(payload) : payload
  const out = Buffer.allocUnsafe(headerLength + body.byteLength)
  out[0] = FORMAT
  out[1] = compressed ? COMPRESSED : 0
  out.writeUInt32LE(deps.length, 2)
  out.writeDoubleLE(entry.createdAt, 6)
  out.writeDoubleLE(entry.expiresAt, 14)
  out.writeDoubleLE(entry.staleUntil, 22)
  out.writeDoubleLE(entry.costMs, 30)
  let offset = FIXED
  for (let i = 0; i < deps.length; i += 1) {
    // A missing version is stored as NaN, which never matches: never served.
    offset = out.writeDoubleLE(versions[i] ?? NaN, offset)
  }
  for (const dep of deps) {
    const length = out.write(dep, offset + 4, 'utf8')
    out.writeUInt32LE(length, offset)
    offset += 4 + length
  }
  out.set(body, offset)
  return { bytes: out, compressed }
}

/**
 * Reads an entry stored by {@link encodeEntry}; throws on bytes it does not
 * recognise. When the stored deps equal `known`, the entry shares that array
 * (no strings are decoded, and comparing deps later is an identity check).
 */
export function decodeEntry(
  bytes: Buffer,
  deserialize: (payload: Uint8Array) => unknown,
  known?: readonly string[],
): CacheEntry {
  if (bytes.byteLength < FIXED || bytes[0] !== FORMAT) {
    throw new TypeError('unknown entry format')
  }
  const count = bytes.readUInt32LE(2)
  const depsAt = FIXED + 8 * count
  if (depsAt > bytes.byteLength) throw new TypeError('malformed entry header')
  const versions = new Array<number>(count)
  for (let i = 0; i < count; i += 1) {
    versions[i] = bytes.readDoubleLE(FIXED + 8 * i)
  }
  let deps = known?.length === count ? known : undefined
  let end = depsAt
  for (let i = 0; i < count; i += 1) {
    const start = end + 4
    end = start + bytes.readUInt32LE(end)
    if (end > bytes.byteLength) throw new TypeError('malformed entry header')
    if (
      deps !== undefined &&
      !equalsAscii(deps[i] as string, bytes, start, end)
    ) {
      deps = undefined
    }
  }
  const body = bytes.subarray(end)
  const payload =
    ((bytes[1] ?? 0) & COMPRESSED) !== 0 ? inflateRawSync(body) : body
  return {
    value: deserialize(payload),
    deps: deps ?? readDeps(bytes, depsAt, count),
    versions,
    createdAt: bytes.readDoubleLE(6),
    expiresAt: bytes.readDoubleLE(14),
    staleUntil: bytes.readDoubleLE(22),
    costMs: bytes.readDoubleLE(30),
    size: payload.byteLength,
  }
}

/** Whether `bytes[start, end)` holds `text`, for ASCII text (other text never counts as equal). */
function equalsAscii(
  text: string,
  bytes: Buffer,
  start: number,
  end: number,
): boolean {
  if (text.length !== end - start) return false
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i)
    if (code >= 0x80 || code !== bytes[start + i]) return false
  }
  return true
}

/** Decodes `count` length-prefixed deps from `offset` (bounds already checked). */
function readDeps(bytes: Buffer, offset: number, count: number): string[] {
  const deps = new Array<string>(count)
  for (let i = 0; i < count; i += 1) {
    const start = offset + 4
    offset = start + bytes.readUInt32LE(offset)
    deps[i] = bytes.toString('utf8', start, offset)
  }
  return deps
}
