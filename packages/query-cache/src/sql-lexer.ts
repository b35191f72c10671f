/** Kind of a SQL token. */
type TokenKind = 'word' | 'quoted' | 'string' | 'symbol' | 'other'

/** One token of a SQL statement. */
export interface Token {
  /** What the token is. */
  readonly kind: TokenKind
  /** Its text: upper-cased for words, unquoted for quoted identifiers, verbatim otherwise. */
  readonly text: string
  /** Parenthesis depth at which the token starts. */
  readonly depth: number
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/

/**
 * Splits SQL text into statements (at `;` outside parentheses, strings and
 * comments) of tokens. Comments and whitespace are dropped. It understands
 * `'strings'`, `"identifiers"`, `$tag$ dollar quotes $tag$`, `--` and nested
 * `/* *\/` comments, which is all the write-target detection needs.
 */
export function tokenize(sql: string): Token[][] {
  const statements: Token[][] = []
  let current: Token[] = []
  let depth = 0
  let i = 0
  const n = sql.length
  while (i < n) {
    const ch = sql[i] as string
    if (
      ch === ' ' ||
      ch === '\t' ||
      ch === '\n' ||
      ch === '\r' ||
      ch === '\f'
    ) {
      i += 1
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      i = end === -1 ? n : end + 1
    } else if (ch === '/' && sql[i + 1] === '*') {
      i = skipBlockComment(sql, i)
    } else if (ch === "'") {
      const end = closeQuote(sql, i, "'")
      current.push({ kind: 'string', text: sql.slice(i, end), depth })
      i = end
    } else if (ch === '"') {
      const end = closeQuote(sql, i, '"')
      const text = sql.slice(i + 1, end - 1).replaceAll('""', '"')
      current.push({ kind: 'quoted', text, depth })
      i = end
    } else if (ch === '$' && /[A-Za-z_$]/.test(sql[i + 1] ?? '')) {
      const end = dollarQuoteEnd(sql, i)
      if (end === -1) {
        current.push({ kind: 'other', text: ch, depth })
        i += 1
      } else {
        current.push({ kind: 'string', text: sql.slice(i, end), depth })
        i = end
      }
    } else if (WORD_START.test(ch)) {
      let end = i + 1
      while (end < n && WORD_PART.test(sql[end] as string)) end += 1
      current.push({
        kind: 'word',
        text: sql.slice(i, end).toUpperCase(),
        depth,
      })
      i = end
    } else if (ch === ';' && depth === 0) {
      if (current.length > 0) statements.push(current)
      current = []
      i += 1
    } else {
      if (ch === ')') depth = Math.max(0, depth - 1)
      current.push({
        kind:
          ch === '(' || ch === ')' || ch === '.' || ch === ','
            ? 'symbol'
            : 'other',
        text: ch,
        depth,
      })
      if (ch === '(') depth += 1
      i += 1
    }
  }
  if (current.length > 0) statements.push(current)
  return statements
}

/** Index just past the closing quote (a doubled quote is an escaped one). */
function closeQuote(sql: string, start: number, quote: string): number {
  let i = start + 1
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2
      else return i + 1
    } else {
      i += 1
    }
  }
  return sql.length
}

function skipBlockComment(sql: string, start: number): number {
  let level = 0
  let i = start
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      level += 1
      i += 2
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      level -= 1
      i += 2
      if (level === 0) return i
    } else {
      i += 1
    }
  }
  return sql.length
}

/** Index past a `$tag$ ... $tag$` literal, or -1 when `start` does not open one. */
function dollarQuoteEnd(sql: string, start: number): number {
  const close = sql.indexOf('$', start + 1)
  if (close === -1) return -1
  const tag = sql.slice(start, close + 1)
  if (!/^\$[A-Za-z_]*\$$/.test(tag)) return -1
  const end = sql.indexOf(tag, close + 1)
  return end === -1 ? sql.length : end + tag.length
}

/**
 * Collapses whitespace and drops comments outside literals, and strips
 * trailing semicolons, so that formatting differences do not split the cache.
 */
export function normalizeSql(sql: string): string {
  let out = ''
  let pendingSpace = false
  let i = 0
  const n = sql.length
  const emit = (text: string): void => {
    if (pendingSpace && out.length > 0) out += ' '
    pendingSpace = false
    out += text
  }
  while (i < n) {
    const ch = sql[i] as string
    if (
      ch === ' ' ||
      ch === '\t' ||
      ch === '\n' ||
      ch === '\r' ||
      ch === '\f'
    ) {
      pendingSpace = true
      i += 1
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      i = end === -1 ? n : end + 1
      pendingSpace = true
    } else if (ch === '/' && sql[i + 1] === '*') {
      i = skipBlockComment(sql, i)
      pendingSpace = true
    } else if (ch === "'" || ch === '"') {
      const end = closeQuote(sql, i, ch)
      emit(sql.slice(i, end))
      i = end
    } else if (ch === '$' && /[A-Za-z_$]/.test(sql[i + 1] ?? '')) {
      const end = dollarQuoteEnd(sql, i)
      const stop = end === -1 ? i + 1 : end
      emit(sql.slice(i, stop))
      i = stop
    } else {
      emit(ch)
      i += 1
    }
  }
  return out.replace(/[\s;]+$/, '')
}
