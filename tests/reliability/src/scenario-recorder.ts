import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type ProfileName } from './profile.js'

/** A figure's value: a number, or text such as `p50 3.1 ms`. */
export type FigureValue = number | string | boolean

/** What one scenario measured and how it ended, as saved for the report. */
export interface ScenarioResult {
  /** Order in the report (the numbering). */
  readonly order: number
  /** Short id, such as `crash-durability`. */
  readonly id: string
  /** Title, such as `Crash durability`. */
  readonly title: string
  /** Profile the scenario ran in. */
  readonly profile: ProfileName
  /** Whether every assertion held. */
  readonly outcome: 'passed' | 'failed'
  /** Wall time of the scenario in milliseconds. */
  readonly durationMs: number
  /** Named figures, in the order they were recorded. */
  readonly figures: readonly (readonly [string, FigureValue])[]
  /** The checks the scenario makes, in words (the bounds it states). */
  readonly checks: readonly string[]
  /** Error messages of a failed run. */
  readonly errors: readonly string[]
}

/** Collects the figures of one scenario and saves them for the report. */
export class ScenarioRecorder {
  readonly #order: number
  readonly #id: string
  readonly #title: string
  readonly #profile: ProfileName
  readonly #started = Date.now()
  readonly #figures = new Map<string, FigureValue>()
  readonly #checks: string[] = []

  /** A recorder of scenario `order` (`id`, `title`) in `profile`. */
  constructor(order: number, id: string, title: string, profile: ProfileName) {
    this.#order = order
    this.#id = id
    this.#title = title
    this.#profile = profile
  }

  /** Records (or replaces) a figure. */
  figure(name: string, value: FigureValue): void {
    this.#figures.set(name, value)
  }

  /** Records a check the scenario makes, in words, such as a bound it asserts. */
  check(text: string): void {
    this.#checks.push(text)
  }

  /** The result so far, with the given outcome. */
  result(
    outcome: ScenarioResult['outcome'],
    errors: readonly string[] = [],
  ): ScenarioResult {
    return {
      order: this.#order,
      id: this.#id,
      title: this.#title,
      profile: this.#profile,
      outcome,
      durationMs: Date.now() - this.#started,
      figures: [...this.#figures],
      checks: [...this.#checks],
      errors,
    }
  }

  /** Writes the result as `<dir>/<id>.json`. */
  save(dir: string, result: ScenarioResult): void {
    writeFileSync(
      join(dir, `${this.#id}.json`),
      JSON.stringify(result, null, 2),
    )
  }
}

/** Reads every result saved in `dir`, in the order. */
export function readScenarioResults(dir: string): ScenarioResult[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map(
      (name) =>
        JSON.parse(readFileSync(join(dir, name), 'utf8')) as ScenarioResult,
    )
    .sort((a, b) => a.order - b.order)
}

/** Formats a result as plain text lines (for the console). */
export function formatResult(result: ScenarioResult): string {
  const width = Math.max(...result.figures.map(([name]) => name.length), 0)
  return [
    `[reliability] ${result.order}. ${result.title} (${result.profile}): ${result.outcome} in ${(result.durationMs / 1000).toFixed(1)} s`,
    ...result.figures.map(
      ([name, value]) => `  ${name.padEnd(width)}  ${String(value)}`,
    ),
    ...result.errors.map((error) => `  error: ${error}`),
  ].join('\n')
}
