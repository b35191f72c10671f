import {
  type Clock,
  type DatabaseError,
  ErrorCodes,
  isDatabaseError,
} from '@duckkit/resilience'
import type { PoolHealth, PoolState, PoolStats } from './types.js'
import { PoolErrorCodes } from './pool-errors.js'

/** An acquire timeout this recent makes the pool report `degraded`. */
const RECENT_TIMEOUT_MS = 60_000

/** What {@link probeHealth} needs to know about the pool. */
export interface HealthInput {
  /** Lifecycle state. */
  state: PoolState
  /** The fatal error that took the pool down, if any. */
  fatal: DatabaseError | undefined
  /** Current statistics. */
  stats: () => PoolStats
  /** Source of time. */
  clock: Clock
  /** Bound of the probe, acquire included. */
  timeoutMs: number
  /** When an acquire last timed out, on the pool's clock. */
  lastAcquireTimeoutAt: number | undefined
  /** Runs `SELECT 1` on a pooled connection, giving up when the signal aborts. */
  probe: (signal: AbortSignal) => Promise<void>
}

/**
 * Decides the pool's health: `down` when closed or invalidated, `degraded`
 * when the probe fails or is slow, callers are waiting, or an acquire timed
 * out in the last minute, `ok` otherwise.
 */
export async function probeHealth(input: HealthInput): Promise<PoolHealth> {
  if (input.state === 'closing' || input.state === 'closed') {
    return {
      status: 'down',
      latencyMs: undefined,
      reasons: [`pool is ${input.state}`],
      stats: input.stats(),
    }
  }
  if (input.state === 'down') {
    const detail = input.fatal?.message ?? 'fatal error'
    return {
      status: 'down',
      latencyMs: undefined,
      reasons: [`database invalidated by a fatal error: ${detail}`],
      stats: input.stats(),
    }
  }
  const reasons: string[] = []
  const controller = new AbortController()
  const timer = input.clock.setTimeout(
    () => controller.abort(),
    input.timeoutMs,
  )
  const started = performance.now()
  let latencyMs: number | undefined
  try {
    await input.probe(controller.signal)
    latencyMs = performance.now() - started
  } catch (error) {
    if (
      isDatabaseError(error) &&
      (error.code === PoolErrorCodes.down || error.code === ErrorCodes.fatal)
    ) {
      return {
        status: 'down',
        latencyMs: undefined,
        reasons: [`database invalidated by a fatal error: ${error.message}`],
        stats: input.stats(),
      }
    }
    if (
      isDatabaseError(error) &&
      error.code === PoolErrorCodes.acquireAborted
    ) {
      reasons.push(
        `probe could not get a connection within ${input.timeoutMs} ms`,
      )
    } else if (
      isDatabaseError(error) &&
      (error.code === ErrorCodes.queryTimeout ||
        error.code === ErrorCodes.interrupted)
    ) {
      reasons.push(`probe did not answer within ${input.timeoutMs} ms`)
    } else {
      reasons.push(
        `probe failed: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  } finally {
    input.clock.clearTimeout(timer)
  }
  const stats = input.stats()
  if (stats.waiting > 0)
    reasons.push(`saturated: ${stats.waiting} callers waiting for a connection`)
  const last = input.lastAcquireTimeoutAt
  if (last !== undefined && input.clock.now() - last < RECENT_TIMEOUT_MS) {
    reasons.push(
      `an acquire timed out ${Math.round((input.clock.now() - last) / 1000)} s ago (${stats.timeouts} in total)`,
    )
  }
  return {
    status: reasons.length === 0 ? 'ok' : 'degraded',
    latencyMs,
    reasons,
    stats,
  }
}
