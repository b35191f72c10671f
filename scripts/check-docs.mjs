#!/usr/bin/env node
// Checks the internal links of the documentation: every relative link and
// every #anchor in README.md, CONTRIBUTING.md, docs/** (but not the generated
// docs/api/), packages/*/README.md and apps/*/README.md must resolve to a file
// that exists and, for anchors into markdown, to a heading (GitHub's slugs) or
// an explicit <a id>/<a name>. Also checks that `<!-- example: path -->`
// markers name files that exist (their content is compared by the
// docs-examples tests). Exits 1 and lists every problem when something is
// broken. Usage: node scripts/check-docs.mjs [--quiet] [--root <dir>]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const rootFlag = process.argv.indexOf('--root')
const ROOT =
  rootFlag === -1
    ? resolve(dirname(fileURLToPath(import.meta.url)), '..')
    : resolve(process.argv[rootFlag + 1] ?? '.')
const quiet = process.argv.includes('--quiet')

/** The markdown files whose links are checked, relative to the root. */
function documentationFiles() {
  const files = ['README.md', 'CONTRIBUTING.md']
  const walk = (dir) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (path !== join('docs', 'api')) walk(path)
      } else if (entry.name.endsWith('.md')) files.push(path)
    }
  }
  if (existsSync(join(ROOT, 'docs'))) walk('docs')
  for (const group of ['packages', 'apps']) {
    if (!existsSync(join(ROOT, group))) continue
    for (const entry of readdirSync(join(ROOT, group), {
      withFileTypes: true,
    })) {
      if (entry.isDirectory()) files.push(join(group, entry.name, 'README.md'))
    }
  }
  return files.filter((file) => existsSync(join(ROOT, file)))
}

/** The lines of a markdown text outside fenced code blocks, with their numbers. */
function proseLines(text) {
  const lines = []
  let fence
  text.split('\n').forEach((line, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)
    if (fence === undefined && marker) fence = marker[1]
    else if (
      fence !== undefined &&
      marker &&
      marker[1].startsWith(fence[0]) &&
      marker[1].length >= fence.length
    )
      fence = undefined
    else if (fence === undefined) lines.push({ line, number: index + 1 })
  })
  return lines
}

/** GitHub's anchor of a heading (github-slugger: lower case, punctuation removed, spaces to hyphens). */
function slug(heading) {
  const text = heading
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1') // images
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // links
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/`/g, '')
    .replace(/\*\*|\*/g, '')
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

const anchorCache = new Map()

/** Every anchor a markdown file defines: heading slugs (with -1, -2 for repeats) and explicit ids. */
function anchorsOf(file) {
  if (anchorCache.has(file)) return anchorCache.get(file)
  const anchors = new Set()
  const seen = new Map()
  for (const { line } of proseLines(readFileSync(file, 'utf8'))) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) {
      const base = slug(heading[1])
      const count = seen.get(base) ?? 0
      seen.set(base, count + 1)
      anchors.add(count === 0 ? base : `${base}-${count}`)
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g))
      anchors.add(match[1])
  }
  anchorCache.set(file, anchors)
  return anchors
}

/** Link targets of one line of prose (inline links, images and reference definitions), code spans excluded. */
function linkTargets(line) {
  const prose = line.replace(/(`+)(?:(?!\1).)+?\1/g, (span) =>
    ' '.repeat(span.length),
  )
  const targets = []
  for (const match of prose.matchAll(
    /!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
  )) {
    targets.push(match[1])
  }
  const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+["'(].*)?$/.exec(
    prose,
  )
  if (definition) targets.push(definition[1])
  for (const match of prose.matchAll(/<a\s+href="([^"]+)"/g))
    targets.push(match[1])
  return targets
}

const problems = []
let checked = 0
for (const file of documentationFiles()) {
  const path = join(ROOT, file)
  const text = readFileSync(path, 'utf8')
  for (const { line, number } of proseLines(text)) {
    const example = /^<!--\s*example:\s*([^\s#]+)\S*\s*-->\s*$/.exec(line)
    if (example && !existsSync(join(ROOT, example[1]))) {
      problems.push(
        `${file}:${number}: example file ${example[1]} does not exist`,
      )
    }
    for (const target of linkTargets(line)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue // http:, https:, mailto:, ...
      checked += 1
      const [rawPath, anchor] = target.split('#', 2)
      const linkPath = decodeURIComponent(rawPath)
      const resolved = linkPath === '' ? path : resolve(dirname(path), linkPath)
      const where = `${file}:${number}`
      if (!resolved.startsWith(ROOT)) {
        problems.push(`${where}: ${target} points outside the repository`)
        continue
      }
      if (!existsSync(resolved)) {
        problems.push(
          `${where}: ${target}: ${relative(ROOT, resolved)} does not exist`,
        )
        continue
      }
      if (anchor === undefined || anchor === '') continue
      if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
        if (/^L\d+(-L\d+)?$/.test(anchor)) continue // line anchors into source files
        problems.push(
          `${where}: ${target}: #${anchor} into a file that is not markdown`,
        )
        continue
      }
      if (!anchorsOf(resolved).has(anchor)) {
        problems.push(
          `${where}: ${target}: no heading or anchor "#${anchor}" in ${relative(ROOT, resolved)}`,
        )
      }
    }
  }
}

if (problems.length > 0) {
  console.error(
    `check-docs: ${problems.length} broken link(s) of ${checked} checked:`,
  )
  for (const problem of problems) console.error(`  ${problem}`)
  process.exit(1)
}
if (!quiet) console.log(`check-docs: ${checked} internal links resolve.`)
