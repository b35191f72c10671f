import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (three levels above this file). */
export const REPO_ROOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../..',
)

/** A fenced code block of a markdown file, with the example it claims to mirror. */
export interface MarkedBlock {
  /** The markdown file, relative to the repository root. */
  readonly file: string
  /** 1-based line of the opening fence. */
  readonly line: number
  /** The reference after `<!-- example:`, such as `tests/docs-examples/src/x.ts#region`. */
  readonly ref: string
  /** The code between the fences. */
  readonly code: string
}

const MARKER = /^<!--\s*example:\s*(\S+)\s*-->\s*$/
const FENCE = /^(`{3,}|~{3,})/

/**
 * Finds every `<!-- example: path[#region] -->` comment of a markdown text and
 * the fenced code block right after it (blank lines may separate them).
 */
export function markedBlocks(file: string, markdown: string): MarkedBlock[] {
  const lines = markdown.split('\n')
  const blocks: MarkedBlock[] = []
  for (let i = 0; i < lines.length; i += 1) {
    const marker = MARKER.exec(lines[i] ?? '')
    if (marker === null) continue
    let start = i + 1
    while (start < lines.length && (lines[start] ?? '').trim() === '')
      start += 1
    const fence = FENCE.exec(lines[start] ?? '')
    if (fence === null) {
      throw new Error(
        `${file}:${i + 1}: "${marker[1]}" is not followed by a code block`,
      )
    }
    let end = start + 1
    while (end < lines.length && !(lines[end] ?? '').startsWith(fence[1] ?? ''))
      end += 1
    blocks.push({
      file,
      line: start + 1,
      ref: marker[1] ?? '',
      code: lines.slice(start + 1, end).join('\n'),
    })
    i = end
  }
  return blocks
}

/** Every fenced code block of a markdown text (without markers). */
export function codeBlocks(markdown: string): string[] {
  const lines = markdown.split('\n')
  const blocks: string[] = []
  for (let i = 0; i < lines.length; i += 1) {
    const fence = FENCE.exec(lines[i] ?? '')
    if (fence === null) continue
    let end = i + 1
    while (end < lines.length && !(lines[end] ?? '').startsWith(fence[1] ?? ''))
      end += 1
    blocks.push(lines.slice(i + 1, end).join('\n'))
    i = end
  }
  return blocks
}

/**
 * The text of a source file, or of one region of it: the lines between
 * `// #region name` and `// #endregion name`, without nested region markers,
 * dedented by their common indentation.
 */
export function extractRegion(source: string, region?: string): string {
  const lines = source.replace(/\n$/, '').split('\n')
  const isMarker = (line: string) => /^\s*\/\/ #(end)?region\b/.test(line)
  let selected: string[]
  if (region === undefined) {
    selected = lines.filter((line) => !isMarker(line))
  } else {
    const open = lines.findIndex((line) =>
      new RegExp(`^\\s*// #region ${region}\\s*$`).test(line),
    )
    const close = lines.findIndex((line) =>
      new RegExp(`^\\s*// #endregion ${region}\\s*$`).test(line),
    )
    if (open === -1 || close <= open) {
      throw new Error(`region "${region}" not found (or not closed)`)
    }
    selected = lines.slice(open + 1, close).filter((line) => !isMarker(line))
  }
  const indents = selected
    .filter((line) => line.trim() !== '')
    .map((line) => /^ */.exec(line)?.[0].length ?? 0)
  const cut = indents.length === 0 ? 0 : Math.min(...indents)
  return selected.map((line) => line.slice(cut)).join('\n')
}

/** Resolves `path[#region]` (relative to the repository root) to its code. */
export function readExample(ref: string): string {
  const [path = '', region] = ref.split('#')
  return extractRegion(readFileSync(join(REPO_ROOT, path), 'utf8'), region)
}

/** Markdown files of the documentation: root, docs/ (but not the generated API site), packages and apps. */
export function markdownFiles(): string[] {
  const found: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'api' || dir !== join(REPO_ROOT, 'docs')) walk(path)
      } else if (entry.name.endsWith('.md')) {
        found.push(relative(REPO_ROOT, path))
      }
    }
  }
  walk(join(REPO_ROOT, 'docs'))
  for (const top of ['README.md', 'CONTRIBUTING.md']) found.push(top)
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(REPO_ROOT, group), {
      withFileTypes: true,
    })) {
      if (entry.isDirectory()) found.push(join(group, entry.name, 'README.md'))
    }
  }
  return found.filter((file) => {
    try {
      readFileSync(join(REPO_ROOT, file))
      return true
    } catch {
      return false
    }
  })
}

/**
 * Rewrites every marked code block of a markdown text with the current code
 * of its example (what `DUCKKIT_UPDATE_DOCS=1` does to the docs).
 */
export function syncMarkedBlocks(file: string, markdown: string): string {
  const lines = markdown.split('\n')
  const blocks = markedBlocks(file, markdown)
  for (const block of [...blocks].reverse()) {
    const code = readExample(block.ref)
    const bodyStart = block.line // 0-based index of the first code line
    const bodyLength =
      block.code === '' && lines[bodyStart]?.startsWith('```') === true
        ? 0
        : block.code.split('\n').length
    lines.splice(bodyStart, bodyLength, ...code.split('\n'))
  }
  return lines.join('\n')
}
