import { type Token, tokenize } from './sql-lexer.js'

/** What a set of statements wrote, as far as the text tells. */
export interface WriteTargets {
  /** Normalised names of the tables written. */
  readonly tables: readonly string[]
  /** True when some statement may write something the cache cannot name (bump the epoch). */
  readonly unknown: boolean
}

/** Statements that never change table contents or name resolution. */
const NO_WRITE = new Set([
  'SELECT',
  'VALUES',
  'FROM',
  'TABLE',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'SUMMARIZE',
  'PRAGMA',
  'SET',
  'RESET',
  'BEGIN',
  'START',
  'COMMIT',
  'END',
  'ROLLBACK',
  'ABORT',
  'CHECKPOINT',
  'FORCE',
  'ANALYZE',
  'VACUUM',
  'LOAD',
  'INSTALL',
  'USE',
  'CALL',
  'PREPARE',
  'DEALLOCATE',
  'EXPORT',
])

/** Object kinds whose creation or removal cannot change a cached result. */
const HARMLESS_OBJECTS = new Set([
  'SCHEMA',
  'SEQUENCE',
  'TYPE',
  'SECRET',
  'INDEX',
])

/** Words that may stand between CREATE and the object kind. */
const CREATE_MODIFIERS = new Set([
  'OR',
  'REPLACE',
  'TEMP',
  'TEMPORARY',
  'PERSISTENT',
  'UNIQUE',
  'UNLOGGED',
])

/**
 * Finds the tables that statements write: targets of INSERT, UPDATE, DELETE,
 * MERGE, COPY ... FROM, CREATE TABLE, DROP TABLE, ALTER TABLE and TRUNCATE.
 * Statements it cannot classify (views, macros, ATTACH, EXECUTE, a CTE it
 * cannot see past, anything unfamiliar) set `unknown`, which the cache turns
 * into a namespace-wide invalidation: conservative, never stale.
 */
export function findWriteTargets(statements: readonly string[]): WriteTargets {
  const tables = new Set<string>()
  let unknown = false
  for (const text of statements) {
    for (const tokens of tokenize(text)) {
      const result = classify(tokens, 0)
      if (result === 'unknown') unknown = true
      else for (const table of result) tables.add(table)
    }
  }
  return { tables: [...tables], unknown }
}

type Result = readonly string[] | 'unknown'

function classify(tokens: readonly Token[], start: number): Result {
  let i = start
  // A statement in parentheses, such as `(SELECT 1) UNION (SELECT 2)`, reads.
  if (tokens[i]?.text === '(') return []
  const first = word(tokens, i)
  if (first === undefined) return 'unknown'
  i += 1
  if (first === 'WITH') return afterCte(tokens, i)
  if (first === 'EXPLAIN') {
    return word(tokens, i) === 'ANALYZE' ? classify(tokens, i + 1) : []
  }
  if (NO_WRITE.has(first)) return []
  switch (first) {
    case 'INSERT': {
      while (
        word(tokens, i) === 'OR' ||
        word(tokens, i) === 'REPLACE' ||
        word(tokens, i) === 'IGNORE'
      )
        i += 1
      return word(tokens, i) === 'INTO' ? oneName(tokens, i + 1) : 'unknown'
    }
    case 'UPDATE':
      return oneName(tokens, i)
    case 'DELETE':
      return word(tokens, i) === 'FROM' ? oneName(tokens, i + 1) : 'unknown'
    case 'MERGE':
      return word(tokens, i) === 'INTO' ? oneName(tokens, i + 1) : 'unknown'
    case 'TRUNCATE':
      if (word(tokens, i) === 'TABLE') i += 1
      return oneName(tokens, i)
    case 'COPY':
      return copy(tokens, i)
    case 'CREATE':
      return create(tokens, i)
    case 'DROP':
      return drop(tokens, i)
    case 'ALTER':
      return alter(tokens, i)
    default:
      return 'unknown'
  }
}

/** Skips the CTE list (it sits in parentheses) and classifies the main statement. */
function afterCte(tokens: readonly Token[], start: number): Result {
  for (let i = start; i < tokens.length; i += 1) {
    const token = tokens[i] as Token
    if (token.depth !== 0 || token.kind !== 'word') continue
    if (
      [
        'SELECT',
        'INSERT',
        'UPDATE',
        'DELETE',
        'MERGE',
        'FROM',
        'VALUES',
      ].includes(token.text)
    ) {
      return classify(tokens, i)
    }
  }
  return 'unknown'
}

function copy(tokens: readonly Token[], start: number): Result {
  if (tokens[start]?.text === '(') return [] // COPY (query) TO 'file'
  if (word(tokens, start) === 'FROM') return 'unknown' // COPY FROM DATABASE a TO b
  const name = readName(tokens, start)
  if (name === undefined) return 'unknown'
  let i = name.next
  if (tokens[i]?.text === '(') i = skipParens(tokens, i)
  const direction = word(tokens, i)
  if (direction === 'TO') return []
  if (direction === 'FROM') return [name.table]
  return 'unknown'
}

function create(tokens: readonly Token[], start: number): Result {
  let i = start
  while (CREATE_MODIFIERS.has(word(tokens, i) ?? '')) i += 1
  const kind = word(tokens, i)
  if (kind === 'TABLE') {
    i += 1
    if (word(tokens, i) === 'IF') i += 3 // IF NOT EXISTS
    return oneName(tokens, i)
  }
  if (kind === 'INDEX') {
    // CREATE INDEX name ON table: an index does not change results.
    return []
  }
  if (kind !== undefined && HARMLESS_OBJECTS.has(kind)) return []
  return 'unknown'
}

function drop(tokens: readonly Token[], start: number): Result {
  const kind = word(tokens, start)
  if (kind === 'TABLE') {
    let i = start + 1
    if (word(tokens, i) === 'IF') i += 2 // IF EXISTS
    const tables: string[] = []
    for (;;) {
      const name = readName(tokens, i)
      if (name === undefined) return 'unknown'
      tables.push(name.table)
      if (tokens[name.next]?.text !== ',') return tables
      i = name.next + 1
    }
  }
  if (kind === 'SCHEMA') return 'unknown'
  if (kind !== undefined && HARMLESS_OBJECTS.has(kind)) return []
  return 'unknown'
}

function alter(tokens: readonly Token[], start: number): Result {
  if (word(tokens, start) !== 'TABLE') return 'unknown'
  let i = start + 1
  if (word(tokens, i) === 'IF') i += 2 // IF EXISTS
  const name = readName(tokens, i)
  if (name === undefined) return 'unknown'
  const tables = [name.table]
  // ALTER TABLE a RENAME TO b: results that read either name change.
  for (let j = name.next; j < tokens.length - 1; j += 1) {
    if (word(tokens, j) === 'RENAME' && word(tokens, j + 1) === 'TO') {
      const renamed = readName(tokens, j + 2)
      if (renamed === undefined) return 'unknown'
      tables.push(renamed.table)
    }
  }
  return tables
}

function oneName(tokens: readonly Token[], start: number): Result {
  const name = readName(tokens, start)
  return name === undefined ? 'unknown' : [name.table]
}

/** Reads a possibly qualified name; returns its last part (lower-cased) and the next index. */
function readName(
  tokens: readonly Token[],
  start: number,
): { table: string; next: number } | undefined {
  let i = start
  let last: string | undefined
  for (;;) {
    const token = tokens[i]
    if (
      token === undefined ||
      (token.kind !== 'word' && token.kind !== 'quoted')
    ) {
      break
    }
    last = token.text
    i += 1
    if (tokens[i]?.text !== '.') break
    i += 1
  }
  if (last === undefined || last.length === 0) return undefined
  return { table: last.toLowerCase(), next: i }
}

function skipParens(tokens: readonly Token[], start: number): number {
  const depth = (tokens[start] as Token).depth
  let i = start + 1
  while (
    i < tokens.length &&
    !(tokens[i]?.text === ')' && tokens[i]?.depth === depth)
  )
    i += 1
  return i + 1
}

function word(tokens: readonly Token[], index: number): string | undefined {
  const token = tokens[index]
  return token?.kind === 'word' ? token.text : undefined
}
