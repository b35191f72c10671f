import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { inspectService, slug } from '../src/http-api.js'
import { REPO_ROOT } from '../src/snippets.js'

/**
 * The runbook's alerting rules and PromQL name metrics the service really
 * exports, the rules file is valid for Prometheus, and each rule points to a
 * section of the runbook that exists.
 */

const RULES = join(REPO_ROOT, 'docs/alerts/duckkit.rules.yml')
/** The promtool binary (override with PROMTOOL_BIN). */
const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool'
const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8')

/** Metric names (histogram series folded into their family) the service exports. */
function exported(metricsText: string): Set<string> {
  const names = new Set<string>()
  for (const line of metricsText.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)/.exec(line)
    if (match === null) continue
    const [, name = '', type] = match
    names.add(name)
    if (type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count'])
        names.add(name + suffix)
    }
  }
  return names
}

/** `duckkit_*`, `nodejs_*` and `process_*` names a text mentions. */
function mentioned(text: string): string[] {
  return [
    ...new Set(text.match(/\b(?:duckkit|nodejs|process)_[a-z0-9_]+\b/g) ?? []),
  ]
}

function promtoolAvailable(): boolean {
  try {
    execFileSync(PROMTOOL, ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

describe('runbook metrics and alerts', () => {
  let names: Set<string>
  beforeAll(async () => {
    names = exported((await inspectService()).metrics)
  })

  it.each(['docs/alerts/duckkit.rules.yml', 'docs/runbook.md'])(
    '%s names only metrics the service exports',
    (file) => {
      const used = mentioned(read(file))
      expect(used.length).toBeGreaterThan(5)
      expect(used.filter((name) => !names.has(name))).toEqual([])
    },
  )

  it('the rules point to sections of the runbook that exist', () => {
    const headings = new Set(
      read('docs/runbook.md')
        .split('\n')
        .filter((line) => /^#{1,6} /.test(line))
        .map((line) => slug(line.replace(/^#+ /, ''))),
    )
    const anchors = [
      ...read('docs/alerts/duckkit.rules.yml').matchAll(
        /runbook: docs\/runbook\.md#(\S+)/g,
      ),
    ].map((match) => match[1])
    expect(anchors.length).toBeGreaterThan(5)
    expect(anchors.filter((anchor) => !headings.has(anchor ?? ''))).toEqual([])
  })

  const promtool = promtoolAvailable()
  if (!promtool && process.env.CI === 'true') {
    throw new Error('promtool is required under CI=true')
  }
  it.skipIf(!promtool)('promtool accepts the rules', () => {
    const output = execFileSync(PROMTOOL, ['check', 'rules', RULES], {
      encoding: 'utf8',
    })
    expect(output).toMatch(/SUCCESS: \d+ rules found/)
  })
})
