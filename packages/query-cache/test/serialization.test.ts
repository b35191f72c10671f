import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DuckDBInstance } from '@duckdb/node-api'
import { jsonSerializer } from '../src/index.js'
import { decodeEntry, encodeEntry } from '../src/entry-codec.js'
import { type CacheEntry } from '../src/entry.js'
import { openDatabase } from './helpers/duckdb.js'

const roundTrip = (value: unknown): unknown =>
  jsonSerializer.deserialize(jsonSerializer.serialize(value))

describe('jsonSerializer', () => {
  let db: DuckDBInstance
  beforeAll(async () => {
    db = await openDatabase()
  })
  afterAll(() => {
    db.closeSync()
  })

  it('round-trips what DuckDB rows hold in JavaScript form', async () => {
    const connection = await db.connect()
    const reader = await connection.runAndReadAll(`
      SELECT 9007199254740993::BIGINT AS big, 170141183460469231731687303715884105727::HUGEINT AS huge,
             1.25::DECIMAL(10, 2) AS dec, DATE '2024-02-29' AS d,
             TIMESTAMP '2024-01-02 03:04:05.123' AS ts, [1, 2, NULL] AS list,
             {'a': 1, 'b': [true, false], 'c': {'d': 'x'}} AS struct, MAP {'k': 1} AS m,
             '\\x00\\xFF'::BLOB AS blob, INTERVAL 1 DAY AS iv, 'inf'::DOUBLE AS inf,
             'nan'::DOUBLE AS nan, NULL AS n, [[1, 2], [3]] AS nested`)
    const rows = reader.getRowObjectsJS()
    connection.closeSync()
    const back = roundTrip(rows)
    expect(back).toEqual(rows)
    const row = (back as Record<string, unknown>[])[0] as Record<
      string,
      unknown
    >
    expect(row.big).toBe(9007199254740993n)
    expect(row.d).toBeInstanceOf(Date)
    expect(Buffer.isBuffer(row.blob)).toBe(true)
    expect(Number.isNaN(row.nan)).toBe(true)
  })

  it('round-trips the values JSON loses', () => {
    const value = {
      minusZero: -0,
      inf: -Infinity,
      undef: undefined,
      list: [undefined, 1n, new Date(0)],
      map: new Map<unknown, unknown>([[1n, new Set(['a'])]]),
      bytes: new Uint8Array([1, 2, 3]),
      $t: 'a user field named like the tag',
      nested: { $t: { v: 1 } },
    }
    const back = roundTrip(value) as typeof value
    expect(Object.is(back.minusZero, -0)).toBe(true)
    expect(back).toEqual({ ...value, bytes: Buffer.from([1, 2, 3]) })
    expect('undef' in back).toBe(true)
  })

  it('keeps a __proto__ column as data', () => {
    const row = JSON.parse(
      '{"__proto__": {"polluted": true}, "a": 1}',
    ) as Record<string, unknown>
    const back = roundTrip(row) as Record<string, unknown>
    expect(Object.keys(back)).toEqual(['__proto__', 'a'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
  })

  it('refuses class instances and functions with a TypeError', () => {
    class Point {
      x = 1
    }
    expect(() => jsonSerializer.serialize([new Point()])).toThrow(
      /instance of Point/,
    )
    expect(() => jsonSerializer.serialize({ f: () => 1 })).toThrow(TypeError)
  })
})

describe('entry codec', () => {
  const entry: CacheEntry = {
    value: undefined,
    deps: ['*', 't:users'],
    versions: [1, 1795768137419001],
    createdAt: 1,
    expiresAt: 2,
    staleUntil: 3,
    costMs: 4,
    size: 0,
  }

  it('compresses above the threshold and round-trips both ways', () => {
    const value = { text: 'duck '.repeat(1000) }
    const payload = jsonSerializer.serialize(value)
    const small = encodeEntry(entry, payload, Infinity)
    const packed = encodeEntry(entry, payload, 100)
    expect(small.compressed).toBe(false)
    expect(packed.compressed).toBe(true)
    expect(packed.bytes.byteLength).toBeLessThan(small.bytes.byteLength / 10)
    for (const encoded of [small, packed]) {
      const back = decodeEntry(encoded.bytes, (bytes) =>
        jsonSerializer.deserialize(bytes),
      )
      expect(back).toEqual({ ...entry, value, size: payload.byteLength })
    }
  })

  it('rejects bytes it did not write', () => {
    expect(() => decodeEntry(Buffer.from('hello world'), () => 1)).toThrow(
      /format/,
    )
  })

  it('rejects a header cut short', () => {
    const { bytes } = encodeEntry(entry, jsonSerializer.serialize(1), Infinity)
    for (const length of [10, 45, 60]) {
      expect(() => decodeEntry(bytes.subarray(0, length), () => 1)).toThrow()
    }
  })

  it('shares the deps the caller expects when they are the ones stored', () => {
    const known = ['*', 't:users']
    const { bytes } = encodeEntry(entry, jsonSerializer.serialize(1), Infinity)
    expect(decodeEntry(bytes, () => 1, known).deps).toBe(known)
  })

  it('decodes the stored deps when the caller expects others', () => {
    const stored = {
      ...entry,
      deps: ['*', 't:users', 'g:été'],
      versions: [1, 2, 3],
    }
    const { bytes } = encodeEntry(stored, jsonSerializer.serialize(1), Infinity)
    for (const other of [
      undefined,
      ['*', 't:users', 'g:ete'],
      ['*', 't:users'],
      ['*', 't:users', 'g:été', 'g:x'],
      // 'é' is C3 A9 in UTF-8, and 'Ã©' has the char codes C3 A9.
      ['*', 't:users', 'g:Ã©tÃ©'],
      // Equal, but not ASCII: decoded as well.
      ['*', 't:users', 'g:été'],
    ]) {
      const back = decodeEntry(bytes, () => 1, other)
      expect(back.deps).toEqual(['*', 't:users', 'g:été'])
      expect(back.deps).not.toBe(other)
      expect(back.versions).toEqual([1, 2, 3])
    }
  })
})
