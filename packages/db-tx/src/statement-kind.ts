/** What a statement does, as far as a transaction cares. */
export type StatementKind = 'read' | 'write' | 'control'

const READ_KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'VALUES',
  'TABLE',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'SUMMARIZE',
  'PIVOT',
  'UNPIVOT',
  'SET',
  'RESET',
])
const CONTROL_KEYWORDS = new Set([
  'BEGIN',
  'START',
  'COMMIT',
  'END',
  'ROLLBACK',
  'ABORT',
  'SAVEPOINT',
  'RELEASE',
])
const WRITE_IN_CTE =
  /\b(INSERT|UPDATE|DELETE|MERGE|COPY|CREATE|DROP|ALTER|TRUNCATE)\b/

/**
 * Classifies SQL text without a round trip: `read` for queries that change no
 * data (SELECT, VALUES, SHOW, SET, ...), `control` for transaction statements
 * and `write` for everything else. It errs on the side of `write`.
 */
export function statementKind(sql: string): StatementKind {
  // Fast path: one statement without comments or quotes before its end.
  if (!/[;'"]|--|\/\*/.test(sql))
    return sql.trim() === '' ? 'write' : classifyOne(sql)
  const statements = splitStatements(stripComments(sql))
  if (statements.length === 0) return 'write'
  let kind: StatementKind = 'read'
  for (const statement of statements) {
    const one = classifyOne(statement)
    if (one === 'control') return 'control'
    if (one === 'write') kind = 'write'
  }
  return kind
}

function classifyOne(text: string): StatementKind {
  const match = /^[\s(]*([A-Za-z_]+)/.exec(text)
  if (match === null) return 'write'
  const keyword = (match[1] ?? '').toUpperCase()
  if (CONTROL_KEYWORDS.has(keyword)) return 'control'
  if (READ_KEYWORDS.has(keyword)) return 'read'
  if (keyword === 'WITH')
    return WRITE_IN_CTE.test(blankLiterals(text).toUpperCase())
      ? 'write'
      : 'read'
  if (keyword === 'EXPLAIN') {
    const rest = text.replace(/^[\s(]*EXPLAIN\s+/i, '')
    return /^ANALY[SZ]E\b/i.test(rest)
      ? classifyOne(rest.replace(/^ANALY[SZ]E\s+/i, ''))
      : 'read'
  }
  return 'write'
}

/** Removes `--` and `/* *\/` comments outside literals. */
function stripComments(sql: string): string {
  let out = ''
  let i = 0
  while (i < sql.length) {
    const ch = sql[i]
    const next = sql[i + 1]
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i)
      i = end === -1 ? sql.length : end
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end === -1 ? sql.length : end + 2
      out += ' '
    } else if (ch === "'" || ch === '"') {
      const end = literalEnd(sql, i, ch)
      out += sql.slice(i, end)
      i = end
    } else {
      out += ch
      i += 1
    }
  }
  return out
}

/** Splits on `;` outside literals, dropping empty statements. */
function splitStatements(sql: string): string[] {
  const parts: string[] = []
  let start = 0
  let i = 0
  while (i < sql.length) {
    const ch = sql[i]
    if (ch === "'" || ch === '"') {
      i = literalEnd(sql, i, ch)
    } else if (ch === ';') {
      parts.push(sql.slice(start, i))
      i += 1
      start = i
    } else {
      i += 1
    }
  }
  parts.push(sql.slice(start))
  return parts.filter((part) => part.trim() !== '')
}

/** Replaces the content of quoted literals and identifiers with blanks. */
function blankLiterals(sql: string): string {
  let out = ''
  let i = 0
  while (i < sql.length) {
    const ch = sql[i]
    if (ch === "'" || ch === '"') {
      const end = literalEnd(sql, i, ch)
      out += ' '.repeat(end - i)
      i = end
    } else {
      out += ch
      i += 1
    }
  }
  return out
}

/** Index just past the literal that starts at `start` (doubled quotes escape). */
function literalEnd(sql: string, start: number, quote: string): number {
  let i = start + 1
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2
        continue
      }
      return i + 1
    }
    i += 1
  }
  return sql.length
}
