import { classifyError, type DatabaseError } from '@duckkit/resilience'
import { type ConnectionSlot, TX_NONE } from './connection-slot.js'

const ROLLBACK = 'ROLLBACK'

/**
 * Rolls back the transaction a borrower left open. Resolves `undefined` when
 * the connection is clean again (also when DuckDB says no transaction was
 * active), or the classified error when the rollback failed and the
 * connection must be replaced.
 */
export async function rollbackLeftover(
  slot: ConnectionSlot,
): Promise<DatabaseError | undefined> {
  try {
    await slot.track(slot.raw.run(ROLLBACK))
  } catch (error) {
    if (!/no transaction is active/i.test(String((error as Error).message))) {
      return classifyError(error, { sql: ROLLBACK })
    }
  }
  slot.tx = TX_NONE
  slot.txFailed = false
  return undefined
}
