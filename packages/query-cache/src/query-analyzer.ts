import { LRUCache } from 'lru-cache'
import { analyzeRead, type ReadAnalysis } from './read-analysis.js'
import { normalizeSql } from './sql-lexer.js'
import { sqlId } from './query-key.js'
import { type QueryRunner } from './types.js'

/** What the cache knows about one SQL text. */
export interface AnalyzedSql {
  /** Stable id of the normalised text (part of the cache key). */
  readonly id: string
  /** What DuckDB's parser says it reads. */
  readonly read: ReadAnalysis
}

/**
 * One round trip, run through the caller's runner: DuckDB's own parser
 * (`json_serialize_sql`) for the statement and for every view, so reads of a
 * view depend on the tables behind it.
 */
const ANALYZE_SQL = `SELECT CAST(json_serialize_sql(?::VARCHAR) AS VARCHAR) AS j, (SELECT CAST(to_json(list({'n': lower(view_name), 'j': json_serialize_sql(regexp_extract(sql, '(?is)^\\s*create\\s.*?\\bview\\b.*?\\bas\\b\\s*(.*?);?\\s*$', 1))})) AS VARCHAR) FROM duckdb_views() WHERE NOT internal) AS v`

/**
 * Parses SQL texts once each: the parse is kept per text in a bounded map, so
 * it costs one round trip per distinct SQL, not per call.
 */
export class QueryAnalyzer {
  readonly #cache: LRUCache<string, Promise<AnalyzedSql>>

  constructor(maxEntries: number) {
    this.#cache = new LRUCache({ max: maxEntries })
  }

  /** Analyzes `sql` (cached); rejects when the runner fails. */
  analyze(runner: QueryRunner, sql: string): Promise<AnalyzedSql> {
    const known = this.#cache.get(sql)
    if (known !== undefined) return known
    const pending = this.#run(runner, sql)
    this.#cache.set(sql, pending)
    pending.catch(() => {
      if (this.#cache.get(sql) === pending) this.#cache.delete(sql)
    })
    return pending
  }

  /** Forgets every parse (views may have changed). */
  clear(): void {
    this.#cache.clear()
  }

  async #run(runner: QueryRunner, sql: string): Promise<AnalyzedSql> {
    const normalized = normalizeSql(sql)
    const rows = await runner.query(ANALYZE_SQL, [sql])
    const row = rows[0] ?? {}
    const views = new Map<string, unknown>()
    const listed = parseList(row.v)
    for (const item of listed) {
      if (typeof item === 'object' && item !== null) {
        const { n, j } = item as { n?: unknown; j?: unknown }
        if (typeof n === 'string') views.set(n, j)
      }
    }
    return { id: sqlId(normalized), read: analyzeRead(row.j, views) }
  }
}

function parseList(value: unknown): unknown[] {
  if (typeof value !== 'string') return []
  try {
    const parsed: unknown = JSON.parse(value)
    return Array.isArray(parsed) ? parsed : []
  } catch {
    return []
  }
}
