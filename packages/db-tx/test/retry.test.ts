import {
  isConstraintViolationError,
  isTransactionConflictError,
} from '@duckkit/resilience'
import { describe, expect, test } from 'vitest'
import {
  createTransactionManager,
  type CommitEvent,
  type TransactionEvents,
} from '../src/index.js'
import { deferred, openPool, seedAccounts } from './helpers.js'

/** No backoff delay: full jitter with a random source that always returns 0. */
const noDelay = { random: () => 0 }

describe('conflict retry', () => {
  test('re-runs the whole unit from BEGIN after a statement-time conflict; hooks run once', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool, ...noDelay })
    const retries: TransactionEvents['retry'][] = []
    tm.on('retry', (event) => retries.push(event))
    const hooks: string[] = []
    let runs = 0
    const result = await tm.transaction(async (tx) => {
      runs += 1
      tx.afterCommit(() => hooks.push(`commit after attempt ${tx.attempt}`))
      tx.afterRollback(() => hooks.push(`rollback after attempt ${tx.attempt}`))
      await tx.query('SELECT balance FROM accounts')
      if (runs === 1) {
        await tm.outside(() =>
          pool.execute('UPDATE accounts SET balance = balance + 1'),
        )
      }
      await tx.execute('UPDATE accounts SET balance = balance + 10')
      return tx.attempt
    })
    expect(result).toBe(2)
    expect(runs).toBe(2)
    expect(hooks).toEqual(['commit after attempt 2'])
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 111 },
    ])
    expect(retries).toMatchObject([
      { attempt: 1, reason: 'statement-conflict' },
    ])
    expect(tm.stats()).toMatchObject({
      committed: 1,
      attempts: 2,
      retries: { 'statement-conflict': 1 },
      conflicts: { statement: 1 },
    })
  })

  test('retries a commit-time conflict (a concurrent insert of the same key)', async () => {
    const pool = await openPool()
    await pool.execute(
      'CREATE TABLE items (id INTEGER PRIMARY KEY, owner VARCHAR)',
    )
    const tm = createTransactionManager({ pool, ...noDelay })
    const committed = await tm.transaction(async (tx) => {
      const [free] = await tx.query<{ n: number }>(
        'SELECT count(*)::INT AS n FROM items WHERE id = 1',
      )
      const id = free?.n === 0 ? 1 : 2
      await tx.execute('INSERT INTO items VALUES ($1, $2)', [id, 'tm'])
      if (tx.attempt === 1)
        await tm.outside(() =>
          pool.execute("INSERT INTO items VALUES (1, 'other')"),
        )
      return id
    })
    expect(committed).toBe(2)
    expect(await pool.query('SELECT * FROM items ORDER BY id')).toEqual([
      { id: 1, owner: 'other' },
      { id: 2, owner: 'tm' },
    ])
    expect(tm.stats()).toMatchObject({
      retries: { 'commit-conflict': 1 },
      conflicts: { commit: 1 },
    })
  })

  test('a unit can opt out: the conflict is thrown, typed, after one attempt', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool, ...noDelay })
    let runs = 0
    const error: unknown = await tm
      .transaction(
        async (tx) => {
          runs += 1
          await tx.query('SELECT balance FROM accounts')
          await tm.outside(() =>
            pool.execute('UPDATE accounts SET balance = 1'),
          )
          await tx.execute('UPDATE accounts SET balance = 2')
        },
        { retry: false },
      )
      .catch((e: unknown) => e)
    expect(isTransactionConflictError(error) && error.phase).toBe('statement')
    expect(runs).toBe(1)
  })

  test('gives up after maxAttempts with the last conflict; afterRollback runs once, afterCommit never', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({
      pool,
      retry: { maxAttempts: 3 },
      ...noDelay,
    })
    const hooks: string[] = []
    let runs = 0
    const error: unknown = await tm
      .transaction(async (tx) => {
        runs += 1
        tx.afterCommit(() => hooks.push('commit'))
        tx.afterRollback((reason) =>
          hooks.push(`rollback: ${String(isTransactionConflictError(reason))}`),
        )
        await tx.query('SELECT balance FROM accounts')
        await tm.outside(() =>
          pool.execute('UPDATE accounts SET balance = balance + 1'),
        )
        await tx.execute('UPDATE accounts SET balance = 0')
      })
      .catch((e: unknown) => e)
    expect(isTransactionConflictError(error)).toBe(true)
    expect(runs).toBe(3)
    expect(hooks).toEqual(['rollback: true'])
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 103 },
    ])
  })

  test('never retries errors that are not conflicts', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool, ...noDelay })
    let runs = 0
    const error: unknown = await tm
      .transaction(async (tx) => {
        runs += 1
        await tx.execute('INSERT INTO accounts VALUES (0, 1)')
      })
      .catch((e: unknown) => e)
    expect(isConstraintViolationError(error)).toBe(true)
    expect(runs).toBe(1)
    const plain = new Error('business rule')
    await expect(
      tm.transaction(() => {
        runs += 1
        throw plain
      }),
    ).rejects.toBe(plain)
    expect(runs).toBe(2)
    expect(tm.stats().attempts).toBe(2)
  })

  test('a unit that swallows its conflict still retries (its commit could not have succeeded)', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool, ...noDelay })
    const result = await tm.transaction(async (tx) => {
      await tx.query('SELECT balance FROM accounts')
      if (tx.attempt === 1)
        await tm.outside(() => pool.execute('UPDATE accounts SET balance = 50'))
      await tx
        .execute('UPDATE accounts SET balance = balance * 2')
        .catch(() => undefined)
      return tx.attempt
    })
    expect(result).toBe(2)
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 100 },
    ])
  })
})

describe('commit hooks and listeners', () => {
  test('listeners see the final statements (no params, no BEGIN/COMMIT) and are awaited before transaction() resolves', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 2, 100)
    const gate = deferred()
    const events: CommitEvent[] = []
    const tm = createTransactionManager({
      pool,
      ...noDelay,
      listeners: [
        {
          afterCommit: async (event) => {
            events.push(event)
            await gate.promise
          },
        },
      ],
    })
    let resolved = false
    const unit = tm
      .transaction(async (tx) => {
        await tx.query('SELECT * FROM accounts WHERE id = $1', [0])
        if (tx.attempt === 1)
          await tm.outside(() =>
            pool.execute('UPDATE accounts SET balance = 1 WHERE id = 1'),
          )
        await tx.execute('UPDATE accounts SET balance = 0 WHERE id = 1')
        await tx
          .transaction(async () => {
            await tx.execute('DELETE FROM accounts')
            throw new Error('undo the delete')
          })
          .catch(() => undefined)
      })
      .then(() => {
        resolved = true
      })
    while (events.length === 0)
      await new Promise((resolve) => setImmediate(resolve))
    expect(resolved).toBe(false)
    gate.resolve()
    await unit
    expect(events).toEqual([
      {
        statements: [
          'SELECT * FROM accounts WHERE id = $1',
          'UPDATE accounts SET balance = 0 WHERE id = 1',
        ],
      },
    ])
  })

  test('afterRollback listeners run once for the final rollback, never for retried attempts', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const commits: CommitEvent[] = []
    const rollbacks: CommitEvent[] = []
    const tm = createTransactionManager({
      pool,
      ...noDelay,
      listeners: [
        {
          afterCommit: (e) => void commits.push(e),
          afterRollback: (e) => void rollbacks.push(e),
        },
      ],
    })
    await expect(
      tm.transaction(async (tx) => {
        await tx.query('SELECT balance FROM accounts')
        if (tx.attempt === 1)
          await tm.outside(() =>
            pool.execute('UPDATE accounts SET balance = 1'),
          )
        await tx.execute('UPDATE accounts SET balance = 2')
        throw new Error('after the retry, fail for real')
      }),
    ).rejects.toThrow('for real')
    expect(commits).toEqual([])
    expect(rollbacks).toEqual([
      {
        statements: [
          'SELECT balance FROM accounts',
          'UPDATE accounts SET balance = 2',
        ],
      },
    ])
  })

  test('a failing hook or listener is reported and does not undo the commit', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const reported: TransactionEvents['hook-error'][] = []
    const tm = createTransactionManager({
      pool,
      listeners: [
        {
          afterCommit: () => {
            throw new Error('listener broke')
          },
        },
      ],
    })
    tm.on('hook-error', (event) => reported.push(event))
    const after: string[] = []
    await tm.transaction(async (tx) => {
      await tx.execute('UPDATE accounts SET balance = 5')
      tx.afterCommit(() => Promise.reject(new Error('hook broke')))
      tx.afterCommit(() => after.push('second hook still ran'))
    })
    expect(after).toEqual(['second hook still ran'])
    expect(
      reported.map((e) => [e.source, e.hook, (e.error as Error).message]),
    ).toEqual([
      ['listener', 'afterCommit', 'listener broke'],
      ['callback', 'afterCommit', 'hook broke'],
    ])
    expect(tm.stats().hookErrors).toBe(2)
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 5 },
    ])
  })

  test('addListener registers and unregisters a listener', async () => {
    const pool = await openPool()
    const tm = createTransactionManager({ pool })
    const seen: number[] = []
    const remove = tm.addListener({
      afterCommit: (e) => void seen.push(e.statements.length),
    })
    await tm.transaction((tx) => tx.query('SELECT 1'))
    remove()
    await tm.transaction((tx) => tx.query('SELECT 1'))
    expect(seen).toEqual([1])
    expect(() => tm.addListener({ afterCommit: 5 } as never)).toThrow(
      /listener/,
    )
  })

  test('hooks run outside the finished transaction, so they may use the pool and start transactions', async () => {
    const pool = await openPool({ max: 1 })
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const seen: unknown[] = []
    await tm.transaction(async (tx) => {
      await tx.execute('UPDATE accounts SET balance = 1')
      tx.afterCommit(async () => {
        seen.push(tm.current())
        seen.push(
          await pool.execute('UPDATE accounts SET balance = balance + 1'),
        )
        seen.push(await tm.transaction((inner) => inner.depth))
      })
    })
    expect(seen).toEqual([undefined, { rowsChanged: 1 }, 0])
  })
})

describe('write lanes', () => {
  test('writers in one lane never conflict, and the count is exact', async () => {
    const pool = await openPool()
    await pool.execute(
      'CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)',
    )
    await pool.execute('INSERT INTO counter VALUES (1, 0)')
    const tm = createTransactionManager({ pool, retry: false })
    await Promise.all(
      Array.from({ length: 8 }, () =>
        tm.transaction(
          (tx) => tx.execute('UPDATE counter SET n = n + 1 WHERE id = 1'),
          {
            lane: 'counter',
          },
        ),
      ),
    )
    expect(await pool.query('SELECT n FROM counter')).toEqual([{ n: 8 }])
    expect(tm.stats()).toMatchObject({
      conflicts: { statement: 0, commit: 0 },
      laneWaits: 7,
    })
  })

  test('a nested unit may only name lanes its outermost unit holds', async () => {
    const pool = await openPool()
    const tm = createTransactionManager({ pool })
    const inner = await tm.transaction(
      async () => {
        await tm.transaction(() => undefined, { lane: 'a' })
        return tm
          .transaction(() => undefined, { lane: 'b' })
          .catch((e: unknown) => e)
      },
      { lane: ['a'] },
    )
    expect(inner).toMatchObject({ field: 'lane' })
  })
})
