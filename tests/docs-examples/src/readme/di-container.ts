/**
 * The container example of packages/di/README.md, verbatim between the region markers (a test
 * checks that the README still holds exactly this code); the code around the
 * regions provides what the example assumes and checks what it did.
 */
import { type Pool } from '@duckkit/db-pool'
import { pino } from 'pino'

// The example's free names: a logger and two application classes.
const logger = pino({ level: 'silent' })
class OrderRepository {
  constructor(readonly pool: Pool) {}
}
/** Audits flushed when their scope ended. */
export const flushed: string[] = []
class Audit {
  constructor(
    readonly orders: OrderRepository,
    readonly requestId: string,
  ) {}
  flush(): void {
    flushed.push(this.requestId)
  }
}

// #region container
import { createContainer, fromScope } from '@duckkit/di'
import { createPool } from '@duckkit/db-pool'

const container = createContainer({ logger })
  .value('config', { path: 'app.duckdb' })
  .asyncSingleton('pool', ({ config }) => createPool({ path: config.path }), {
    dispose: (pool) => pool.close(),
  })
  .singleton('orders', ({ pool }) => new OrderRepository(pool))
  .scoped('requestId', fromScope<string>())
  .scoped('audit', ({ orders, requestId }) => new Audit(orders, requestId), {
    dispose: (audit) => audit.flush(),
  })

await container.start() // opens the pool, then creates the rest in dependency order
container.resolve('orders') // OrderRepository

{
  await using scope = container.createScope({ requestId: 'r-1' })
  scope.resolve('audit') // one Audit per scope, flushed when the block ends
}

await container.dispose() // pool closed last
// #endregion container

/** The container's state after `dispose()`. */
export const state = container.stats().state
