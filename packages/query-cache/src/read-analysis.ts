/** What DuckDB's parser says a statement reads. */
export interface ReadAnalysis {
  /** True when the text is exactly one SELECT (json_serialize_sql accepted it). */
  readonly select: boolean
  /** Normalised names of the tables (and views) it reads, views expanded. */
  readonly tables: readonly string[]
  /** Name of the first volatile function (or `USING SAMPLE`) it uses, if any. */
  readonly volatile: string | undefined
  /** Why its inputs cannot be tracked (a file, a table function, an unparsable view), if so. */
  readonly untracked: string | undefined
}

/**
 * Functions whose result changes between calls with the same arguments (DuckDB
 * 1.5 marks them VOLATILE or CONSISTENT_WITHIN_QUERY), plus the keyword forms.
 */
const VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set([
  'random',
  'setseed',
  'now',
  'today',
  'current_date',
  'current_time',
  'current_timestamp',
  'current_localtime',
  'current_localtimestamp',
  'localtime',
  'localtimestamp',
  'get_current_time',
  'get_current_timestamp',
  'transaction_timestamp',
  'nextval',
  'currval',
  'uuid',
  'uuidv4',
  'uuidv7',
  'gen_random_uuid',
  'current_query',
  'current_query_id',
  'current_connection_id',
  'current_transaction_id',
  'txid_current',
  'current_database',
  'current_schema',
  'current_schemas',
  'current_setting',
  'in_search_path',
  'getenv',
  'sleep_ms',
  'write_log',
  'stats',
  'error',
])

/** Table functions whose output depends only on their arguments. */
const PURE_TABLE_FUNCTIONS = new Set([
  'range',
  'generate_series',
  'unnest',
  'json_each',
  'json_tree',
])

/** Keyword values that the parser reports as column references. */
const VOLATILE_KEYWORDS = new Set([
  'current_date',
  'current_time',
  'current_timestamp',
  'localtime',
  'localtimestamp',
])

type JsonNode = Record<string, unknown>

interface Scan {
  tables: Set<string>
  volatile: string | undefined
  untracked: string | undefined
}

/**
 * Reads the output of `json_serialize_sql` for a statement plus the parsed
 * definitions of the database's views (name -> output), and lists what the
 * statement reads. A view is replaced by the tables it reads (recursively) and
 * kept as a dependency itself.
 */
export function analyzeRead(
  serialized: unknown,
  views: ReadonlyMap<string, unknown>,
): ReadAnalysis {
  const root = parseJson(serialized)
  const statements = root?.statements
  if (
    root === undefined ||
    root.error === true ||
    !Array.isArray(statements) ||
    statements.length !== 1
  ) {
    return {
      select: false,
      tables: [],
      volatile: undefined,
      untracked: undefined,
    }
  }
  const scan: Scan = {
    tables: new Set(),
    volatile: undefined,
    untracked: undefined,
  }
  walk(statements[0], scan)
  expandViews(scan, views)
  return {
    select: true,
    tables: [...scan.tables].sort(),
    volatile: scan.volatile,
    untracked: scan.untracked,
  }
}

function expandViews(scan: Scan, views: ReadonlyMap<string, unknown>): void {
  const done = new Set<string>()
  let pending = [...scan.tables].filter((name) => views.has(name))
  while (pending.length > 0) {
    const next: string[] = []
    for (const name of pending) {
      if (done.has(name)) continue
      done.add(name)
      const root = parseJson(views.get(name))
      const statements = root?.statements
      if (
        root === undefined ||
        root.error === true ||
        !Array.isArray(statements) ||
        statements.length !== 1
      ) {
        scan.untracked ??= `view ${name} could not be parsed`
        continue
      }
      const inner: Scan = {
        tables: new Set(),
        volatile: undefined,
        untracked: undefined,
      }
      walk(statements[0], inner)
      scan.volatile ??= inner.volatile
      scan.untracked ??= inner.untracked
      for (const table of inner.tables) {
        scan.tables.add(table)
        if (views.has(table) && !done.has(table)) next.push(table)
      }
    }
    pending = next
  }
}

function walk(node: unknown, scan: Scan): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, scan)
    return
  }
  if (typeof node !== 'object' || node === null) return
  const obj = node as JsonNode
  const type = obj.type
  if (type === 'BASE_TABLE' && typeof obj.table_name === 'string') {
    const name = obj.table_name
    if (/[./\\:]/.test(name)) scan.untracked ??= `reads the file ${name}`
    else scan.tables.add(name.toLowerCase())
  } else if (type === 'TABLE_FUNCTION') {
    const fn = (obj.function as JsonNode | undefined)?.function_name
    const fnName = typeof fn === 'string' ? fn.toLowerCase() : '?'
    if (!PURE_TABLE_FUNCTIONS.has(fnName)) {
      scan.untracked ??= `calls the table function ${fnName}`
    }
  } else if (
    obj.class === 'FUNCTION' &&
    typeof obj.function_name === 'string'
  ) {
    const fn = obj.function_name.toLowerCase()
    if (VOLATILE_FUNCTIONS.has(fn)) scan.volatile ??= fn
  } else if (obj.class === 'COLUMN_REF' && Array.isArray(obj.column_names)) {
    const names = obj.column_names as unknown[]
    const only =
      names.length === 1 && typeof names[0] === 'string'
        ? names[0].toLowerCase()
        : ''
    if (VOLATILE_KEYWORDS.has(only)) scan.volatile ??= only
  }
  if (obj.sample !== null && obj.sample !== undefined) {
    scan.volatile ??= 'USING SAMPLE'
  }
  for (const key in obj) {
    const value = obj[key]
    if (typeof value === 'object' && value !== null) walk(value, scan)
  }
}

function parseJson(value: unknown): JsonNode | undefined {
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value)
      return typeof parsed === 'object' && parsed !== null
        ? (parsed as JsonNode)
        : undefined
    } catch {
      return undefined
    }
  }
  return typeof value === 'object' && value !== null
    ? (value as JsonNode)
    : undefined
}
