import { execFileSync } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { type TestProject } from 'vitest/node'
import { currentProfile } from './profile.js'
import { renderReport } from './report.js'
import {
  readScenarioResults,
  type ScenarioResult,
} from './scenario-recorder.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder where every scenario saves its result for the report. */
    reliabilityResultsDir: string
  }
}

const ROOT = join(import.meta.dirname, '..', '..', '..')
/** Where the `full` profile writes its report. */
export const REPORT_PATH = join(ROOT, 'docs', 'reliability-report.md')

/** The workspace folders the service is built from (its `dist/` must be current). */
const BUILT = [
  'packages/resilience',
  'packages/db-pool',
  'packages/db-tx',
  'packages/query-cache',
  'packages/model-config',
  'packages/di',
  'apps/server',
]

/**
 * Global setup of the reliability run: builds the service when a `dist/` is
 * missing or older than its sources, and gives the scenarios a folder for
 * their results. In the `full` profile, the teardown writes
 * `docs/reliability-report.md` from them.
 */
export default function setup(project: TestProject): () => Promise<void> {
  const profile = currentProfile()
  const startedAt = new Date()
  const loadAtStart = loadavg()[0] ?? 0
  buildWhenStale()
  const dir = mkdtempSync(join(tmpdir(), 'duckkit-reliability-'))
  project.provide('reliabilityResultsDir', dir)
  return async () => {
    const results = readScenarioResults(dir)
    rmSync(dir, { recursive: true, force: true })
    if (profile.name !== 'full' || results.length === 0) return
    if (!complete(results)) {
      process.stdout.write(
        '[reliability] not every scenario ran (a filter?): the report is not written\n',
      )
      return
    }
    const markdown = renderReport(
      {
        command: commandLine(),
        startedAt,
        durationMs: Date.now() - startedAt.getTime(),
        loadAtStart,
      },
      results,
    )
    const options = (await resolveConfig(REPORT_PATH)) ?? {}
    writeFileSync(
      REPORT_PATH,
      await format(markdown, { ...options, parser: 'markdown' }),
    )
    process.stdout.write(`[reliability] report written to ${REPORT_PATH}\n`)
  }
}

/** Whether the six scenarios all saved a result. */
function complete(results: readonly ScenarioResult[]): boolean {
  return new Set(results.map((result) => result.order)).size === 6
}

/** The command of this run, as a user would type it from the repository root. */
function commandLine(): string {
  if (process.env.npm_lifecycle_event === 'test:reliability')
    return 'pnpm test:reliability'
  const args = process.argv.slice(2).join(' ')
  return `DUCKKIT_RELIABILITY_PROFILE=full vitest ${args}`.trim()
}

function newest(dir: string): number {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(
      latest,
      entry.isDirectory() ? newest(path) : statSync(path).mtimeMs,
    )
  }
  return latest
}

/** Builds the service and the packages it uses when any `dist/` is missing or stale. */
function buildWhenStale(): void {
  const stale = BUILT.filter((folder) => {
    const dist = join(ROOT, folder, 'dist')
    const entry = join(dist, folder === 'apps/server' ? 'main.js' : 'index.js')
    return (
      !existsSync(entry) ||
      statSync(entry).mtimeMs < newest(join(ROOT, folder, 'src'))
    )
  })
  if (stale.length === 0) return
  process.stdout.write(
    `[reliability] building the service (${stale.join(', ')} out of date)\n`,
  )
  execFileSync('pnpm', ['--filter', '@duckkit/server...', 'run', 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
  })
}
