import type { PoolWarning } from './types.js'

/** libuv's thread-pool size as this process configured it (default 4, bounded 1..1024). */
export function threadpoolSizeFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): number {
  const parsed = Number.parseInt(env.UV_THREADPOOL_SIZE ?? '', 10)
  if (!Number.isFinite(parsed) || parsed < 1) return 4
  return Math.min(parsed, 1024)
}

/**
 * The default `max`: one connection per core (DuckDB work is CPU-bound), at
 * least 2 (so one long transaction does not block every other caller), and
 * at most `UV_THREADPOOL_SIZE - 1` (so one libuv thread stays free for file,
 * DNS and `connect()` work).
 */
export function defaultMax(cores: number, threadpoolSize: number): number {
  return Math.max(2, Math.min(cores, threadpoolSize - 1))
}

/** The warning a pool raises when `max` busy connections would take every libuv thread. */
export function threadpoolWarning(
  max: number,
  threadpoolSize: number,
): PoolWarning | undefined {
  if (max < threadpoolSize) return undefined
  return {
    code: 'DUCKKIT_POOL_THREADPOOL',
    message:
      `max (${max}) >= UV_THREADPOOL_SIZE (${threadpoolSize}): with ${threadpoolSize} queries running, ` +
      'every libuv thread is busy, so file, DNS and crypto work and opening connections wait behind them. ' +
      `Start Node with UV_THREADPOOL_SIZE=${max + 1} or more, or lower max.`,
  }
}
