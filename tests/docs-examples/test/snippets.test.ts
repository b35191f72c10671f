import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  codeBlocks,
  extractRegion,
  markdownFiles,
  markedBlocks,
  readExample,
  REPO_ROOT,
  syncMarkedBlocks,
} from '../src/snippets.js'

/**
 * The docs cannot drift from the code: every markdown code block marked
 * `<!-- example: path#region -->` must be identical to that file region (a
 * file that compiles and runs in this package), and the package READMEs must
 * still hold, verbatim, the examples mirrored in src/readme/.
 */

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8')

/** README code blocks mirrored in src/readme/ (the READMEs carry no markers). */
const README_MIRRORS = [
  ['packages/resilience/README.md', 'resilience-usage.ts#usage'],
  ['packages/db-pool/README.md', 'db-pool-usage.ts#usage'],
  ['packages/db-pool/README.md', 'db-pool-client.ts#client'],
  ['packages/db-tx/README.md', 'db-tx-usage.ts#usage'],
  ['packages/db-tx/README.md', 'db-tx-usage.ts#nested'],
  ['packages/query-cache/README.md', 'query-cache-usage.ts#usage'],
  ['packages/model-config/README.md', 'model-config-usage.ts#usage'],
  ['packages/di/README.md', 'di-container.ts#container'],
  ['packages/di/README.md', 'di-service-container.ts#service'],
] as const

// DUCKKIT_UPDATE_DOCS=1 rewrites the marked blocks of the docs from their files
// (package READMEs carry no markers and are never rewritten).
if (process.env.DUCKKIT_UPDATE_DOCS === '1') {
  for (const file of markdownFiles().filter((f) => f.startsWith('docs/'))) {
    const text = read(file)
    const synced = syncMarkedBlocks(file, text)
    if (synced !== text) writeFileSync(join(REPO_ROOT, file), synced)
  }
}

const marked = markdownFiles().flatMap((file) => markedBlocks(file, read(file)))

describe('markdown code blocks marked as examples', () => {
  it('the guides mirror their code (the check is not vacuous)', () => {
    const files = new Set(marked.map((block) => block.file))
    expect(files).toContain('docs/migration-guide.md')
    expect(files).toContain('docs/runbook.md')
    expect(marked.length).toBeGreaterThanOrEqual(15)
  })

  it.each(marked.map((block) => [`${block.file}:${block.line}`, block]))(
    '%s is identical to its example file',
    (_where, block) => {
      expect(block.code).toBe(readExample(block.ref))
    },
  )
})

describe('package README examples', () => {
  it.each(README_MIRRORS)('%s holds src/readme/%s verbatim', (readme, ref) => {
    const code = readExample(`tests/docs-examples/src/readme/${ref}`)
    expect(codeBlocks(read(readme))).toContain(code)
  })
})

describe('region extraction', () => {
  const source = [
    'const a = 1',
    'function f() {',
    '  // #region body',
    '  const b = 2',
    '  // #region inner',
    '  return b',
    '  // #endregion inner',
    '  // #endregion body',
    '}',
    '',
  ].join('\n')

  it('cuts a region, drops nested markers and dedents', () => {
    expect(extractRegion(source, 'body')).toBe('const b = 2\nreturn b')
    expect(extractRegion(source, 'inner')).toBe('return b')
  })

  it('takes the whole file without markers', () => {
    expect(extractRegion(source)).toBe(
      'const a = 1\nfunction f() {\n  const b = 2\n  return b\n}',
    )
  })

  it('refuses a region that does not exist', () => {
    expect(() => extractRegion(source, 'nope')).toThrow(/not found/)
  })

  it('finds marked blocks and refuses a marker without a block', () => {
    const md = [
      '<!-- example: a.ts#x -->',
      '',
      '```ts',
      'const x = 1',
      '```',
    ].join('\n')
    expect(markedBlocks('doc.md', md)).toEqual([
      { file: 'doc.md', line: 3, ref: 'a.ts#x', code: 'const x = 1' },
    ])
    expect(() =>
      markedBlocks('doc.md', '<!-- example: a.ts -->\ntext'),
    ).toThrow(/not followed by a code block/)
  })

  it('rewrites marked blocks from their files', () => {
    const md = [
      '# Doc',
      '<!-- example: tests/docs-examples/src/migration/errors.ts#errors -->',
      '',
      '```ts',
      'stale code',
      '```',
      'after',
    ].join('\n')
    const synced = syncMarkedBlocks('doc.md', md)
    const [block] = markedBlocks('doc.md', synced)
    expect(block?.code).toBe(
      readExample('tests/docs-examples/src/migration/errors.ts#errors'),
    )
    expect(synced.endsWith('```\nafter')).toBe(true)
    const empty = md.replace('stale code\n', '')
    expect(syncMarkedBlocks('doc.md', empty)).toBe(synced)
  })
})
