import {
  blobValue,
  type DuckDBValue,
  listValue,
  timestampTZValue,
} from '@duckdb/node-api'
import { DataError } from '@duckkit/resilience'
import type { QueryParams } from './types.js'

/** Parameters in the form the driver binds. */
export type DriverParams = DuckDBValue[] | Record<string, DuckDBValue>

/**
 * Converts caller parameters to driver values: `undefined` becomes `NULL`, a
 * `Date` a `TIMESTAMPTZ`, a `Uint8Array` a `BLOB`, an array a `LIST`; other
 * values (numbers, strings, booleans, bigints, null, driver value objects)
 * pass through unchanged. The input is copied only when something changes.
 * A value that is no SQL value (a function, a symbol, a plain object, a `Map`
 * or a `Set`) throws a `DataError` naming the parameter, before anything is
 * sent.
 */
export function toDriverParams(
  params: QueryParams | undefined,
  sql?: string,
): DriverParams | undefined {
  if (params === undefined) return undefined
  if (Array.isArray(params)) {
    const list = params as readonly unknown[]
    let copy: DuckDBValue[] | undefined
    for (let index = 0; index < list.length; index += 1) {
      const value = list[index]
      const converted = toDriverValue(value, `$${index + 1}`, sql)
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
    const converted = toDriverValue(value, `$${key}`, sql)
    if (copy === undefined && converted !== value)
      copy = { ...(record as Record<string, DuckDBValue>) }
    if (copy !== undefined) copy[key] = converted
  }
  return copy ?? (record as Record<string, DuckDBValue>)
}

function toDriverValue(
  value: unknown,
  name: string,
  sql: string | undefined,
): DuckDBValue {
  if (value === undefined) return null
  if (typeof value === 'function' || typeof value === 'symbol')
    throw unbindable(name, `a ${typeof value}`, sql)
  if (typeof value !== 'object' || value === null) return value as DuckDBValue
  if (value instanceof Date)
    return timestampTZValue(BigInt(value.getTime()) * 1000n)
  if (value instanceof Uint8Array) return blobValue(value)
  if (Array.isArray(value))
    return listValue(
      (value as unknown[]).map((item, index) =>
        toDriverValue(item, `${name}[${index}]`, sql),
      ),
    )
  if (value instanceof Map || value instanceof Set)
    throw unbindable(name, `a ${value.constructor.name}`, sql)
  const prototype: unknown = Object.getPrototypeOf(value)
  if (prototype === Object.prototype || prototype === null)
    throw unbindable(name, 'a plain object', sql)
  return value as DuckDBValue
}

function unbindable(
  name: string,
  what: string,
  sql: string | undefined,
): DataError {
  return new DataError(
    `Parameter ${name} is ${what}, which is not a SQL value: bind a number, string, boolean, ` +
      'bigint, null, Date, Uint8Array, array or a @duckdb/node-api value (JSON.stringify objects ' +
      'to store them as JSON)',
    { sql },
  )
}

/**
 * The error for named parameters the statement does not have, or `undefined`
 * when every name is one of `names` (the statement's parameter names).
 */
export function unknownNames(
  params: DriverParams | undefined,
  names: readonly string[],
  sql: string,
): DataError | undefined {
  if (params === undefined || Array.isArray(params)) return undefined
  const unknown = Object.keys(params).filter((key) => !names.includes(key))
  if (unknown.length === 0) return undefined
  const listed = unknown.map((key) => `$${key}`).join(', ')
  const known =
    names.length === 0
      ? 'it has no parameters'
      : `its parameters are ${names.map((key) => `$${key}`).join(', ')}`
  return new DataError(
    `Named parameter${unknown.length === 1 ? '' : 's'} ${listed} not in the statement; ${known}`,
    { sql },
  )
}
