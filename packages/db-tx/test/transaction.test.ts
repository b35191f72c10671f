import {
  isInvalidOptionError,
  isTransactionAbortedError,
} from '@duckkit/resilience'
import { describe, expect, test } from 'vitest'
import {
  createTransactionManager,
  isPoolAccessInTransactionError,
  isReadOnlyTransactionError,
  isTransactionManagerClosedError,
  isTransactionStateError,
} from '../src/index.js'
import {
  deferred,
  openPool,
  recordStatements,
  seedAccounts,
} from './helpers.js'

describe('transaction()', () => {
  test('commits the work of fn and resolves with its result', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 2, 100)
    const tm = createTransactionManager({ pool })
    const result = await tm.transaction(async (tx) => {
      await tx.execute(
        'UPDATE accounts SET balance = balance - 10 WHERE id = 0',
      )
      await tx.execute(
        'UPDATE accounts SET balance = balance + 10 WHERE id = $1',
        [1],
      )
      return 'done'
    })
    expect(result).toBe('done')
    expect(
      await pool.query('SELECT balance FROM accounts ORDER BY id'),
    ).toEqual([{ balance: 90 }, { balance: 110 }])
    expect(tm.stats()).toMatchObject({
      started: 1,
      committed: 1,
      rolledBack: 0,
      active: 0,
    })
  })

  test('rolls back every statement when fn throws, and rethrows its error', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 2, 100)
    const tm = createTransactionManager({ pool })
    const boom = new Error('boom')
    await expect(
      tm.transaction(async (tx) => {
        await tx.execute('UPDATE accounts SET balance = 0 WHERE id = 0')
        await tx.execute('INSERT INTO accounts VALUES (9, 9)')
        throw boom
      }),
    ).rejects.toBe(boom)
    expect(
      await pool.query(
        'SELECT count(*)::INT AS n, sum(balance)::INT AS s FROM accounts',
      ),
    ).toEqual([{ n: 2, s: 200 }])
    expect(tm.stats()).toMatchObject({ committed: 0, rolledBack: 1 })
  })

  test('sends BEGIN just before the first statement, as its own text, and nothing at all for a unit without statements', async () => {
    const base = await openPool()
    await seedAccounts(base, 1, 100)
    const { pool, sent } = recordStatements(base)
    const tm = createTransactionManager({ pool })
    await tm.transaction(() => 'nothing')
    expect(sent).toEqual([])
    await tm.transaction((tx) => tx.execute('UPDATE accounts SET balance = 1'))
    expect(sent).toEqual([
      'BEGIN TRANSACTION',
      'UPDATE accounts SET balance = 1',
      'COMMIT',
    ])
    sent.length = 0
    await tm.transaction(
      (tx) => tx.query('SELECT * FROM accounts WHERE id = $1', [0]),
      { readOnly: true },
    )
    expect(sent).toEqual([
      'BEGIN TRANSACTION READ ONLY',
      'SELECT * FROM accounts WHERE id = $1',
      'COMMIT',
    ])
  })

  test('uncommitted writes are invisible to other connections until COMMIT', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const written = deferred()
    const checked = deferred()
    const unit = tm.transaction(async (tx) => {
      await tx.execute('UPDATE accounts SET balance = 0 WHERE id = 0')
      await tx.execute('INSERT INTO accounts VALUES (1, 5)')
      expect(await tx.query('SELECT count(*)::INT AS n FROM accounts')).toEqual(
        [{ n: 2 }],
      )
      written.resolve()
      await checked.promise
    })
    await written.promise
    expect(await pool.query('SELECT id, balance FROM accounts')).toEqual([
      { id: 0, balance: 100 },
    ])
    checked.resolve()
    await unit
    expect(
      await pool.query('SELECT id, balance FROM accounts ORDER BY id'),
    ).toEqual([
      { id: 0, balance: 0 },
      { id: 1, balance: 5 },
    ])
  })

  test('a transaction reads one snapshot: commits by others after its first statement stay invisible', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const balances = await tm.transaction(async (tx) => {
      const [first] = await tx.query<{ balance: number }>(
        'SELECT balance FROM accounts',
      )
      await tm.outside(() => pool.execute('UPDATE accounts SET balance = 7'))
      const [second] = await tx.query<{ balance: number }>(
        'SELECT balance FROM accounts',
      )
      return [first?.balance, second?.balance]
    })
    expect(balances).toEqual([100, 100])
  })

  test('read-only transactions refuse writes with a typed error and leave no trace', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const error: unknown = await tm
      .transaction((tx) => tx.execute('UPDATE accounts SET balance = 0'), {
        readOnly: true,
      })
      .catch((e: unknown) => e)
    expect(isReadOnlyTransactionError(error)).toBe(true)
    // DuckDB itself refuses the write too: the statement was sent in a READ ONLY transaction.
    const sqlOnly: unknown = await tm
      .transaction(
        (tx) => tx.query('INSERT INTO accounts VALUES (5, 5) RETURNING id'),
        { readOnly: true },
      )
      .catch((e: unknown) => e)
    expect(isReadOnlyTransactionError(sqlOnly)).toBe(true)
    expect(
      await pool.query(
        'SELECT count(*)::INT AS n, sum(balance)::INT AS s FROM accounts',
      ),
    ).toEqual([{ n: 1, s: 100 }])
    const reads = await tm.transaction(
      (tx) => tx.query('SELECT balance FROM accounts'),
      { readOnly: true },
    )
    expect(reads).toEqual([{ balance: 100 }])
  })

  test('a read-only nested unit refuses writes even inside a read-write transaction', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    await tm.transaction(async () => {
      const error: unknown = await tm
        .transaction(() => tm.execute('DELETE FROM accounts'), {
          readOnly: true,
        })
        .catch((e: unknown) => e)
      expect(isReadOnlyTransactionError(error)).toBe(true)
      await tm.execute('UPDATE accounts SET balance = 1')
    })
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 1 },
    ])
  })

  test('refuses BEGIN/COMMIT/ROLLBACK inside a managed transaction', async () => {
    const pool = await openPool()
    const tm = createTransactionManager({ pool })
    const error: unknown = await tm
      .transaction((tx) => tx.execute('COMMIT'))
      .catch((e: unknown) => e)
    expect(isTransactionStateError(error) && error.reason).toBe(
      'transaction-control',
    )
  })

  test('a handle used after its unit ended throws instead of reaching a connection', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const leaked = await tm.transaction((tx) => tx)
    const error: unknown = await leaked
      .execute('UPDATE accounts SET balance = 0')
      .catch((e: unknown) => e)
    expect(isTransactionStateError(error) && error.reason).toBe('closed')
    expect(() => leaked.afterCommit(() => undefined)).toThrow(/ended/)
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 100 },
    ])
  })

  test('validates options at the call, naming the field', async () => {
    const pool = await openPool()
    expect(() => createTransactionManager({ pool, maxAgeMs: -1 })).toThrow(
      /maxAgeMs/,
    )
    expect(() =>
      createTransactionManager({ pool, guardPoolAccess: 'x' as never }),
    ).toThrow(/guardPoolAccess/)
    expect(() => createTransactionManager({ pool: {} as never })).toThrow(
      /pool/,
    )
    expect(() =>
      createTransactionManager({ pool, retry: { maxAttempts: 0 } }),
    ).toThrow(/retry.maxAttempts/)
    // A null logger used to fail with a TypeError instead of naming the field.
    expect(() =>
      createTransactionManager({ pool, logger: null as never }),
    ).toThrow(/logger/)
    expect(() =>
      createTransactionManager({ pool, clock: { now: () => 0 } as never }),
    ).toThrow(/clock/)
    const tm = createTransactionManager({ pool })
    const error: unknown = await tm
      .transaction(() => 1, { timeoutMs: Number.NaN })
      .catch((e: unknown) => e)
    expect(isInvalidOptionError(error) && error.field).toBe('timeoutMs')
    const lane: unknown = await tm
      .transaction(() => 1, { lane: [''] })
      .catch((e: unknown) => e)
    expect(isInvalidOptionError(lane) && lane.field).toBe('lane')
  })

  test('close() waits for open transactions and then refuses new ones', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const gate = deferred()
    const open = tm.transaction(async (tx) => {
      await tx.execute('UPDATE accounts SET balance = 3')
      await gate.promise
    })
    let closed = false
    const closing = tm.close().then(() => {
      closed = true
    })
    await new Promise((resolve) => setImmediate(resolve))
    expect(closed).toBe(false)
    gate.resolve()
    await open
    await closing
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 3 },
    ])
    const error: unknown = await tm
      .transaction(() => 1)
      .catch((e: unknown) => e)
    expect(isTransactionManagerClosedError(error)).toBe(true)
  })
})

describe('ambient context', () => {
  test('current() and tm.query() reach the transaction deep in the call stack', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const repository = {
      debit: (amount: number) =>
        tm.execute('UPDATE accounts SET balance = balance - $1', [amount]),
      balance: async () =>
        (await tm.query<{ balance: number }>('SELECT balance FROM accounts'))[0]
          ?.balance,
    }
    expect(tm.current()).toBeUndefined()
    expect(tm.hasWrites).toBe(false)
    expect(tm.inTransaction).toBe(false)
    const seen = await tm.transaction(async (tx) => {
      expect(tm.current()).toBe(tx)
      expect(tm.inTransaction).toBe(true)
      expect(tx.inTransaction).toBe(true)
      expect(tm.hasWrites).toBe(false)
      await repository.debit(30)
      expect(tm.hasWrites).toBe(true)
      const inside = await repository.balance()
      const outside = await tm.outside(() => repository.balance())
      return { inside, outside }
    })
    expect(seen).toEqual({ inside: 70, outside: 100 })
    expect(await repository.balance()).toBe(70)
    expect(tm.current()).toBeUndefined()
    expect(tm.inTransaction).toBe(false)
  })

  test('a write through the pool inside a transaction fails fast instead of deadlocking', async () => {
    const pool = await openPool({ max: 1 })
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const errors = await tm.transaction(async (tx) => {
      await tx.execute('UPDATE accounts SET balance = 1')
      const found: unknown[] = []
      for (const call of [
        () => pool.execute('UPDATE accounts SET balance = 2'),
        () => pool.query('DELETE FROM accounts RETURNING id'),
        () => pool.acquire(),
      ]) {
        found.push(await call().catch((e: unknown) => e))
      }
      return found
    })
    for (const error of errors)
      expect(isPoolAccessInTransactionError(error)).toBe(true)
    expect(tm.stats().poolAccessRefused).toBe(3)
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 1 },
    ])
  })

  test("guardPoolAccess 'all' also refuses reads; 'off' lets them through", async () => {
    const pool = await openPool({ max: 2 })
    await seedAccounts(pool, 1, 100)
    const strict = createTransactionManager({ pool, guardPoolAccess: 'all' })
    const error: unknown = await strict
      .transaction(() => pool.query('SELECT 1'))
      .catch((e: unknown) => e)
    expect(isPoolAccessInTransactionError(error)).toBe(true)
    await strict.close()
    const lax = createTransactionManager({ pool, guardPoolAccess: 'off' })
    expect(
      await lax.transaction(() =>
        pool.execute('UPDATE accounts SET balance = 5'),
      ),
    ).toEqual({
      rowsChanged: 1,
    })
  })

  test('code that outlives its transaction no longer sees it', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    let later: (() => Promise<unknown>) | undefined
    await tm.transaction(() => {
      later = () => tm.execute('UPDATE accounts SET balance = 9')
    })
    expect(await later?.()).toEqual({ rowsChanged: 1 })
  })
})

describe('aborted state', () => {
  test('plain DuckDB reports COMMIT after a failed statement as successful and silently rolls back', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const connection = await pool.acquire()
    await connection.execute('BEGIN TRANSACTION')
    await connection.execute('UPDATE accounts SET balance = 0')
    await expect(
      connection.execute('INSERT INTO accounts VALUES (0, 1)'),
    ).rejects.toThrow(/Duplicate key/)
    await expect(connection.execute('COMMIT')).resolves.toBeDefined()
    await connection.release()
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 100 },
    ])
  })

  test('after a failed statement, later statements and the commit throw TransactionAbortedError caused by it', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    let first: unknown
    let next: unknown
    const outcome: unknown = await tm
      .transaction(async (tx) => {
        await tx.execute('UPDATE accounts SET balance = 0')
        first = await tx
          .execute('INSERT INTO accounts VALUES (0, 1)')
          .catch((e: unknown) => e)
        expect(tx.aborted).toBe(true)
        next = await tx.query('SELECT 1').catch((e: unknown) => e)
        return 'fn swallowed the error'
      })
      .catch((e: unknown) => e)
    expect(isTransactionAbortedError(next) && next.cause).toBe(first)
    expect(isTransactionAbortedError(outcome) && outcome.cause).toBe(first)
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 100 },
    ])
    expect(tm.stats()).toMatchObject({
      aborted: 1,
      committed: 0,
      rolledBack: 1,
    })
  })

  test('a binder error (which DuckDB itself tolerates) also aborts the unit', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const outcome: unknown = await tm
      .transaction(async (tx) => {
        await tx.execute('UPDATE accounts SET balance = 0')
        await tx.query('SELECT nope FROM accounts').catch(() => undefined)
      })
      .catch((e: unknown) => e)
    expect(isTransactionAbortedError(outcome)).toBe(true)
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 100 },
    ])
  })
})
