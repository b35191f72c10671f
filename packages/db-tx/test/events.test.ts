import { isTransactionConflictError } from '@duckkit/resilience'
import { describe, expect, test } from 'vitest'
import {
  createTransactionManager,
  type TransactionEvents,
} from '../src/index.js'
import { openPool, recordStatements, seedAccounts } from './helpers.js'

type Seen = [keyof TransactionEvents, unknown][]

function record(tm: ReturnType<typeof createTransactionManager>): Seen {
  const seen: Seen = []
  const names: (keyof TransactionEvents)[] = [
    'begin',
    'commit',
    'rollback',
    'retry',
    'conflict',
    'aborted',
    'savepoint-rollback',
    'replay-divergence',
    'timeout',
    'hook-error',
  ]
  for (const name of names) tm.on(name, (payload) => seen.push([name, payload]))
  return seen
}

describe('events and stats', () => {
  test('a commit, a rollback and an aborted unit emit their events in order', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const seen = record(tm)
    await tm.transaction(
      (tx) => tx.execute('UPDATE accounts SET balance = 1'),
      { label: 'pay' },
    )
    await tm
      .transaction(async (tx) => {
        await tx.execute('INSERT INTO accounts VALUES (0, 0)')
      })
      .catch(() => undefined)
    expect(seen.map(([name]) => name)).toEqual([
      'begin',
      'commit',
      'begin',
      'aborted',
      'rollback',
    ])
    expect(seen[1]?.[1]).toMatchObject({
      id: 1,
      attempts: 1,
      statements: 1,
      label: 'pay',
    })
    expect(seen[4]?.[1]).toMatchObject({ id: 2, attempts: 1 })
    const stats = tm.stats()
    expect(stats).toMatchObject({
      started: 2,
      committed: 1,
      rolledBack: 1,
      aborted: 1,
      active: 0,
    })
    expect(stats.durationMs.count).toBe(2)
    expect(stats.durationMs.max).toBeGreaterThanOrEqual(stats.durationMs.p50)
  })

  test('a conflict, its retry and a savepoint rollback are reported', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 2, 100)
    const tm = createTransactionManager({ pool, random: () => 0 })
    const seen = record(tm)
    await tm.transaction(async (tx) => {
      await tx.query('SELECT balance FROM accounts WHERE id = 0')
      if (tx.attempt === 1)
        await tm.outside(() =>
          pool.execute('UPDATE accounts SET balance = 1 WHERE id = 0'),
        )
      await tx
        .execute('UPDATE accounts SET balance = 2 WHERE id = 0')
        .catch(() => undefined)
      if (tx.attempt === 2) {
        await tm
          .transaction(async (inner) => {
            await inner.execute('UPDATE accounts SET balance = 3 WHERE id = 1')
            throw new Error('undo')
          })
          .catch(() => undefined)
      }
    })
    const names = seen.map(([name]) => name)
    expect(names).toEqual([
      'begin',
      'aborted',
      'conflict',
      'retry',
      'begin',
      'savepoint-rollback',
      'commit',
    ])
    expect(seen.find(([name]) => name === 'conflict')?.[1]).toMatchObject({
      source: 'statement',
      attempt: 1,
    })
    expect(
      seen.find(([name]) => name === 'savepoint-rollback')?.[1],
    ).toMatchObject({ depth: 1, replayed: 2 })
  })

  test('a conflict a nested unit lets through still retries the outermost unit', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 2, 100)
    const tm = createTransactionManager({ pool, random: () => 0 })
    let runs = 0
    await tm.transaction(async () => {
      runs += 1
      await tm.query('SELECT balance FROM accounts WHERE id = 1')
      if (runs === 1)
        await tm.outside(() =>
          pool.execute('UPDATE accounts SET balance = 1 WHERE id = 0'),
        )
      // The inner unit conflicts, is rolled back to its savepoint (the replayed read still
      // matches), and its conflict error propagates out of the outer unit.
      await tm.transaction(() =>
        tm.execute('UPDATE accounts SET balance = balance + 1 WHERE id = 0'),
      )
    })
    expect(runs).toBe(2)
    expect(
      await pool.query('SELECT balance FROM accounts WHERE id = 0'),
    ).toEqual([{ balance: 2 }])
    expect(tm.stats()).toMatchObject({
      retries: { 'statement-conflict': 1 },
      savepointRollbacks: 1,
      replayDivergences: 0,
    })
  })

  test('conflict errors keep their type through the retry events', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({
      pool,
      random: () => 0,
      retry: { maxAttempts: 2 },
    })
    const retries: TransactionEvents['retry'][] = []
    tm.on('retry', (event) => retries.push(event))
    await tm
      .transaction(async (tx) => {
        await tx.query('SELECT 1 FROM accounts')
        await tm.outside(() =>
          pool.execute('UPDATE accounts SET balance = balance + 1'),
        )
        await tx.execute('UPDATE accounts SET balance = 0')
      })
      .catch(() => undefined)
    expect(retries).toHaveLength(1)
    expect(isTransactionConflictError(retries[0]?.error)).toBe(true)
    expect(retries[0]?.delayMs).toBe(0)
  })
})

describe('statement options', () => {
  test('statements inside a transaction skip the pool deadline unless statementTimeoutMs is set', async () => {
    const base = await openPool()
    await seedAccounts(base, 1, 100)
    const plain = recordStatements(base)
    await createTransactionManager({ pool: plain.pool }).transaction((tx) =>
      tx.query('SELECT 1'),
    )
    // BEGIN, the statement, COMMIT.
    expect(plain.options).toEqual([
      { timeoutMs: 0 },
      { timeoutMs: 0 },
      { timeoutMs: 0 },
    ])

    const bounded = recordStatements(base)
    await createTransactionManager({
      pool: bounded.pool,
      statementTimeoutMs: 250,
    }).transaction((tx) => tx.query('SELECT 1'))
    expect(bounded.options).toEqual([
      { timeoutMs: 250 },
      { timeoutMs: 250 },
      { timeoutMs: 250 },
    ])

    // A connection without `raw` cannot be interrupted directly, so statements carry the unit's signal.
    const hidden = recordStatements(base, { hideRaw: true })
    await createTransactionManager({ pool: hidden.pool }).transaction((tx) =>
      tx.query('SELECT 1'),
    )
    expect(hidden.options[0]).toEqual({ timeoutMs: 0 })
    expect(hidden.options[1]?.timeoutMs).toBe(0)
    expect(hidden.options[1]?.signal).toBeInstanceOf(AbortSignal)
    expect(hidden.options[2]).toEqual({ timeoutMs: 0 })
  })
})
