import { isInterruptedError } from '@duckkit/resilience'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import {
  createTransactionManager,
  isTransactionStateError,
  isTransactionTimeoutError,
  type TransactionEvents,
} from '../src/index.js'
import {
  deferred,
  openPool,
  recordStatements,
  seedAccounts,
} from './helpers.js'

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i += 1)
    await new Promise((resolve) => setImmediate(resolve))
}

describe('deadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  test('timeoutMs rolls back a unit that stalls, and its handle is dead afterwards', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const events: TransactionEvents['timeout'][] = []
    tm.on('timeout', (event) => events.push(event))
    const reached = deferred()
    const stalled = deferred()
    let late: unknown
    let signal: AbortSignal | undefined
    const unit = tm
      .transaction(
        async (tx) => {
          signal = tx.signal
          await tx.execute('UPDATE accounts SET balance = 0')
          reached.resolve()
          await stalled.promise
          late = await tx
            .execute('UPDATE accounts SET balance = 1')
            .catch((e: unknown) => e)
        },
        { timeoutMs: 1_000 },
      )
      .catch((e: unknown) => e)
    await reached.promise
    await vi.advanceTimersByTimeAsync(999)
    expect(events).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    const error = await unit
    expect(isTransactionTimeoutError(error) && error.reason).toBe('timeout')
    expect(signal?.aborted === true && signal.reason === error).toBe(true)
    expect(events).toMatchObject([
      { reason: 'timeout', timeoutMs: 1_000, depth: 0 },
    ])
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 100 },
    ])
    stalled.resolve()
    await turns(5)
    expect(isTransactionStateError(late)).toBe(true)
    expect(tm.stats()).toMatchObject({ timeouts: 1, rolledBack: 1 })
  })

  test('the deadline interrupts a running statement before rolling back', async () => {
    const base = await openPool()
    await seedAccounts(base, 1, 100)
    const { pool, sent } = recordStatements(base)
    const tm = createTransactionManager({ pool })
    let statementError: unknown
    const unit = tm
      .transaction(
        async (tx) => {
          await tx.execute('UPDATE accounts SET balance = 0')
          statementError = await tx
            .query('SELECT count(*) FROM range(100000000000) a')
            .catch((e: unknown) => e)
        },
        { timeoutMs: 500 },
      )
      .catch((e: unknown) => e)
    while (sent.length < 3) await turns(1)
    await turns(20)
    let settled = false
    void unit.then(() => {
      settled = true
    })
    await vi.advanceTimersByTimeAsync(500)
    // An interrupt that reaches DuckDB before the statement starts is dropped; it is repeated every 50 ms.
    while (!settled) await vi.advanceTimersByTimeAsync(50)
    expect(isTransactionTimeoutError(await unit)).toBe(true)
    expect(isInterruptedError(statementError)).toBe(true)
    expect(sent.at(-1)).toBe('ROLLBACK')
    expect(await base.query('SELECT balance FROM accounts')).toEqual([
      { balance: 100 },
    ])
  })

  test('maxAgeMs rolls back a transaction left open too long and reports it', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool, maxAgeMs: 30_000 })
    const events: TransactionEvents['timeout'][] = []
    tm.on('timeout', (event) => events.push(event))
    const reached = deferred()
    const unit = tm
      .transaction(async (tx) => {
        await tx.execute('UPDATE accounts SET balance = 0')
        reached.resolve()
        await new Promise(() => undefined)
      })
      .catch((e: unknown) => e)
    await reached.promise
    await vi.advanceTimersByTimeAsync(30_000)
    const error = await unit
    expect(isTransactionTimeoutError(error) && error.reason).toBe('max-age')
    expect(events).toMatchObject([{ reason: 'max-age', timeoutMs: 30_000 }])
    expect(tm.stats()).toMatchObject({ expired: 1, timeouts: 0 })
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 100 },
    ])
  })

  test("aborting the caller's signal interrupts and rolls back", async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({ pool })
    const controller = new AbortController()
    const reached = deferred()
    const unit = tm
      .transaction(
        async (tx) => {
          await tx.execute('UPDATE accounts SET balance = 0')
          reached.resolve()
          await new Promise(() => undefined)
        },
        { signal: controller.signal },
      )
      .catch((e: unknown) => e)
    await reached.promise
    const reason = new Error('client went away')
    controller.abort(reason)
    const error = await unit
    expect(isInterruptedError(error) && error.cause).toBe(reason)
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 100 },
    ])
  })

  test('a nested unit past its own timeoutMs is rolled back alone; the outer unit commits', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 2, 100)
    const tm = createTransactionManager({ pool })
    const reached = deferred()
    const unit = tm.transaction(async (tx) => {
      await tx.execute('UPDATE accounts SET balance = 1 WHERE id = 0')
      const inner: unknown = await tm
        .transaction(
          async (nested) => {
            await nested.execute('UPDATE accounts SET balance = 2 WHERE id = 1')
            reached.resolve()
            await new Promise(() => undefined)
          },
          { timeoutMs: 100 },
        )
        .catch((e: unknown) => e)
      expect(isTransactionTimeoutError(inner)).toBe(true)
      await tx.execute('UPDATE accounts SET balance = 3 WHERE id = 0')
    })
    await reached.promise
    await vi.advanceTimersByTimeAsync(100)
    await unit
    expect(
      await pool.query('SELECT id, balance FROM accounts ORDER BY id'),
    ).toEqual([
      { id: 0, balance: 3 },
      { id: 1, balance: 100 },
    ])
    expect(tm.stats()).toMatchObject({
      timeouts: 1,
      savepointRollbacks: 1,
      committed: 1,
    })
  })

  test("aborting a nested unit's signal rolls back only that unit", async () => {
    const pool = await openPool()
    await seedAccounts(pool, 2, 100)
    const tm = createTransactionManager({ pool })
    const controller = new AbortController()
    const reached = deferred()
    const unit = tm.transaction(async (tx) => {
      await tx.execute('UPDATE accounts SET balance = 1 WHERE id = 0')
      const inner: unknown = await tm
        .transaction(
          async (nested) => {
            await nested.execute('UPDATE accounts SET balance = 2 WHERE id = 1')
            reached.resolve()
            await new Promise(() => undefined)
          },
          { signal: controller.signal },
        )
        .catch((e: unknown) => e)
      expect(isInterruptedError(inner)).toBe(true)
      await tx.execute('UPDATE accounts SET balance = 3 WHERE id = 0')
    })
    await reached.promise
    controller.abort()
    await unit
    expect(
      await pool.query('SELECT id, balance FROM accounts ORDER BY id'),
    ).toEqual([
      { id: 0, balance: 3 },
      { id: 1, balance: 100 },
    ])
  })

  test('backoff between attempts waits on the injected clock', async () => {
    const pool = await openPool()
    await seedAccounts(pool, 1, 100)
    const tm = createTransactionManager({
      pool,
      retry: { initialDelayMs: 50, maxDelayMs: 50, jitter: 'none' },
    })
    let runs = 0
    const unit = tm.transaction(async (tx) => {
      runs += 1
      await tx.query('SELECT balance FROM accounts')
      if (runs === 1)
        await tm.outside(() => pool.execute('UPDATE accounts SET balance = 1'))
      await tx.execute('UPDATE accounts SET balance = balance + 1')
    })
    while (tm.stats().retries['statement-conflict'] === 0) await turns(1)
    await turns(10)
    expect(runs).toBe(1)
    await vi.advanceTimersByTimeAsync(50)
    await unit
    expect(runs).toBe(2)
    expect(await pool.query('SELECT balance FROM accounts')).toEqual([
      { balance: 2 },
    ])
  })
})
