/* eslint-disable @typescript-eslint/no-unused-vars -- the README keeps `reader` to show the call's result */
/**
 * The usage example of packages/resilience/README.md, verbatim between the region markers (a test
 * checks that the README still holds exactly this code); the code around the
 * regions provides what the example assumes and checks what it did.
 */
import { DuckDBInstance } from '@duckdb/node-api'

const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
const sql = 'SELECT 42 AS answer'
/** Headers the example sets (none: the breaker stays closed). */
export const headers = new Map<string, unknown>()
const reply = {
  header: (name: string, value: unknown) => headers.set(name, value),
}

// #region usage
import {
  BreakerRegistry,
  createPolicy,
  isCircuitOpenError,
  RetryBudget,
} from '@duckkit/resilience'

const breakers = new BreakerRegistry({ resetTimeoutMs: 5_000 })
const budget = new RetryBudget({ ratio: 0.2 })
const policy = createPolicy({
  breaker: breakers.get('analytics.duckdb'), // one breaker per database
  timeoutMs: 5_000, // per attempt
  retry: { maxAttempts: 3, jitter: 'decorrelated', budget },
})

try {
  const reader = await policy.execute(() => connection.runAndReadAll(sql), {
    sql, // kept on errors, never with parameter values
    onTimeout: () => connection.interrupt(), // cancels the running query at the deadline
  })
} catch (error) {
  // always a classified DatabaseError here
  if (isCircuitOpenError(error))
    reply.header('retry-after', Math.ceil(error.retryAfterMs / 1000))
  throw error
}
// #endregion usage

/** What the policy saw. */
export const policyStats = policy.stats()
policy.shutdown()
breakers.shutdown()
connection.closeSync()
instance.closeSync()
