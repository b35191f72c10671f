import { ModelConfigService } from './service.js'
import { type ModelConfigServiceOptions } from './service-options.js'

/**
 * Creates a {@link ModelConfigService} and starts it: the schema is migrated
 * and an empty store is seeded with the defaults before the promise resolves.
 *
 * @example
 * ```ts
 * const cache = createQueryCache({ namespace: 'app', redis })
 * const transactions = createTransactionManager({ pool, listeners: [cache.transactionListener] })
 * const models = await createModelConfigService({ transactions, cache })
 * const { modelId } = await models.getActiveModel('chat_deep')
 * ```
 */
export async function createModelConfigService(
  options: ModelConfigServiceOptions,
): Promise<ModelConfigService> {
  const service = new ModelConfigService(options)
  await service.start()
  return service
}
