import { cpus, loadavg, totalmem } from 'node:os'
import { type ScenarioResult } from './scenario-recorder.js'

/** What the report says about the run besides the scenario results. */
export interface ReportContext {
  /** The command that produced the run. */
  readonly command: string
  /** When the run started. */
  readonly startedAt: Date
  /** Wall time of the whole run, in milliseconds. */
  readonly durationMs: number
  /** Load average (1 minute) when the run started. */
  readonly loadAtStart: number
}

/** A line describing the machine: cores, CPU model, memory, Node.js version, load. */
function machineLine(loadAtStart = loadavg()[0] ?? 0): string {
  const cores = cpus()
  const model = cores[0]?.model.trim() ?? 'unknown CPU'
  const gib = (totalmem() / 2 ** 30).toFixed(1)
  return `${cores.length} cores (${model}), ${gib} GiB RAM, Node.js ${process.version}, ${process.platform}-${process.arch}, load average ${loadAtStart.toFixed(2)} at start`
}

/** Renders the markdown report of a run. */
export function renderReport(
  context: ReportContext,
  results: readonly ScenarioResult[],
): string {
  const passed = results.filter((result) => result.outcome === 'passed').length
  const lines = [
    '# DuckKit reliability report',
    '',
    'Written by the reliability suite (`tests/reliability`, issue 10) at the end of',
    'a run of its `full` profile. Every scenario starts the real service',
    '(`node apps/server/dist/main.js`) on loopback, drives real HTTP traffic,',
    'checks its invariants and stops by itself. Do not edit by hand: run the',
    'command again.',
    '',
    `- Command: \`${context.command}\` (from the repository root, after \`pnpm --filter "@duckkit/server..." build\`)`,
    `- Date: ${context.startedAt.toISOString()}`,
    `- Machine: ${machineLine(context.loadAtStart)}`,
    `- Result: ${passed} of ${results.length} scenarios passed in ${(context.durationMs / 1000).toFixed(0)} s`,
    '',
    '| # | Scenario | Outcome | Time |',
    '| - | -------- | ------- | ---- |',
    ...results.map(
      (result) =>
        `| ${result.order} | ${result.title} | ${result.outcome} | ${(result.durationMs / 1000).toFixed(1)} s |`,
    ),
  ]
  for (const result of results) {
    lines.push('', `## ${result.order}. ${result.title}`, '')
    if (result.checks.length > 0) {
      lines.push('Checks:', '', ...result.checks.map((check) => `- ${check}`))
      lines.push('')
    }
    lines.push('| Figure | Value |', '| ------ | ----- |')
    for (const [name, value] of result.figures)
      lines.push(`| ${escapeCell(name)} | ${escapeCell(String(value))} |`)
    if (result.errors.length > 0) {
      lines.push('', 'Failures:', '')
      for (const error of result.errors)
        lines.push('```text', error.trim(), '```')
    }
  }
  return `${lines.join('\n')}\n`
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}
