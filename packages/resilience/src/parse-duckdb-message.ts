/** The parts of a DuckDB error message, from either the JSON or the plain form. */
export interface ParsedDuckDBMessage {
  /** DuckDB's exception type as written (`'Constraint'`, `'Out of Range'`, `'INTERRUPT'`). */
  readonly exceptionType: string | undefined
  /** The message without the type prefix and without the `LINE 1:` excerpt. */
  readonly message: string
  /** DuckDB's `error_subtype` (JSON form only). */
  readonly errorSubtype: string | undefined
  /** Extra JSON fields such as `errno` or `name`, as strings. */
  readonly extra: Readonly<Record<string, string>>
}

/** `Failed to query: ` and similar prefixes that @duckdb/node-api puts before some messages. */
const DRIVER_PREFIX = /^Failed to [a-z ]+: (?=[A-Za-z ]+ Error: |\{)/
/** `Parser Error: ` style prefix: a type made of letters and spaces. */
const TYPE_PREFIX = /^([A-Za-z][A-Za-z ]*?) Error: /
/** The query excerpt with a caret that DuckDB appends to plain messages. */
const LINE_TAIL = /\n\nLINE \d+:[\s\S]*$/

/**
 * Splits a DuckDB error message into type, message and subtype. Reads the JSON
 * form of `SET errors_as_json = true` (also behind a `Parser Error: ` prefix)
 * and the plain `<Type> Error: <message>` form. Returns `undefined` when the
 * text is neither.
 */
export function parseDuckDBMessage(
  text: string,
): ParsedDuckDBMessage | undefined {
  const body = text.replace(DRIVER_PREFIX, '')
  const prefix = TYPE_PREFIX.exec(body)
  const rest = prefix === null ? body : body.slice(prefix[0].length)
  if (rest.startsWith('{')) {
    const json = parseJsonObject(rest)
    if (json !== undefined) {
      const type = json.exception_type ?? prefix?.[1]
      const {
        exception_type: _type,
        exception_message,
        error_subtype,
        ...extra
      } = json
      return {
        exceptionType: type,
        message: exception_message ?? rest,
        errorSubtype: error_subtype,
        extra,
      }
    }
  }
  if (prefix === null) return undefined
  return {
    exceptionType: prefix[1],
    message: rest.replace(LINE_TAIL, ''),
    errorSubtype: undefined,
    extra: {},
  }
}

function parseJsonObject(text: string): Record<string, string> | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return undefined
  const result: Record<string, string> = {}
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (typeof field === 'string') result[key] = field
    else if (typeof field === 'number' || typeof field === 'boolean')
      result[key] = String(field)
  }
  return result
}
