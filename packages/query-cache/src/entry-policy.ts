import { InvalidOptionError } from '@duckkit/resilience'
import { checkTtl } from './options.js'
import { normalizeTableName } from './table-name.js'
import { type EntryOptions } from './types.js'
import { EPOCH_DEP, tableDep, tagDep } from './version-source.js'

/** What an entry depends on and how long it lives. */
export interface EntryPolicy {
  /** Version keys, `*` first, then tables and tags in sorted order. */
  readonly deps: readonly string[]
  /** Time to live in milliseconds. */
  readonly ttlMs: number
  /** Stale-while-revalidate window in milliseconds. */
  readonly swrMs: number
}

/** Builds the policy of one call from its (already checked) options and the cache's defaults. */
export function entryPolicy(
  options: EntryOptions | undefined,
  defaultTtlMs: number,
  defaultSwrMs: number,
): EntryPolicy {
  return {
    deps: depsOf(options?.tables, options?.tags),
    ttlMs: options?.ttlMs ?? defaultTtlMs,
    swrMs: options?.staleWhileRevalidateMs ?? defaultSwrMs,
  }
}

const EPOCH_ONLY: readonly string[] = [EPOCH_DEP]
/** Deps of single-table entries by table name as written, shared by every call (never mutated). */
const singleTable = new Map<string, readonly string[]>()

/** Version keys of an entry: the epoch, then its tables and tags, each sorted and without duplicates. */
function depsOf(
  tables: readonly string[] | undefined,
  tags: readonly string[] | undefined,
): readonly string[] {
  const tableCount = tables?.length ?? 0
  const tagCount = tags?.length ?? 0
  if (tableCount + tagCount === 0) return EPOCH_ONLY
  if (tableCount === 1 && tagCount === 0) {
    const table = tables?.[0] as string
    let deps = singleTable.get(table)
    if (deps === undefined) {
      deps = [EPOCH_DEP, tableDep(tableKey(table))]
      if (singleTable.size >= 1000) singleTable.clear()
      singleTable.set(table, deps)
    }
    return deps
  }
  const tableDeps = [...new Set((tables ?? []).map(tableKey))]
    .sort()
    .map(tableDep)
  const tagDeps = [...new Set(tags ?? [])].sort().map(tagDep)
  return [EPOCH_DEP, ...tableDeps, ...tagDeps]
}

const SIMPLE_NAME = /^[a-z_][a-z0-9_]*$/
const normalized = new Map<string, string>()

/** {@link normalizeTableName}, remembered for the names a process uses most. */
function tableKey(name: string): string {
  if (SIMPLE_NAME.test(name)) return name
  let key = normalized.get(name)
  if (key === undefined) {
    key = normalizeTableName(name)
    if (normalized.size >= 1000) normalized.clear()
    normalized.set(name, key)
  }
  return key
}

/** Validates per-call options without building anything (cheap enough for every hit). */
export function checkEntryOptions(options: EntryOptions | undefined): void {
  if (options === undefined) return
  checkTtl('ttlMs', options.ttlMs)
  checkTtl('staleWhileRevalidateMs', options.staleWhileRevalidateMs)
  checkNames('tables', options.tables)
  checkNames('tags', options.tags)
}

function checkNames(field: string, value: unknown): void {
  if (value === undefined) return
  if (!Array.isArray(value)) {
    throw new InvalidOptionError(field, value, 'an array of non-empty strings')
  }
  for (const item of value as unknown[]) {
    if (typeof item !== 'string' || item.trim().length === 0) {
      throw new InvalidOptionError(
        field,
        value,
        'an array of non-empty strings',
      )
    }
  }
}

/** Checks a list of table or tag names. */
export function names(field: string, value: unknown): string[] {
  if (value === undefined) return []
  checkNames(field, value)
  return value as string[]
}

/** Whether two dependency lists are the same, in order. */
export function sameDeps(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false
  return true
}
