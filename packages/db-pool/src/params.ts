import {
  blobValue,
  type DuckDBValue,
  listValue,
  timestampTZValue,
} from '@duckdb/node-api'
import type { QueryParams } from './types.js'

/** Parameters in the form the driver binds. */
export type DriverParams = DuckDBValue[] | Record<string, DuckDBValue>

/**
 * Converts caller parameters to driver values: `undefined` becomes `NULL`, a
 * `Date` a `TIMESTAMPTZ`, a `Uint8Array` a `BLOB`, an array a `LIST`; other
 * values (numbers, strings, booleans, bigints, null, driver value objects)
 * pass through unchanged. The input is copied only when something changes.
 */
export function toDriverParams(
  params: QueryParams | undefined,
): DriverParams | undefined {
  if (params === undefined) return undefined
  if (Array.isArray(params)) {
    const list = params as readonly unknown[]
    let copy: DuckDBValue[] | undefined
    for (let index = 0; index < list.length; index += 1) {
      const value = list[index]
      const converted = toDriverValue(value)
      if (copy === undefined && converted !== value)
        copy = list.slice(0, index) as DuckDBValue[]
      if (copy !== undefined) copy.push(converted)
    }
    return copy ?? (list as DuckDBValue[])
  }
  const record = params as Readonly<Record<string, unknown>>
  let copy: Record<string, DuckDBValue> | undefined
  for (const key of Object.keys(record)) {
    const value = record[key]
    const converted = toDriverValue(value)
    if (copy === undefined && converted !== value)
      copy = { ...(record as Record<string, DuckDBValue>) }
    if (copy !== undefined) copy[key] = converted
  }
  return copy ?? (record as Record<string, DuckDBValue>)
}

function toDriverValue(value: unknown): DuckDBValue {
  if (value === undefined) return null
  if (typeof value !== 'object' || value === null) return value as DuckDBValue
  if (value instanceof Date)
    return timestampTZValue(BigInt(value.getTime()) * 1000n)
  if (value instanceof Uint8Array) return blobValue(value)
  if (Array.isArray(value))
    return listValue((value as unknown[]).map(toDriverValue))
  return value as DuckDBValue
}
