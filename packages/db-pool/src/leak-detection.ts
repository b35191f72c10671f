import type { ConnectionSlot } from './connection-slot.js'
import type { LeakEvent } from './pool-events.js'

/** Frames kept in a leak report: enough to show the caller, cheap to capture. */
const ORIGIN_FRAMES = 12

/** Records where a connection is being acquired, with a bounded stack depth. */
export function captureOrigin(): Error {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = ORIGIN_FRAMES
  const origin = new Error('Connection acquired here')
  Error.stackTraceLimit = limit
  return origin
}

/** Borrows held at least `thresholdMs` and not reported yet; marks them reported. */
export function findLeaks(
  slots: Iterable<ConnectionSlot>,
  now: number,
  thresholdMs: number,
): LeakEvent[] {
  const leaks: LeakEvent[] = []
  for (const slot of slots) {
    const borrower = slot.borrower
    if (borrower === undefined || borrower.leakReported) continue
    const heldMs = now - borrower.acquiredAt
    if (heldMs < thresholdMs) continue
    borrower.leakReported = true
    leaks.push({
      connectionId: slot.id,
      heldMs,
      acquiredAt: borrower.acquiredAt,
      stack: borrower.origin?.stack ?? '',
    })
  }
  return leaks
}
