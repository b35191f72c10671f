/**
 * The service container example of packages/di/README.md, verbatim between the region markers (a test
 * checks that the README still holds exactly this code); the code around the
 * regions provides what the example assumes and checks what it did.
 */
import { createPool } from '@duckkit/db-pool'

// The example's free name: the request being served.
const req = { id: 'req-1' }

// #region service
import pino from 'pino'
import { createServiceContainer } from '@duckkit/di'

const container = createServiceContainer({ env: process.env, logger: pino() })
await container.start()

const models = container.resolve('modelConfigService')
await models.getActiveModel('chat_deep')

// per request
await using scope = container.createScope({ requestId: req.id })
scope.resolve('requestLogger').info('handling') // carries requestId

// tests: any registration can be replaced before start()
const test = createServiceContainer({ config: { databasePath: ':memory:' } })
test.override('pool', { value: await createPool({ path: ':memory:' }) })
// #endregion service

/** The active model the example read. */
export const active = await models.getActiveModel('chat_deep')
await container.dispose()
await test.resolve('pool').close()
