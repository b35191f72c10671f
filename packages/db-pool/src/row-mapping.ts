import {
  arrayFromArrayValue,
  arrayFromListValue,
  DuckDBBlobValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  type DuckDBMaterializedResult,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBValueConverter,
  fromVariantValue,
  JSDuckDBValueConverter,
  objectArrayFromMapValue,
  objectFromStructValue,
  objectFromUnionValue,
} from '@duckdb/node-api'
import type { Row, RowMode } from './types.js'

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER)
/**
 * Decimals whose unscaled value is below 10^15 have at most 15 significant
 * digits, so the nearest double prints back as the same decimal.
 */
const DECIMAL_EXACT_LIMIT = 10n ** 15n
/** Milliseconds a JavaScript `Date` can represent on either side of the epoch. */
const MAX_DATE_MS = 8_640_000_000_000_000n

/**
 * The JSON-safe, type-stable mapping (`rowMode: 'json'`): integers of every width
 * and decimals become numbers when that loses nothing, exact decimal strings
 * otherwise; temporal values become ISO-8601 strings; nested values become
 * arrays and objects; JSON is parsed; BLOBs become base64.
 */
export const jsonValueConverter: DuckDBValueConverter<unknown> = (
  value,
  type,
  converter,
) => {
  if (value === null) return null
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
      return value
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return integer(value)
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return Number.isFinite(value) ? value : String(value)
    case DuckDBTypeId.DECIMAL:
      return decimal(value)
    case DuckDBTypeId.VARCHAR:
      return type.alias === 'JSON'
        ? (JSON.parse(value as string) as unknown)
        : value
    case DuckDBTypeId.TIMESTAMP:
      return timestamp(value, '')
    case DuckDBTypeId.TIMESTAMP_TZ:
      return timestamp(value, 'Z')
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return timestamp(value, '')
    case DuckDBTypeId.INTERVAL:
      return interval(value)
    case DuckDBTypeId.BLOB:
      return value instanceof DuckDBBlobValue
        ? Buffer.from(value.bytes).toString('base64')
        : String(value)
    case DuckDBTypeId.LIST:
      return arrayFromListValue(value, type, converter)
    case DuckDBTypeId.ARRAY:
      return arrayFromArrayValue(value, type, converter)
    case DuckDBTypeId.STRUCT:
      return objectFromStructValue(value, type, converter)
    case DuckDBTypeId.MAP:
      return objectArrayFromMapValue(value, type, converter)
    case DuckDBTypeId.UNION:
      return objectFromUnionValue(value, type, converter)
    case DuckDBTypeId.VARIANT:
      return fromVariantValue(value, type, converter)
    case DuckDBTypeId.SQLNULL:
      return null
    default:
      // DATE, TIME, TIME_TZ, TIME_NS, UUID, ENUM, BIT, GEOMETRY: DuckDB's own text form.
      return String(value)
  }
}

function integer(value: DuckDBValue): number | string {
  if (typeof value === 'number') return value
  const big = value as bigint
  return big >= MIN_SAFE && big <= MAX_SAFE ? Number(big) : big.toString()
}

function decimal(value: DuckDBValue): number | string {
  if (!(value instanceof DuckDBDecimalValue)) return Number(value)
  const unscaled = value.value
  if (
    value.scale <= 22 &&
    unscaled < DECIMAL_EXACT_LIMIT &&
    unscaled > -DECIMAL_EXACT_LIMIT
  ) {
    return Number(unscaled) / 10 ** value.scale
  }
  return value.toString()
}

function interval(value: DuckDBValue): unknown {
  if (!(value instanceof DuckDBIntervalValue)) return String(value)
  return {
    months: value.months,
    days: value.days,
    micros: integer(value.micros),
  }
}

/** An ISO-8601 string (`T` separator, fraction only when non-zero, `Z` for TIMESTAMPTZ). */
function timestamp(value: DuckDBValue, zone: '' | 'Z'): string {
  let units: bigint
  let perSecond: bigint
  let digits: number
  if (
    value instanceof DuckDBTimestampValue ||
    value instanceof DuckDBTimestampTZValue
  ) {
    if (!value.isFinite) return value.toString()
    ;[units, perSecond, digits] = [value.micros, 1_000_000n, 6]
  } else if (value instanceof DuckDBTimestampNanosecondsValue) {
    if (!value.isFinite) return value.toString()
    ;[units, perSecond, digits] = [value.nanos, 1_000_000_000n, 9]
  } else if (value instanceof DuckDBTimestampMillisecondsValue) {
    if (!value.isFinite) return value.toString()
    ;[units, perSecond, digits] = [value.millis, 1000n, 3]
  } else if (value instanceof DuckDBTimestampSecondsValue) {
    if (!value.isFinite) return value.toString()
    ;[units, perSecond, digits] = [value.seconds, 1n, 0]
  } else {
    return String(value)
  }
  let seconds = units / perSecond
  let fraction = units % perSecond
  if (fraction < 0n) {
    fraction += perSecond
    seconds -= 1n
  }
  const millis = seconds * 1000n
  if (millis > MAX_DATE_MS || millis < -MAX_DATE_MS) return value.toString()
  const base = new Date(Number(millis)).toISOString()
  const whole = base.slice(0, base.length - 5) // drop ".sssZ"
  if (fraction === 0n) return `${whole}${zone}`
  const text = fraction.toString().padStart(digits, '0').replace(/0+$/, '')
  return `${whole}.${text}${zone}`
}

/** The converter for a row mode. */
export function converterFor(mode: RowMode): DuckDBValueConverter<unknown> {
  return mode === 'json'
    ? jsonValueConverter
    : (JSDuckDBValueConverter as DuckDBValueConverter<unknown>)
}

/**
 * Reads every row of a materialized result as objects keyed by column name
 * (a repeated name gets the driver's `name:1` suffix). Values are converted
 * with the result's column types, which keep aliases such as `JSON` that the
 * chunks' own vector types lose.
 */
export function readRows(
  result: DuckDBMaterializedResult,
  converter: DuckDBValueConverter<unknown>,
): Row[] {
  const chunkCount = result.chunkCount
  const rows: Row[] = []
  if (chunkCount === 0) return rows
  const names = result.deduplicatedColumnNames()
  const types = result.columnTypes()
  const columnCount = names.length
  for (let chunkIndex = 0; chunkIndex < chunkCount; chunkIndex += 1) {
    const chunk = result.getChunk(chunkIndex)
    const rowCount = chunk.rowCount
    if (rowCount === 0) continue
    const first = rows.length
    for (let rowIndex = 0; rowIndex < rowCount; rowIndex += 1) rows.push({})
    for (let column = 0; column < columnCount; column += 1) {
      const name = names[column] as string
      const type = types[column] as DuckDBType
      chunk.visitColumnValues(column, (value, rowIndex) => {
        ;(rows[first + rowIndex] as Row)[name] = converter(
          value,
          type,
          converter,
        )
      })
    }
  }
  return rows
}
