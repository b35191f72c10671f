import { type Clock } from './clock.js'
import { InvalidOptionError } from './invalid-option-error.js'
import { numberOption } from './validate.js'

/** A fault the chaos injector can produce. */
export type ChaosKind = 'conflict' | 'io' | 'timeout' | 'fatal' | 'latency'

/** Every {@link ChaosKind}. */
export const CHAOS_KINDS: readonly ChaosKind[] = [
  'conflict',
  'io',
  'timeout',
  'fatal',
  'latency',
]

/** Options of the chaos injector. */
export interface ChaosOptions {
  /** Seed of the random sequence; the same seed and calls give the same faults. @default a random seed (see `stats().seed`) */
  seed?: number | undefined
  /** Share of calls that get a fault, in [0, 1]. @default 0.1 */
  rate?: number | undefined
  /** Faults to choose from, uniformly. @default all kinds */
  kinds?: readonly ChaosKind[] | undefined
  /** Added latency in milliseconds: a fixed value or a `[min, max]` range. @default [10, 100] */
  latencyMs?: number | readonly [number, number] | undefined
  /** Source of time and timers (for latency and `durationMs`). @default systemClock */
  clock?: Clock | undefined
}

/** Chaos settings with defaults filled in (the seed is handled apart). */
export interface ChaosSettings {
  readonly rate: number
  readonly kinds: readonly ChaosKind[]
  readonly latency: readonly [number, number]
}

/** Merges `options` over `base` and validates the result; throws an `InvalidOptionError` naming the field. */
export function resolveChaosSettings(
  options: ChaosOptions,
  base: ChaosSettings | undefined,
): ChaosSettings {
  const rate = numberOption('rate', options.rate, base?.rate ?? 0.1, {
    min: 0,
    max: 1,
  })
  const kinds = options.kinds ?? base?.kinds ?? CHAOS_KINDS
  if (!isKindList(kinds)) {
    throw new InvalidOptionError(
      'kinds',
      kinds,
      `a non-empty array of ${CHAOS_KINDS.join(', ')}`,
    )
  }
  return {
    rate,
    kinds: [...kinds],
    latency: latencyRange(options.latencyMs, base?.latency),
  }
}

function latencyRange(
  value: number | readonly [number, number] | undefined,
  base: readonly [number, number] | undefined,
): readonly [number, number] {
  if (value === undefined) return base ?? [10, 100]
  if (typeof value === 'number') {
    const ms = numberOption('latencyMs', value, 0, { min: 0 })
    return [ms, ms]
  }
  const valid =
    Array.isArray(value) &&
    value.length === 2 &&
    value.every(
      (ms) => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0,
    ) &&
    value[0] <= value[1]
  if (!valid) {
    throw new InvalidOptionError(
      'latencyMs',
      value,
      'a number >= 0 or a [min, max] pair with 0 <= min <= max',
    )
  }
  return [value[0], value[1]]
}

function isKindList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((kind: unknown) => CHAOS_KINDS.includes(kind as ChaosKind))
  )
}
