/** One metric family parsed from the Prometheus text exposition format. */
export interface MetricFamily {
  readonly name: string
  readonly help: string
  readonly type: string
  readonly samples: {
    name: string
    labels: Record<string, string>
    value: number
  }[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
}

/**
 * Parses and checks the text exposition format 0.0.4 strictly: every family
 * has one HELP and one TYPE before its samples, families are not split,
 * names, labels and values are well-formed, histograms have ascending
 * cumulative buckets ending in `+Inf` equal to `_count`. Throws on the first
 * violation, naming the line.
 */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>()
  let current:
    | {
        name: string
        help?: string
        type?: string
        samples: MetricFamily['samples']
      }
    | undefined
  const finish = () => {
    if (current === undefined) return
    if (current.help === undefined || current.type === undefined) {
      throw new Error(`family ${current.name} lacks HELP or TYPE`)
    }
    families.set(current.name, {
      ...current,
      help: current.help,
      type: current.type,
    })
    checkFamily(families.get(current.name)!)
  }
  const lines = text.split('\n')
  if (lines.at(-1) !== '')
    throw new Error('the exposition must end with a newline')
  for (const [index, line] of lines.entries()) {
    const where = `line ${index + 1}: ${line}`
    if (line.trim() === '') continue
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line)
    if (meta !== null) {
      const [, kind, name = '', rest = ''] = meta
      if (!NAME.test(name)) throw new Error(`bad metric name, ${where}`)
      if (current?.name !== name) {
        finish()
        if (families.has(name))
          throw new Error(`family ${name} is split, ${where}`)
        current = { name, samples: [] }
      }
      if (current.samples.length > 0)
        throw new Error(`${kind} after samples, ${where}`)
      if (kind === 'HELP') {
        if (current.help !== undefined) throw new Error(`second HELP, ${where}`)
        current.help = rest
      } else {
        if (current.type !== undefined || !TYPES.has(rest))
          throw new Error(`bad TYPE, ${where}`)
        current.type = rest
      }
      continue
    }
    if (line.startsWith('#')) continue
    const sample = SAMPLE.exec(line)
    if (sample === null || current === undefined)
      throw new Error(`bad sample, ${where}`)
    const [, name = '', , labelText = '', valueText = ''] = sample
    const allowed = (SUFFIXES[current.type ?? ''] ?? ['']).map(
      (suffix) => current!.name + suffix,
    )
    if (!allowed.includes(name))
      throw new Error(`sample outside its family ${current.name}, ${where}`)
    const value = parseValue(valueText)
    if (value === undefined) throw new Error(`bad value, ${where}`)
    current.samples.push({ name, labels: parseLabels(labelText, where), value })
  }
  finish()
  return families
}

/** Parses a sample value as Prometheus does (Go's ParseFloat: `NaN`, `Inf` in any case). */
function parseValue(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text))
    return text.startsWith('-') ? -Infinity : Infinity
  if (/^[+-]?nan$/i.test(text)) return Number.NaN
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined
  return Number(text)
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {}
  LABEL.lastIndex = 0
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex
    const match = LABEL.exec(text)
    if (match === null || match.index !== start)
      throw new Error(`bad labels, ${where}`)
    const [, key = '', value = ''] = match
    if (key in labels) throw new Error(`duplicate label ${key}, ${where}`)
    labels[key] = value
  }
  return labels
}

function checkFamily(family: MetricFamily): void {
  if (family.type === 'counter') {
    if (!family.name.endsWith('_total'))
      throw new Error(`counter ${family.name} must end in _total`)
    for (const sample of family.samples) {
      if (sample.value < 0)
        throw new Error(`counter ${family.name} is negative`)
    }
  } else if (family.name.endsWith('_total')) {
    throw new Error(`${family.type} ${family.name} must not end in _total`)
  }
  if (family.type !== 'histogram') return
  const series = new Map<string, { le: number; value: number }[]>()
  const counts = new Map<string, number>()
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels
    const key = JSON.stringify(rest)
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name} bucket without le`)
      const list = series.get(key) ?? []
      list.push({
        le: le === '+Inf' ? Infinity : Number(le),
        value: sample.value,
      })
      series.set(key, list)
    } else if (sample.name.endsWith('_count')) counts.set(key, sample.value)
  }
  for (const [key, buckets] of series) {
    for (let i = 1; i < buckets.length; i += 1) {
      if (
        buckets[i]!.le <= buckets[i - 1]!.le ||
        buckets[i]!.value < buckets[i - 1]!.value
      ) {
        throw new Error(
          `${family.name} buckets are not ascending and cumulative`,
        )
      }
    }
    const last = buckets.at(-1)
    if (last?.le !== Infinity || last.value !== counts.get(key)) {
      throw new Error(`${family.name} must end with le="+Inf" equal to _count`)
    }
  }
}
