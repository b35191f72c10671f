import { deepFreeze } from './deep-freeze.js'
import { type GroupedModelConfigs, type ModelConfig } from './model-config.js'
import { compareText } from './repository.js'

/** Every configuration, indexed for the service's reads; built once per query result. */
export interface Snapshot {
  /** Configurations by usage type, each ordered by priority. */
  readonly grouped: GroupedModelConfigs
  /** Enabled configurations by usage type, each ordered by priority. */
  readonly enabled: ReadonlyMap<string, readonly ModelConfig[]>
  /** Every configuration, ordered by usage type and priority. */
  readonly all: readonly ModelConfig[]
  /** Distinct enabled model ids by provider, sorted. */
  readonly modelsByProvider: ReadonlyMap<string, readonly string[]>
}

/** Builds the indexes of a {@link Snapshot} from grouped configurations. */
export function buildSnapshot(grouped: GroupedModelConfigs): Snapshot {
  const usageTypes = Object.keys(grouped).sort(compareText)
  const enabled = new Map<string, readonly ModelConfig[]>()
  for (const usageType of usageTypes) {
    enabled.set(
      usageType,
      deepFreeze((grouped[usageType] ?? []).filter((c) => c.enabled)),
    )
  }
  const all = usageTypes.flatMap((usageType) => grouped[usageType] ?? [])
  const models = new Map<string, Set<string>>()
  for (const config of all) {
    if (!config.enabled) continue
    let set = models.get(config.provider)
    if (set === undefined) {
      set = new Set()
      models.set(config.provider, set)
    }
    set.add(config.modelId)
  }
  const modelsByProvider = new Map<string, readonly string[]>()
  for (const [provider, set] of models) {
    modelsByProvider.set(provider, deepFreeze([...set].sort(compareText)))
  }
  return { grouped, enabled, all: deepFreeze(all), modelsByProvider }
}
