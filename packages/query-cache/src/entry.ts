/** One cached result with what it takes to decide whether it may be served. */
export interface CacheEntry {
  /** The cached value (shared by every reader of L1: treat it as immutable). */
  readonly value: unknown
  /** Version keys the value depends on (`*` first, then `t:<table>`, `g:<tag>`). */
  readonly deps: readonly string[]
  /** Versions of `deps` read before the value was computed. */
  readonly versions: readonly number[]
  /** When the value was stored, in clock milliseconds. */
  readonly createdAt: number
  /** When the TTL ends. */
  readonly expiresAt: number
  /** When the stale-while-revalidate window ends (equal to `expiresAt` without one). */
  readonly staleUntil: number
  /** How long the factory took, in milliseconds (for the "saved" estimate). */
  readonly costMs: number
  /** Serialized size in bytes (L1 accounting). */
  readonly size: number
}

/** Whether the stored versions equal the current ones, position by position. */
export function sameVersions(
  stored: readonly number[],
  current: readonly number[],
): boolean {
  if (stored.length !== current.length) return false
  for (let i = 0; i < stored.length; i += 1) {
    if (stored[i] !== current[i]) return false
  }
  return true
}
