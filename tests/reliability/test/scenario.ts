import { inject, onTestFinished } from 'vitest'
import { currentProfile } from '../src/profile.js'
import { formatResult, ScenarioRecorder } from '../src/scenario-recorder.js'

/**
 * A recorder for the scenario of the current test: when the test finishes
 * (passed or failed), its figures are printed and saved for the report.
 */
export function recordScenario(
  order: number,
  id: string,
  title: string,
): ScenarioRecorder {
  const recorder = new ScenarioRecorder(order, id, title, currentProfile().name)
  onTestFinished(({ task }) => {
    const failed = task.result?.state === 'fail'
    const errors = (task.result?.errors ?? []).map((error) =>
      String(error.message),
    )
    const result = recorder.result(failed ? 'failed' : 'passed', errors)
    recorder.save(inject('reliabilityResultsDir'), result)
    console.log(formatResult(result))
  })
  return recorder
}
