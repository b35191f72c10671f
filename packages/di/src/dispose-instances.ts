import type { DisposalFailure } from './errors.js'
import { isLive, type Instance } from './instance.js'

/** Reports one dispose hook: its name, duration and what it threw (or `undefined`). */
export type DisposeReporter = (
  name: string,
  durationMs: number,
  error: unknown,
) => void

/**
 * Runs the dispose hooks of live, not yet disposed instances in reverse
 * creation order (dependents before their dependencies), one at a time, and
 * collects what each throws instead of stopping.
 */
export async function disposeInstances(
  instances: readonly Instance[],
  now: () => number,
  report: DisposeReporter,
): Promise<DisposalFailure[]> {
  const failures: DisposalFailure[] = []
  for (let i = instances.length - 1; i >= 0; i--) {
    const instance = instances[i]
    if (instance === undefined || instance.disposed || !isLive(instance)) {
      continue
    }
    const hook = instance.registration.dispose
    if (hook === undefined) continue
    instance.disposed = true
    const started = now()
    let error: unknown = undefined
    try {
      await hook(instance.value)
    } catch (thrown) {
      error = thrown ?? new Error('dispose hook threw a nullish value')
      failures.push({ registration: instance.registration.name, error })
    }
    report(instance.registration.name, now() - started, error)
  }
  return failures
}
