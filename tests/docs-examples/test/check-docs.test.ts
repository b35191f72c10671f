import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../src/snippets.js'

/** scripts/check-docs.mjs: the repository's links resolve, and broken ones are caught. */

const SCRIPT = join(REPO_ROOT, 'scripts/check-docs.mjs')
const run = (...args: string[]) =>
  spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' })

describe('scripts/check-docs.mjs', () => {
  it('finds no broken internal link in the repository', () => {
    const result = run()
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/check-docs: \d+ internal links resolve/)
  })

  const root = mkdtempSync(join(tmpdir(), 'duckkit-check-docs-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true })
    writeFileSync(join(root, file), text)
  }

  it('reports missing files, missing anchors and missing example files', () => {
    write(
      'README.md',
      [
        '# Top',
        '',
        '## Same name',
        '',
        '## Same name',
        '',
        '[ok](docs/guide.md#a-heading-with-code) [ok](#same-name-1) [ok](https://example.com/x)',
        '[missing file](docs/nope.md) [missing anchor](docs/guide.md#nope)',
        '`[not a link](nope.md)`',
        '',
        '```md',
        '[inside a fence](nope.md)',
        '```',
      ].join('\n'),
    )
    write(
      'docs/guide.md',
      [
        '# Guide',
        '',
        '## A heading with `code`!',
        '',
        '[up](../README.md#top) [self](#guide) [bad self](#nowhere)',
        '<!-- example: tests/nope.ts#region -->',
      ].join('\n'),
    )
    write('packages/x/README.md', '# X\n\n[docs](../../docs/guide.md)\n')
    const result = run('--root', root)
    expect(result.status).toBe(1)
    const lines = result.stderr
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
    expect(lines).toEqual([
      'README.md:8: docs/nope.md: docs/nope.md does not exist',
      'README.md:8: docs/guide.md#nope: no heading or anchor "#nope" in docs/guide.md',
      'docs/guide.md:5: #nowhere: no heading or anchor "#nowhere" in docs/guide.md',
      'docs/guide.md:6: example file tests/nope.ts does not exist',
    ])
  })
})
