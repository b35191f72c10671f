// Prints the totals of the last vitest run (read from its JSON report) as
// `N passed, N failed[, N skipped]` and exits with the exit code it was given,
// or 1 when the report shows a failure or is missing.
import { readFileSync } from 'node:fs'

/**
 * @typedef {object} Report
 * @property {number} [numPassedTests]
 * @property {number} [numFailedTests]
 * @property {number} [numPendingTests]
 * @property {number} [numTodoTests]
 * @property {boolean} [success]
 * @property {{ status: string, assertionResults?: unknown[] }[]} [testResults]
 */

const given = Number(process.argv[2] ?? 0)

/** @returns {Report | undefined} */
function readReport() {
  try {
    const url = new URL('../.vitest/results.json', import.meta.url)
    return /** @type {Report} */ (JSON.parse(readFileSync(url, 'utf8')))
  } catch {
    return undefined
  }
}

const report = readReport()
if (report === undefined) {
  console.log(
    '0 passed, 0 failed (no vitest report: the run stopped before the tests)',
  )
  process.exit(given || 1)
}
const passed = report.numPassedTests ?? 0
// A file that fails to load has no assertion results; count it as one failure.
const brokenFiles = (report.testResults ?? []).filter(
  (r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0,
).length
const failed = (report.numFailedTests ?? 0) + brokenFiles
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
console.log(
  `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`,
)
process.exit(given || (failed > 0 || report.success === false ? 1 : 0))
