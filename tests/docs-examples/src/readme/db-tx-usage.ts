/**
 * The usage and nested-unit examples of packages/db-tx/README.md, verbatim between the region markers (a test
 * checks that the README still holds exactly this code); the code around the
 * regions provides what the example assumes and checks what it did.
 */
import { createQueryCache } from '@duckkit/query-cache'

// The example's free names: a cache, the transfer and its side effect.
const cache = createQueryCache()
class InsufficientFunds extends Error {}
const from = 1
const to = 2
const amount = 30
/** Notifications sent by the `afterCommit` callback. */
export const notifications: string[] = []
const notify = (a: number, b: number, n: number) => {
  notifications.push(`${a} -> ${b}: ${n}`)
}

// #region usage
import { createPool } from '@duckkit/db-pool'
import { createTransactionManager } from '@duckkit/db-tx'

const pool = await createPool({ path: 'bank.duckdb' })
const tm = createTransactionManager({
  pool,
  listeners: [cache.transactionListener],
})

// A repository that never sees a transaction handle: tm.query/tm.execute join the
// current transaction when there is one and run in autocommit mode otherwise.
const accounts = {
  balance: async (id: number) =>
    (
      await tm.query<{ balance: number }>(
        'SELECT balance FROM accounts WHERE id = ?',
        [id],
      )
    )[0]?.balance ?? 0,
  move: (id: number, delta: number) =>
    tm.execute('UPDATE accounts SET balance = balance + ? WHERE id = ?', [
      delta,
      id,
    ]),
}

await tm.transaction(
  async (tx) => {
    if ((await accounts.balance(from)) < amount) throw new InsufficientFunds()
    await accounts.move(from, -amount)
    await accounts.move(to, amount)
    tx.afterCommit(() => notify(from, to, amount)) // once, after the final commit
  },
  { timeoutMs: 2_000, label: 'transfer' },
)
// #endregion usage

// The nested example's free names: an order and three repositories.
const order = { id: 7, total: 42 }
const orders = {
  insert: (o: typeof order) =>
    tm.execute('INSERT INTO orders VALUES (?, ?)', [o.id, o.total]),
}
const loyalty = {
  award: async (o: typeof order) => {
    await tm.execute('INSERT INTO points VALUES (?, ?)', [o.id, 10])
    throw new Error('the loyalty rules refused the order')
  },
}
const outbox = {
  add: (o: typeof order) => tm.execute('INSERT INTO outbox VALUES (?)', [o.id]),
}
/** Warnings the nested example logged. */
export const warnings: string[] = []
const log = {
  warn: (_data: object, message: string) => warnings.push(message),
}

// #region nested
await tm.transaction(async () => {
  await orders.insert(order)
  try {
    await tm.transaction(() => loyalty.award(order)) // may fail and roll back alone
  } catch (error) {
    log.warn({ err: error }, 'no points this time')
  }
  await outbox.add(order) // the outer unit continues and commits
})
// #endregion nested

/** The manager's statistics after both examples. */
export const txStats = tm.stats()
await tm.close()
await cache.close()
await pool.close()
