/**
 * What a statement may do to its connection's session, read cheaply from the
 * SQL text so that releasing a connection needs no extra round trip unless a
 * borrower actually changed something.
 */

/** No effect on the session. */
export const NO_EFFECT = 0
/** Opens a transaction (`BEGIN`, `START TRANSACTION`). */
export const TX_BEGIN = 1
/** Ends a transaction (`COMMIT`, `END`, `ROLLBACK`, `ABORT`). */
export const TX_END = 2
/** Multi-statement text touching transactions: the state afterwards is unknown. */
export const TX_UNKNOWN = 4
/** Changes session state (`SET`, `RESET`, `USE`, `PRAGMA`, `PREPARE`, temporary objects, ...). */
export const SESSION = 8

/** Leading keyword (lower case) to its effect. */
const KEYWORDS: ReadonlyMap<string, number> = new Map([
  ['begin', TX_BEGIN],
  ['start', TX_BEGIN],
  ['commit', TX_END],
  ['end', TX_END],
  ['rollback', TX_END],
  ['abort', TX_END],
  ['set', SESSION],
  ['reset', SESSION],
  ['use', SESSION],
  ['pragma', SESSION],
  ['prepare', SESSION],
  ['deallocate', SESSION],
  ['call', SESSION],
])

/**
 * Returns the effect flags of a SQL text. Text without a `;` (the common case)
 * is classified from its first keyword alone; text with several statements is
 * scanned statement by statement, skipping strings and comments, and any
 * transaction keyword in it makes the transaction state unknown.
 */
export function statementEffect(sql: string): number {
  const first = leadingEffect(sql, 0)
  if (sql.indexOf(';') === -1) return first
  const starts = statementStarts(sql)
  if (starts === undefined) return TX_UNKNOWN | SESSION
  if (starts.length <= 1) return first
  let effect = NO_EFFECT
  for (const start of starts) {
    const one = leadingEffect(sql, start)
    if ((one & (TX_BEGIN | TX_END)) !== 0) effect |= TX_UNKNOWN
    effect |= one & SESSION
  }
  return effect
}

function leadingEffect(sql: string, from: number): number {
  const start = skipSpaceAndComments(sql, from)
  const end = wordEnd(sql, start)
  if (end === start || end - start > 10) return NO_EFFECT
  const word = sql.slice(start, end).toLowerCase()
  if (word === 'create') return createsTemporary(sql, end) ? SESSION : NO_EFFECT
  return KEYWORDS.get(word) ?? NO_EFFECT
}

/** `CREATE [OR REPLACE] TEMP|TEMPORARY ...` makes a connection-local object. */
function createsTemporary(sql: string, from: number): boolean {
  let position = skipSpaceAndComments(sql, from)
  let end = wordEnd(sql, position)
  let word = sql.slice(position, end).toLowerCase()
  if (word === 'or') {
    position = skipSpaceAndComments(
      sql,
      wordEnd(sql, skipSpaceAndComments(sql, end)),
    )
    end = wordEnd(sql, position)
    word = sql.slice(position, end).toLowerCase()
  }
  return word === 'temp' || word === 'temporary'
}

function isWordChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95
  )
}

function isTagChar(code: number): boolean {
  return isWordChar(code) || (code >= 48 && code <= 57)
}

function wordEnd(sql: string, from: number): number {
  let position = from
  while (position < sql.length && isWordChar(sql.charCodeAt(position)))
    position += 1
  return position
}

function skipSpaceAndComments(sql: string, from: number): number {
  let position = from
  while (position < sql.length) {
    const code = sql.charCodeAt(position)
    if (code === 32 || (code >= 9 && code <= 13) || code === 40 /* ( */) {
      position += 1
    } else if (code === 45 && sql.charCodeAt(position + 1) === 45) {
      const newline = sql.indexOf('\n', position + 2)
      position = newline === -1 ? sql.length : newline + 1
    } else if (code === 47 && sql.charCodeAt(position + 1) === 42) {
      const close = sql.indexOf('*/', position + 2)
      position = close === -1 ? sql.length : close + 2
    } else {
      break
    }
  }
  return position
}

/**
 * Offsets where each statement of a multi-statement text begins, or
 * `undefined` when a string or comment is left open (the caller then assumes
 * the worst).
 */
function statementStarts(sql: string): number[] | undefined {
  const starts = [0]
  let position = 0
  while (position < sql.length) {
    const code = sql.charCodeAt(position)
    if (code === 39 /* ' */) {
      const escapes =
        position > 0 && (sql[position - 1] === 'e' || sql[position - 1] === 'E')
      const end = quotedEnd(sql, position, "'", escapes)
      if (end === -1) return undefined
      position = end
    } else if (code === 34 /* " */) {
      const end = quotedEnd(sql, position, '"', false)
      if (end === -1) return undefined
      position = end
    } else if (code === 36 /* $ */) {
      const end = dollarQuotedEnd(sql, position)
      if (end === -1) return undefined
      position = end
    } else if (code === 45 && sql.charCodeAt(position + 1) === 45) {
      const newline = sql.indexOf('\n', position + 2)
      position = newline === -1 ? sql.length : newline + 1
    } else if (code === 47 && sql.charCodeAt(position + 1) === 42) {
      const close = sql.indexOf('*/', position + 2)
      if (close === -1) return undefined
      position = close + 2
    } else if (code === 59 /* ; */) {
      position += 1
      if (skipSpaceAndComments(sql, position) < sql.length)
        starts.push(position)
    } else {
      position += 1
    }
  }
  return starts
}

/** Offset just past the closing quote (a doubled quote is an escaped quote), or -1. */
function quotedEnd(
  sql: string,
  open: number,
  quote: string,
  backslashEscapes: boolean,
): number {
  let position = open + 1
  while (position < sql.length) {
    const char = sql[position]
    if (backslashEscapes && char === '\\') {
      position += 2
    } else if (char === quote) {
      if (sql[position + 1] === quote) position += 2
      else return position + 1
    } else {
      position += 1
    }
  }
  return -1
}

/** Offset just past a `$tag$ ... $tag$` string, the next offset for a plain `$` (parameter), or -1. */
function dollarQuotedEnd(sql: string, open: number): number {
  let tagEnd = open + 1
  if (isWordChar(sql.charCodeAt(tagEnd))) {
    while (tagEnd < sql.length && isTagChar(sql.charCodeAt(tagEnd))) tagEnd += 1
  }
  if (sql[tagEnd] !== '$') return open + 1
  const tag = sql.slice(open, tagEnd + 1)
  const close = sql.indexOf(tag, tagEnd + 1)
  return close === -1 ? -1 : close + tag.length
}
