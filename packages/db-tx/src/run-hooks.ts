import type { CommitEvent, TransactionListener } from './types.js'
import type { Unit } from './unit.js'

/** Reports a hook or listener that threw. */
export type HookFailure = (
  hook: 'afterCommit' | 'afterRollback',
  source: 'listener' | 'callback',
  error: unknown,
) => void

/**
 * Runs the listeners, then the callbacks registered in the final attempt of
 * `root`, one after another. On commit, a callback runs as `afterCommit` unless
 * its unit was rolled back to a savepoint (then as `afterRollback`); on
 * rollback every `afterRollback` runs. Errors are reported, never thrown.
 */
export async function runHooks(
  root: Unit,
  outcome: 'commit' | 'rollback',
  error: unknown,
  listeners: readonly TransactionListener[],
  failed: HookFailure,
): Promise<void> {
  const hook = outcome === 'commit' ? 'afterCommit' : 'afterRollback'
  const event: CommitEvent = { statements: root.statements() }
  for (const listener of listeners) {
    try {
      await (outcome === 'commit'
        ? listener.afterCommit?.(event)
        : listener.afterRollback?.(event))
    } catch (hookError) {
      failed(hook, 'listener', hookError)
    }
  }
  for (const entry of root.hooks) {
    const undone =
      outcome === 'rollback' ? { reason: error } : entry.unit.rollbackReason()
    const run =
      entry.kind === 'commit' ? undone === undefined : undone !== undefined
    if (!run) continue
    try {
      await entry.fn(undone?.reason)
    } catch (hookError) {
      failed(
        entry.kind === 'commit' ? 'afterCommit' : 'afterRollback',
        'callback',
        hookError,
      )
    }
  }
}
