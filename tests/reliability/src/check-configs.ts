import { type StoredConfig } from './database-snapshot.js'
import { chainLength, decodeConfig } from './tagged-config.js'
import { type WriteLog } from './write-log.js'

/** How a scenario lays out its writes: upserts per priority, or whole chains. */
export interface WriteLayout {
  /** Usage types written by upserts, one writer each; the log key is `usageType/priority`. */
  readonly upsertTypes: readonly string[]
  /** Usage types written by chain replacements, one writer each; the log key is the usage type. */
  readonly chainTypes: readonly string[]
}

/** The log key of an upsert. */
export function upsertKey(usageType: string, priority: number): string {
  return `${usageType}/${priority}`
}

/**
 * Checks configurations (from the API or the file) against a write log:
 * every row is one write's whole content (no torn row), every chain is one
 * write's whole chain (same write, full length, priorities 1..n), and every
 * key shows a value the log allows (no lost acknowledged write, no refused
 * or invented write). Returns the violations, empty when all hold, and the
 * sequence observed at each key.
 */
export function checkConfigs(
  configs: readonly StoredConfig[],
  log: WriteLog,
  layout: WriteLayout,
): { violations: string[]; observed: Map<string, number | undefined> } {
  const violations: string[] = []
  const observed = new Map<string, number | undefined>()
  const seen = new Set<string>()
  const byType = new Map<string, StoredConfig[]>()
  for (const config of configs) {
    const list = byType.get(config.usageType) ?? []
    list.push(config)
    byType.set(config.usageType, list)
  }
  for (const usageType of layout.upsertTypes) {
    for (const config of byType.get(usageType) ?? []) {
      const key = upsertKey(usageType, config.priority)
      const tag = decodeConfig(config, config.priority)
      if (typeof tag === 'string' || tag.writer !== usageType) {
        violations.push(
          `${key}: ${typeof tag === 'string' ? tag : `holds a write of ${tag.writer}`}`,
        )
        seen.add(key)
        continue
      }
      observed.set(key, tag.seq)
    }
  }
  for (const key of log.keys()) {
    if (!layout.upsertTypes.some((type) => key.startsWith(`${type}/`))) continue
    if (!observed.has(key) && !seen.has(key)) observed.set(key, undefined)
  }
  for (const usageType of layout.chainTypes) {
    const chain = [...(byType.get(usageType) ?? [])].sort(
      (a, b) => a.priority - b.priority,
    )
    const problem = chainProblem(usageType, chain)
    if (typeof problem === 'string') violations.push(problem)
    else observed.set(usageType, problem)
  }
  for (const [key, seq] of observed) {
    const violation = log.violation(key, seq)
    if (violation !== undefined) violations.push(violation)
  }
  return { violations, observed }
}

/** The write a chain holds entirely (undefined when empty), or why it is not one write's whole chain. */
function chainProblem(
  usageType: string,
  chain: readonly StoredConfig[],
): number | undefined | string {
  if (chain.length === 0) return undefined
  const seqs = new Set<number>()
  for (const [index, config] of chain.entries()) {
    if (config.priority !== index + 1)
      return `${usageType}: priorities ${chain.map((c) => c.priority).join(',')} are not 1..${chain.length}`
    const tag = decodeConfig(config, config.priority)
    if (typeof tag === 'string') return `${usageType}: ${tag}`
    if (tag.writer !== usageType)
      return `${usageType}: holds a write of ${tag.writer}`
    seqs.add(tag.seq)
  }
  if (seqs.size !== 1)
    return `${usageType}: a chain mixing writes ${[...seqs].join(', ')} (half-written)`
  const [seq] = [...seqs]
  if (seq === undefined) return undefined
  if (chain.length !== chainLength(seq))
    return `${usageType}: write #${seq} has ${chain.length} of its ${chainLength(seq)} entries (half-written)`
  return seq
}
