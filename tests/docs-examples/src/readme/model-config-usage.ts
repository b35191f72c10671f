/* eslint-disable no-console -- the README prints the error code */
/**
 * The usage example of packages/model-config/README.md, verbatim between the region markers (a test
 * checks that the README still holds exactly this code); the code around the
 * regions provides what the example assumes and checks what it did.
 */

// #region usage
import { createPool } from '@duckkit/db-pool'
import { createTransactionManager } from '@duckkit/db-tx'
import { createQueryCache } from '@duckkit/query-cache'
import {
  createModelConfigService,
  isModelConfigNotFoundError,
} from '@duckkit/model-config'

const pool = await createPool({ path: 'app.duckdb' })
const cache = createQueryCache({
  namespace: 'app',
  redis: 'redis://127.0.0.1:6379',
})
// The transaction manager MUST tell the cache about commits (start() checks it).
const transactions = createTransactionManager({
  pool,
  listeners: [cache.transactionListener],
})

// Migrates the schema (one transaction) and seeds the defaults into an empty store.
const models = await createModelConfigService({ transactions, cache })

const { modelId, parameters } = await models.getActiveModel('chat_deep')
const chain = await models.getFallbackChain('chat_deep') // enabled configs, by priority

await models.upsertConfig({
  usageType: 'chat_deep',
  priority: 2,
  modelId: 'anthropic/claude-sonnet-4',
  modelName: 'Claude Sonnet 4',
  provider: 'anthropic',
  parameters: { temperature: 0.3, max_tokens: 8192 },
})
await models.replaceChain('chat_title', [
  {
    modelId: 'openai/gpt-4o-mini',
    modelName: 'GPT-4o mini',
    provider: 'openai',
  },
  {
    modelId: 'openrouter/auto',
    modelName: 'OpenRouter Auto',
    provider: 'openrouter',
  },
])
await models.reorderChain('chat_deep', [2, 1]) // the config at priority 2 becomes the first

try {
  await models.getActiveModel('vision')
} catch (error) {
  if (isModelConfigNotFoundError(error))
    console.log(error.code, error.usageType) // E_NOT_FOUND vision
}
// #endregion usage

/** What the example read. */
export const result = { modelId, parameters, chain }
await transactions.close()
await cache.close()
await pool.close()
