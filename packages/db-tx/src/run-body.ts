import type { AsyncLocalStorage } from 'node:async_hooks'
import { invoke, rejectWith } from './reject.js'
import type { Transaction } from './types.js'
import type { Unit } from './unit.js'

/**
 * Runs `fn(unit)` with `unit` as the ambient unit of `als`. The returned
 * promise settles with `fn`, or rejects as soon as the unit's deadline aborts
 * (without waiting for `fn`, which is left to fail on its own).
 */
export function runBody<T>(
  als: AsyncLocalStorage<Unit>,
  unit: Unit,
  fn: (tx: Transaction) => Promise<T> | T,
): Promise<T> {
  const body = als.run(unit, () => invoke(() => fn(unit)))
  const { deadline } = unit
  if (deadline.aborted) {
    body.catch(() => undefined)
    return rejectWith(deadline.reason)
  }
  return new Promise<T>((resolve) => {
    // Settling with a rejected promise rejects this one with the reason unchanged.
    const stop = deadline.onAbort(() => {
      resolve(rejectWith(deadline.reason))
    })
    const settle = (): void => {
      stop()
      resolve(body)
    }
    body.then(settle, settle)
  })
}
