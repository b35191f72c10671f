/** The dependency every entry has: the namespace epoch (bumped by `clear` and unknown writes). */
export const EPOCH_DEP = '*'

/** Version key of a table (already normalised). */
export function tableDep(table: string): string {
  return `t:${table}`
}

/** Version key of a tag. */
export function tagDep(tag: string): string {
  return `g:${tag}`
}

/**
 * Result of checking stored versions against what an instance knows locally:
 * `current` (may be served), `stale` (a version moved) or `unknown` (local
 * knowledge is not trusted or lacks a dependency).
 */
export type Check = 'current' | 'stale' | 'unknown'

/**
 * Where versions come from: in-process counters, or Redis plus a local mirror
 * kept current by the bus. Versions only grow.
 */
export interface VersionSource {
  /** Whether local knowledge may be trusted now (always without Redis; with it, while the bus lease holds). */
  readonly trusted: boolean
  /** True while an invalidation that could not reach Redis waits for replay: the cache must be bypassed. */
  readonly blocked: boolean
  /** Moves whenever a bump, reset or change of trust is applied locally (single-flight joins compare it). */
  readonly generation: number
  /** Checks stored versions against local knowledge (only when trusted). */
  check(deps: readonly string[], versions: readonly number[]): Check
  /** Checks against the last known versions even when not trusted (bounded-staleness mode). */
  checkLastKnown(deps: readonly string[], versions: readonly number[]): Check
  /** Current versions from local knowledge, or undefined when it cannot answer (it answers only while `trusted`; `now` saves a clock read). */
  peek(deps: readonly string[], now?: number): number[] | undefined
  /** Current versions from the source of truth (Redis: one round trip); rejects when it is unreachable. */
  read(deps: readonly string[]): Promise<number[]>
  /** Bumps deps (or everything, with `reset`) and resolves once every live instance has applied it. */
  bump(deps: readonly string[], reset: boolean): Promise<void>
  /** Tells other instances to drop `key` from their L1, with the same guarantee as `bump`. */
  dropKey(key: string): Promise<void>
  /** Releases timers and connections. */
  close(): Promise<void>
}
