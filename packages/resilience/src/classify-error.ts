import { DatabaseError, isDatabaseError } from './database-error.js'
import {
  CatalogError,
  ConnectionError,
  type ConstraintKind,
  ConstraintViolationError,
  DataError,
  FatalDatabaseError,
  InterruptedError,
  IoError,
  OutOfMemoryError,
  SqlSyntaxError,
  TransactionAbortedError,
  TransactionConflictError,
} from './errors.js'
import {
  type ParsedDuckDBMessage,
  parseDuckDBMessage,
} from './parse-duckdb-message.js'

/** What {@link classifyError} may know about the failed work. */
export interface ClassifyContext {
  /** SQL text of the statement (never with parameter values), copied onto the error. */
  sql?: string | undefined
}

interface Common {
  exceptionType: string | undefined
  errorSubtype: string | undefined
  sql: string | undefined
  cause: unknown
}

/**
 * Turns any thrown value into a {@link DatabaseError} subclass. Reads DuckDB's
 * `errors_as_json` form and the plain `<Type> Error: ...` form; a value that is
 * already a `DatabaseError` is returned unchanged. Never throws: anything it
 * does not recognise becomes a non-retryable `DatabaseError` (`E_DATABASE`).
 *
 * @example
 * ```ts
 * try {
 *   await connection.run(sql)
 * } catch (error) {
 *   throw classifyError(error, { sql })
 * }
 * ```
 */
export function classifyError(
  error: unknown,
  context: ClassifyContext = {},
): DatabaseError {
  if (isDatabaseError(error)) return error
  try {
    return classify(error, context.sql)
  } catch (failure) {
    return new DatabaseError('Unclassifiable error', {
      sql: context.sql,
      cause: failure,
    })
  }
}

function classify(error: unknown, sql: string | undefined): DatabaseError {
  const text = messageOf(error)
  const parsed = text === undefined ? undefined : parseDuckDBMessage(text)
  if (parsed !== undefined) {
    return fromDuckDB(parsed, {
      exceptionType: parsed.exceptionType,
      errorSubtype: parsed.errorSubtype,
      sql,
      cause: error,
    })
  }
  const common: Common = {
    exceptionType: undefined,
    errorSubtype: undefined,
    sql,
    cause: error,
  }
  return fromOther(error, text ?? describe(error), common)
}

function fromDuckDB(
  parsed: ParsedDuckDBMessage,
  common: Common,
): DatabaseError {
  const type = normalise(parsed.exceptionType ?? '')
  const message = `${parsed.exceptionType ?? 'Unknown'} Error: ${parsed.message}`
  const text = parsed.message
  if (/database has been invalidated/i.test(text))
    return new FatalDatabaseError(message, common)
  switch (type) {
    case 'parser':
    case 'syntax':
      return new SqlSyntaxError(message, common)
    case 'binder':
      return isMissingEntry(parsed)
        ? new CatalogError(message, common)
        : new SqlSyntaxError(message, common)
    case 'catalog':
    case 'dependency':
      return new CatalogError(message, common)
    case 'conversion':
    case 'outofrange':
    case 'invalidinput':
    case 'invalidtype':
    case 'mismatchtype':
    case 'decimal':
    case 'arithmetic':
    case 'sequence':
      return new DataError(message, common)
    case 'constraint':
      return new ConstraintViolationError(message, {
        ...common,
        kind: constraintKind(text),
      })
    case 'transactioncontext':
    case 'transaction':
      return fromTransaction(message, text, common)
    case 'interrupt':
      return new InterruptedError(message, common)
    case 'outofmemory':
      return new OutOfMemoryError(message, common)
    case 'io':
      return fromIo(message, text, parsed.extra, common)
    case 'connection':
    case 'network':
    case 'http':
      return new ConnectionError(message, common)
    case 'fatal':
    case 'internal':
      return new FatalDatabaseError(message, common)
    default:
      return new DatabaseError(message, common)
  }
}

function fromTransaction(
  message: string,
  text: string,
  common: Common,
): DatabaseError {
  if (/current transaction is aborted/i.test(text)) {
    return new TransactionAbortedError(message, common)
  }
  if (/^failed to commit/i.test(text)) {
    // A commit can also fail on I/O (a WAL write on a full disk): that is not a conflict.
    if (
      /could not (write|read|open|sync)|no space left|i\/o error|io error/i.test(
        text,
      )
    ) {
      return new IoError(message, common)
    }
    return new TransactionConflictError(message, { ...common, phase: 'commit' })
  }
  if (/conflict/i.test(text)) {
    return new TransactionConflictError(message, {
      ...common,
      phase: 'statement',
    })
  }
  return new DatabaseError(message, common)
}

function fromIo(
  message: string,
  text: string,
  extra: Readonly<Record<string, string>>,
  common: Common,
): DatabaseError {
  if (/could not set lock|conflicting lock/i.test(text)) {
    return new IoError(message, { ...common, lockedByOtherProcess: true })
  }
  const missing =
    extra.errno === '2' ||
    /no such file|no files found|does not exist|permission denied/i.test(text)
  return new IoError(message, { ...common, retryable: !missing })
}

/** Error codes of Node.js system errors that mean the peer went away. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
])
/** Error codes of Node.js system errors that may clear up by themselves. */
const TRANSIENT_IO_CODES = new Set(['EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE'])
/** Error codes of Node.js system errors that will not clear up by themselves. */
const PERMANENT_IO_CODES = new Set([
  'ENOENT',
  'EACCES',
  'EPERM',
  'EISDIR',
  'ENOTDIR',
  'EROFS',
])

function fromOther(
  error: unknown,
  text: string,
  common: Common,
): DatabaseError {
  const name = errorName(error)
  if (name === 'AbortError' || name === 'TimeoutError')
    return new InterruptedError(text, common)
  const code = errorCode(error)
  if (code !== undefined) {
    if (CONNECTION_CODES.has(code)) return new ConnectionError(text, common)
    if (TRANSIENT_IO_CODES.has(code)) return new IoError(text, common)
    if (PERMANENT_IO_CODES.has(code))
      return new IoError(text, { ...common, retryable: false })
  }
  if (/^Failed to connect: instance closed/i.test(text)) {
    return new ConnectionError(text, { ...common, retryable: false })
  }
  if (
    /^Failed to [a-z ]+: (connection (disconnected|closed)|instance closed)/i.test(
      text,
    )
  ) {
    return new ConnectionError(text, common)
  }
  return new DatabaseError(text, common)
}

function isMissingEntry(parsed: ParsedDuckDBMessage): boolean {
  return (
    parsed.errorSubtype === 'COLUMN_NOT_FOUND' ||
    parsed.errorSubtype === 'MISSING_ENTRY' ||
    /referenced column .* not found|does not exist/i.test(parsed.message)
  )
}

function constraintKind(text: string): ConstraintKind {
  if (/primary key/i.test(text)) return 'primary_key'
  if (/foreign key/i.test(text)) return 'foreign_key'
  if (/unique/i.test(text)) return 'unique'
  if (/not null/i.test(text)) return 'not_null'
  if (/check constraint/i.test(text)) return 'check'
  return 'unknown'
}

function normalise(type: string): string {
  return type.toLowerCase().replace(/[\s_]+/g, '')
}

function messageOf(error: unknown): string | undefined {
  if (typeof error === 'string') return error
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message
    if (typeof message === 'string') return message
  }
  return undefined
}

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const name = (error as { name?: unknown }).name
  return typeof name === 'string' ? name : undefined
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

function describe(error: unknown): string {
  if (error === undefined) return 'Unknown error (undefined was thrown)'
  if (error === null) return 'Unknown error (null was thrown)'
  try {
    const text = textOf(error)
    return `Unknown error: ${text.length > 500 ? `${text.slice(0, 500)}…` : text}`
  } catch {
    return 'Unknown error'
  }
}

function textOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value)
    case 'symbol':
      return value.toString()
    default:
      return JSON.stringify(value) ?? Object.prototype.toString.call(value)
  }
}
