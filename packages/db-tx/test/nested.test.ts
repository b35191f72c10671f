import {
  isConstraintViolationError,
  isTransactionAbortedError,
  isTransactionConflictError,
} from '@duckkit/resilience'
import { describe, expect, test } from 'vitest'
import {
  createTransactionManager,
  isNestedTransactionError,
  isReplayDivergenceError,
  isTransactionRollbackOnlyError,
  isTransactionStateError,
  type TransactionEvents,
} from '../src/index.js'
import { openPool, seedAccounts } from './helpers.js'

const noDelay = { random: () => 0 }

async function balances(pool: {
  query: (sql: string) => Promise<Record<string, unknown>[]>
}): Promise<unknown[][]> {
  const rows = await pool.query('SELECT id, balance FROM accounts ORDER BY id')
  return rows.map((row) => Object.values(row))
}

describe('nested units (savepoint emulation)', () => {
  test('an inner unit fails and is rolled back alone; the outer unit continues and commits', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 2, 100)
    const tm = createTransactionManager({ pool })
    const failure = new Error('inner failed')
    await tm.transaction(async (tx) => {
      await tx.execute('UPDATE accounts SET balance = 90 WHERE id = 0')
      const caught: unknown = await tm
        .transaction(async (inner) => {
          expect(inner.depth).toBe(1)
          expect(tm.current()).toBe(inner)
          await inner.execute('UPDATE accounts SET balance = 0 WHERE id = 1')
          throw failure
        })
        .catch((e: unknown) => e)
      expect(caught).toBe(failure)
      expect(tm.current()).toBe(tx)
      expect(
        await tx.query('SELECT balance FROM accounts WHERE id = 1'),
      ).toEqual([{ balance: 100 }])
      await tx.execute('UPDATE accounts SET balance = 110 WHERE id = 1')
    })
    expect(await balances(pool)).toEqual([
      [0, 90],
      [1, 110],
    ])
    expect(tm.stats()).toMatchObject({
      savepointRollbacks: 1,
      replays: 1,
      replayedStatements: 1,
      committed: 1,
    })
  })

  test('a database error inside the inner unit leaves the outer unit usable', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 2, 100)
    const tm = createTransactionManager({ pool })
    await tm.transaction(async (tx) => {
      await tx.execute('UPDATE accounts SET balance = 1 WHERE id = 0')
      const caught: unknown = await tx
        .transaction((inner) =>
          inner.execute('INSERT INTO accounts VALUES (1, 5)'),
        )
        .catch((e: unknown) => e)
      expect(isConstraintViolationError(caught)).toBe(true)
      expect(tx.aborted).toBe(false)
      await tx.execute('INSERT INTO accounts VALUES (2, 5)')
    })
    expect(await balances(pool)).toEqual([
      [0, 1],
      [1, 100],
      [2, 5],
    ])
  })

  test('an inner unit that swallows its own database error is still rolled back, with a typed error', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    await tm.transaction(async (tx) => {
      const caught: unknown = await tm
        .transaction(async (inner) => {
          await inner.execute('UPDATE accounts SET balance = 0')
          await inner
            .execute('INSERT INTO accounts VALUES (0, 1)')
            .catch(() => undefined)
          return 'pretend all is well'
        })
        .catch((e: unknown) => e)
      expect(
        isTransactionAbortedError(caught) &&
          isConstraintViolationError(caught.cause),
      ).toBe(true)
      await tx.execute('UPDATE accounts SET balance = balance + 1')
    })
    expect(await balances(pool)).toEqual([[0, 101]])
  })

  test('three levels: each failure undoes exactly its own level and everything below it', async () => {
    const pool = await openPool()
    await pool.execute('CREATE TABLE log (step VARCHAR)')
    const tm = createTransactionManager({ pool })
    const hooks: string[] = []
    const write = (step: string) =>
      tm.execute('INSERT INTO log VALUES ($1)', [step])
    await tm.transaction(async (l0) => {
      await write('a')
      await tm.transaction(async (l1) => {
        await write('b')
        await tm
          .transaction(async (l2) => {
            expect(l2.depth).toBe(2)
            l2.afterCommit(() => hooks.push('c committed'))
            l2.afterRollback(() => hooks.push('c rolled back'))
            await write('c')
            throw new Error('level 2 fails')
          })
          .catch(() => undefined)
        await write('d')
        l1.afterCommit(() => hooks.push('b+d committed'))
      })
      await tm
        .transaction(async () => {
          await write('e')
          await tm.transaction(async (l2) => {
            l2.afterCommit(() => hooks.push('f committed'))
            l2.afterRollback(() => hooks.push('f rolled back'))
            await write('f')
          })
          throw new Error('level 1 fails after level 2 succeeded')
        })
        .catch(() => undefined)
      await write('g')
      l0.afterCommit(() => hooks.push('outer committed'))
    })
    const rows = await pool.query('SELECT step FROM log ORDER BY step')
    expect(rows.map((row) => row.step)).toEqual(['a', 'b', 'd', 'g'])
    expect(hooks).toEqual([
      'c rolled back',
      'b+d committed',
      'f rolled back',
      'outer committed',
    ])
  })

  test('an inner unit that only read is rolled back without a replay', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    await tm.transaction(async (tx) => {
      await tx.execute('UPDATE accounts SET balance = 7')
      await tm
        .transaction(async (inner) => {
          await inner.query('SELECT * FROM accounts')
          throw new Error('validation failed')
        })
        .catch(() => undefined)
      expect(tx.hasWrites).toBe(true)
    })
    expect(tm.stats()).toMatchObject({ savepointRollbacks: 1, replays: 0 })
    expect(await balances(pool)).toEqual([[0, 7]])
  })

  test('replay divergence: a concurrent writer changed rows the outer unit had read, so the outermost unit retries', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 2, 100)
    const tm = createTransactionManager({ pool, ...noDelay })
    const divergences: TransactionEvents['replay-divergence'][] = []
    tm.on('replay-divergence', (event) => divergences.push(event))
    const seen: number[] = []
    let innerError: unknown
    await tm.transaction(async (tx) => {
      const [row] = await tx.query<{ balance: number }>(
        'SELECT balance FROM accounts WHERE id = 0',
      )
      seen.push(row?.balance ?? -1)
      if (tx.attempt === 1)
        await tm.outside(() =>
          pool.execute('UPDATE accounts SET balance = 50 WHERE id = 0'),
        )
      innerError = await tm
        .transaction(async (inner) => {
          await inner.execute(
            'UPDATE accounts SET balance = balance + 1 WHERE id = 1',
          )
          if (inner.attempt === 1)
            throw new Error('inner fails on the first attempt')
        })
        .catch((e: unknown) => e)
      if (tx.attempt === 1) {
        expect(
          isReplayDivergenceError(innerError) &&
            isTransactionConflictError(innerError),
        ).toBe(true)
        expect(tx.aborted).toBe(true)
      }
      await tx.execute('UPDATE accounts SET balance = $1 WHERE id = 0', [
        (row?.balance ?? 0) - 10,
      ])
    })
    expect(seen).toEqual([100, 50])
    expect(divergences).toMatchObject([{ depth: 1, statementIndex: 0 }])
    expect(await balances(pool)).toEqual([
      [0, 40],
      [1, 101],
    ])
    expect(tm.stats()).toMatchObject({
      replayDivergences: 1,
      retries: { 'replay-divergence': 1 },
    })
  })

  test('an observed random() result diverges on replay', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool, ...noDelay })
    const error: unknown = await tm
      .transaction(
        async (tx) => {
          await tx.query('SELECT random() AS r')
          await tm
            .transaction(async () => {
              await tm.execute('UPDATE accounts SET balance = 0')
              throw new Error('inner fails')
            })
            .catch((e: unknown) => e)
          await tx.execute('UPDATE accounts SET balance = 1')
        },
        { retry: { maxAttempts: 2 } },
      )
      .catch((e: unknown) => e)
    // The outer unit caught the divergence and went on, so its next statement threw.
    expect(
      isTransactionAbortedError(error) && isReplayDivergenceError(error.cause),
    ).toBe(true)
    expect(tm.stats()).toMatchObject({
      attempts: 2,
      replayDivergences: 2,
      committed: 0,
    })
    expect(await balances(pool)).toEqual([[0, 100]])
  })

  test('the same statements without random() replay identically and commit', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    await tm.transaction(async (tx) => {
      await tx.query('SELECT 0.5 AS r, balance FROM accounts')
      await tm
        .transaction(async () => {
          await tm.execute('UPDATE accounts SET balance = 0')
          throw new Error('inner fails')
        })
        .catch(() => undefined)
      await tx.execute('UPDATE accounts SET balance = 1')
    })
    expect(tm.stats()).toMatchObject({
      replays: 1,
      replayDivergences: 0,
      attempts: 1,
    })
    expect(await balances(pool)).toEqual([[0, 1]])
  })

  test("propagation 'join': an inner failure makes the outer commit throw and roll back", async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const failure = new Error('joined unit failed')
    const error: unknown = await tm
      .transaction(async (tx) => {
        await tx.execute('UPDATE accounts SET balance = 1')
        await tm
          .transaction(
            async () => {
              await tm.execute('UPDATE accounts SET balance = 2')
              throw failure
            },
            { propagation: 'join' },
          )
          .catch(() => undefined)
        expect(await tx.query('SELECT balance FROM accounts')).toEqual([
          { balance: 2 },
        ])
      })
      .catch((e: unknown) => e)
    expect(isTransactionRollbackOnlyError(error) && error.cause).toBe(failure)
    expect(await balances(pool)).toEqual([[0, 100]])
    await tm.transaction(async () => {
      await tm.transaction(
        () => tm.execute('UPDATE accounts SET balance = 3'),
        { propagation: 'join' },
      )
    })
    expect(await balances(pool)).toEqual([[0, 3]])
  })

  test('a rollback-only mark set inside a nested unit goes away when that unit is rolled back', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    await tm.transaction(async () => {
      await tm
        .transaction(async () => {
          await tm
            .transaction(() => Promise.reject(new Error('x')), {
              propagation: 'join',
            })
            .catch(() => undefined)
          throw new Error('nested unit gives up')
        })
        .catch(() => undefined)
      await tm.execute('UPDATE accounts SET balance = 4')
    })
    expect(await balances(pool)).toEqual([[0, 4]])
  })

  test("propagation 'fail' refuses to start inside an open transaction but starts one outside", async () => {
    const pool = await openPool()
    const tm = createTransactionManager({ pool })
    const error: unknown = await tm
      .transaction(() => tm.transaction(() => 1, { propagation: 'fail' }))
      .catch((e: unknown) => e)
    expect(isNestedTransactionError(error)).toBe(true)
    expect(
      await tm.transaction((tx) => tx.depth, { propagation: 'fail' }),
    ).toBe(0)
  })

  test('the outer handle cannot run statements while a nested unit is open', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    await tm.transaction(async (tx) => {
      const error: unknown = await tm
        .transaction(() => tx.query('SELECT 1'))
        .catch((e: unknown) => e)
      expect(isTransactionStateError(error) && error.reason).toBe(
        'inner-unit-open',
      )
      const sibling: unknown = await Promise.all([
        tm.transaction(() => tm.query('SELECT 1')),
        tm.transaction(() => tm.query('SELECT 2')),
      ]).catch((e: unknown) => e)
      expect(isTransactionStateError(sibling) && sibling.reason).toBe(
        'inner-unit-open',
      )
    })
  })
})
