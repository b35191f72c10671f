/**
 * Step 0 of the migration guide: the old module runs unchanged on the
 * container's database while the migration is under way.
 */
import { createServiceContainer } from '@duckkit/di'
import { getChain, setModel } from './before.js'
import { type Model } from './schema.js'

/** Runs the old module's write and read through the container's bridge client. */
export async function runOldCodeOnTheContainer(
  path: string,
  model: Model,
): Promise<Model[]> {
  // #region bridge
  const container = createServiceContainer({
    config: { databasePath: path, installGlobalClient: true },
  })
  await container.start()
  // The old module is unchanged: getDuckDBClient() now returns the container's
  // client, on the container's pool, and its commits invalidate the
  // container's query cache.
  await setModel(model)
  const chain = await getChain(model.usageType)
  await container.dispose() // puts the previous process-wide client back
  // #endregion bridge
  return chain
}
