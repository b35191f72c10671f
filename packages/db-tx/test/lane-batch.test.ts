import { isTransactionAbortedError } from '@duckkit/resilience'
import { describe, expect, test } from 'vitest'
import {
  createTransactionManager,
  isTransactionRollbackOnlyError,
  isTransactionTimeoutError,
  type CommitEvent,
  type Transaction,
  type TransactionOptions,
} from '../src/index.js'
import { deferred, openPool, recordStatements } from './helpers.js'

/** No backoff delay: full jitter with a random source that always returns 0. */
const noDelay = { random: () => 0 }

async function counterPool() {
  const pool = await openPool()
  await pool.execute('CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)')
  await pool.execute('INSERT INTO counter VALUES (1, 0)')
  await pool.execute('CREATE TABLE items (id INTEGER PRIMARY KEY, tag VARCHAR)')
  return pool
}

const count = (sent: readonly string[], sql: string): number =>
  sent.filter((text) => text === sql).length

const increment = (tx: Transaction) =>
  tx.execute('UPDATE counter SET n = n + 1 WHERE id = 1')

/**
 * Four lane units that queue while the first waits on a gate, so they run as
 * one batch; the third runs `third` and must fail. Returns its error after
 * checking that the three others committed.
 */
async function failingThird(
  third: (tx: Transaction) => Promise<unknown>,
  options: TransactionOptions = {},
) {
  const pool = await counterPool()
  const tm = createTransactionManager({ pool })
  const gate = deferred()
  const units = [
    tm.transaction(
      async (tx) => {
        await gate.promise
        await increment(tx)
      },
      { lane: 'counter' },
    ),
    tm.transaction(increment, { lane: 'counter' }),
    tm.transaction(third, { ...options, lane: 'counter' }),
    tm.transaction(increment, { lane: 'counter' }),
  ]
  gate.resolve()
  const failure = await onlyThirdFails(units)
  expect(tm.stats().laneBatched).toBe(3)
  return { pool, failure }
}

/** Settles four units, checks that only the third failed, and returns its error. */
async function onlyThirdFails(units: Promise<unknown>[]): Promise<unknown> {
  const results = await Promise.allSettled(units)
  expect(results.map((result) => result.status)).toEqual([
    'fulfilled',
    'fulfilled',
    'rejected',
    'fulfilled',
  ])
  return (results[2] as PromiseRejectedResult).reason
}

describe('lane batching', () => {
  test('lane units waiting for the same lane share one transaction; each resolves after its COMMIT', async () => {
    const pool = await counterPool()
    const recorded = recordStatements(pool)
    const tm = createTransactionManager({ pool: recorded.pool })
    const seenAfter: number[] = []
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        await tm.transaction(increment, { lane: 'counter' })
        // Resolved means committed: a connection outside the batch sees the write.
        const [row] = await pool.query<{ n: number }>(
          'SELECT n FROM counter WHERE id = 1',
        )
        seenAfter.push(row?.n ?? -1)
      }),
    )
    expect(await pool.query('SELECT n FROM counter')).toEqual([{ n: 8 }])
    expect(seenAfter.every((n) => n >= 1)).toBe(true)
    // The other seven queue while the first runs, and join its transaction one after another.
    expect(count(recorded.sent, 'BEGIN TRANSACTION')).toBe(1)
    expect(count(recorded.sent, 'COMMIT')).toBe(1)
    expect(tm.stats()).toMatchObject({
      committed: 8,
      laneBatched: 7,
      conflicts: { statement: 0, commit: 0 },
    })
  })

  test('laneBatchSize caps a batch, and 1 turns batching off', async () => {
    for (const [laneBatchSize, commits] of [
      [3, 3],
      [1, 8],
    ] as const) {
      const pool = await counterPool()
      const recorded = recordStatements(pool)
      const tm = createTransactionManager({
        pool: recorded.pool,
        laneBatchSize,
      })
      await Promise.all(
        Array.from({ length: 8 }, () =>
          tm.transaction(increment, { lane: 'counter' }),
        ),
      )
      expect(await pool.query('SELECT n FROM counter')).toEqual([{ n: 8 }])
      // Batches of at most 3: 3 + 3 + 2.
      expect(count(recorded.sent, 'COMMIT')).toBe(commits)
    }
  })

  test('read-only units, units without retry and units of other lanes never join', async () => {
    const pool = await counterPool()
    const recorded = recordStatements(pool)
    const tm = createTransactionManager({ pool: recorded.pool })
    const gate = deferred()
    const options: TransactionOptions[] = [
      { lane: 'counter', readOnly: true },
      { lane: 'counter', retry: false },
      { lane: 'counter', retry: { maxAttempts: 1 } },
      { lane: ['counter', 'other'] },
    ]
    const first = tm.transaction(
      async (tx) => {
        await increment(tx)
        await gate.promise
      },
      { lane: 'counter' },
    )
    const rest = options.map((option) =>
      tm.transaction<unknown>(
        (tx) =>
          option.readOnly === true
            ? tx.query('SELECT n FROM counter')
            : increment(tx),
        option,
      ),
    )
    gate.resolve()
    await Promise.all([first, ...rest])
    expect(await pool.query('SELECT n FROM counter')).toEqual([{ n: 4 }])
    expect(count(recorded.sent, 'COMMIT')).toBe(5)
    expect(tm.stats().laneBatched).toBe(0)
  })

  test('a failing member is undone alone; the others commit and their hooks run once', async () => {
    const pool = await counterPool()
    const events: CommitEvent[] = []
    const tm = createTransactionManager({
      pool,
      listeners: [{ afterCommit: (event) => void events.push(event) }],
    })
    const gate = deferred()
    const hooks: string[] = []
    const insert = (id: number, fail: boolean) =>
      tm.transaction(
        async (tx) => {
          if (id === 1) await gate.promise
          await tx.execute('INSERT INTO items VALUES ($1, $2)', [id, 'x'])
          tx.afterCommit(() => hooks.push(`commit ${id}`))
          tx.afterRollback(() => hooks.push(`rollback ${id}`))
          if (fail) throw new Error(`unit ${id} failed`)
          return id
        },
        { lane: 'items' },
      )
    const units = [
      insert(1, false),
      insert(2, false),
      insert(3, true),
      insert(4, false),
    ]
    gate.resolve()
    expect(await onlyThirdFails(units)).toMatchObject({
      message: 'unit 3 failed',
    })
    expect(await pool.query('SELECT id FROM items ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 4 },
    ])
    expect(hooks.sort()).toEqual([
      'commit 1',
      'commit 2',
      'commit 4',
      'rollback 3',
    ])
    // Undoing unit 3 rolled back and replayed the inserts of units 1 and 2.
    expect(tm.stats()).toMatchObject({
      committed: 3,
      rolledBack: 1,
      laneBatched: 3,
      replays: 1,
      replayedStatements: 2,
      retries: { 'replay-divergence': 0 },
    })
    // Each member's listener event lists its own statements only.
    expect(events).toHaveLength(3)
    for (const event of events)
      expect(event.statements).toEqual(['INSERT INTO items VALUES ($1, $2)'])
  })

  test('a member that swallowed a statement error fails alone, as its COMMIT would have', async () => {
    const { pool, failure } = await failingThird(async (tx) => {
      await increment(tx)
      await tx.execute('SELECT 1 / 0 FROM no_such_table').catch(() => 0)
    })
    expect(isTransactionAbortedError(failure)).toBe(true)
    expect(await pool.query('SELECT n FROM counter')).toEqual([{ n: 3 }])
  })

  test('nested units inside a member: a savepoint rollback replays the earlier members too; a failed joined unit fails its member alone', async () => {
    const pool = await counterPool()
    const tm = createTransactionManager({ pool })
    const gate = deferred()
    const insert = (tx: Transaction, id: number) =>
      tx.execute('INSERT INTO items VALUES ($1, $2)', [id, 'x'])
    const units = [
      tm.transaction(
        async (tx) => {
          await gate.promise
          await insert(tx, 1)
        },
        { lane: 'items' },
      ),
      tm.transaction(
        async (tx) => {
          await insert(tx, 2)
          await tx
            .transaction(async (inner) => {
              await insert(inner, 3)
              throw new Error('inner fails')
            })
            .catch(() => undefined)
          await insert(tx, 4)
        },
        { lane: 'items' },
      ),
      tm.transaction(
        async (tx) => {
          await insert(tx, 5)
          await tx
            .transaction(
              async (inner) => {
                await insert(inner, 6)
                throw new Error('joined unit fails')
              },
              { propagation: 'join' },
            )
            .catch(() => undefined)
        },
        { lane: 'items' },
      ),
      tm.transaction((tx) => insert(tx, 7), { lane: 'items' }),
    ]
    gate.resolve()
    const failure = await onlyThirdFails(units)
    expect(isTransactionRollbackOnlyError(failure)).toBe(true)
    expect(await pool.query('SELECT id FROM items ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 4 },
      { id: 7 },
    ])
    // The nested rollback replayed inserts 1 and 2; undoing the third member replayed 1, 2 and 4.
    expect(tm.stats()).toMatchObject({
      savepointRollbacks: 1,
      replays: 2,
      replayedStatements: 5,
      laneBatched: 3,
    })
  })

  test('a replay that diverges makes the finished members retry as a whole', async () => {
    const pool = await counterPool()
    const tm = createTransactionManager({ pool, ...noDelay })
    const firstDone = deferred()
    const secondRead = deferred()
    const changed = deferred()
    const seen: number[] = []
    const holder = tm.transaction(
      async (tx) => {
        await tx.execute('INSERT INTO items VALUES (0, $1)', ['holder'])
        await firstDone.promise
      },
      { lane: 'counter' },
    )
    // Joins the batch after the holder: reads the counter, then writes.
    const reader = tm.transaction(
      async (tx) => {
        const [row] = await tx.query<{ n: number }>(
          'SELECT n FROM counter WHERE id = 1',
        )
        seen.push(row?.n ?? -1)
        await tx.execute('INSERT INTO items VALUES ($1, $2)', [
          tx.attempt,
          'reader',
        ])
        secondRead.resolve()
      },
      { lane: 'counter' },
    )
    // Joins after the reader and fails once another connection changed what the reader saw.
    const failing = tm.transaction(
      async (tx) => {
        await changed.promise
        await tx.execute('INSERT INTO items VALUES (99, $1)', ['failing'])
        throw new Error('give up')
      },
      { lane: 'counter', retry: { maxAttempts: 2 } },
    )
    firstDone.resolve()
    await secondRead.promise
    await tm.outside(() =>
      pool.execute('UPDATE counter SET n = 42 WHERE id = 1'),
    )
    changed.resolve()
    await expect(failing).rejects.toThrow('give up')
    await Promise.all([holder, reader])
    expect(seen).toEqual([0, 42])
    expect(await pool.query('SELECT id, tag FROM items ORDER BY id')).toEqual([
      { id: 0, tag: 'holder' },
      { id: 2, tag: 'reader' },
    ])
    expect(tm.stats()).toMatchObject({
      replayDivergences: 1,
      // The holder and the reader had finished; both run again.
      retries: { 'replay-divergence': 2 },
      conflicts: { replay: 1 },
    })
  })

  test('a COMMIT conflict fails every finished member, and each retries', async () => {
    const pool = await counterPool()
    const tm = createTransactionManager({ pool, ...noDelay })
    const gate = deferred()
    const attempts = new Map<string, number>()
    const member = (tag: string, last: boolean) =>
      tm.transaction(
        async (tx) => {
          attempts.set(tag, tx.attempt)
          const [free] = await tx.query<{ n: number }>(
            'SELECT count(*)::INT AS n FROM items WHERE id = 1',
          )
          await tx.execute('INSERT INTO items VALUES ($1, $2)', [
            free?.n === 0 && tag === 'a' ? 1 : tag === 'a' ? 10 : 20,
            tag,
          ])
          if (last && tx.attempt === 1) {
            await gate.promise
            // Another writer takes key 1 and commits first: the batch's COMMIT conflicts.
            await tm.outside(() =>
              pool.execute("INSERT INTO items VALUES (1, 'other')"),
            )
          }
        },
        { lane: 'items' },
      )
    const hold = deferred()
    const first = tm.transaction(() => hold.promise, { lane: 'items' })
    const units = [member('a', false), member('b', true)]
    hold.resolve()
    gate.resolve()
    await Promise.all([first, ...units])
    expect(attempts).toEqual(
      new Map([
        ['a', 2],
        ['b', 2],
      ]),
    )
    expect(await pool.query('SELECT id, tag FROM items ORDER BY id')).toEqual([
      { id: 1, tag: 'other' },
      { id: 10, tag: 'a' },
      { id: 20, tag: 'b' },
    ])
    expect(tm.stats()).toMatchObject({
      committed: 3,
      conflicts: { commit: 1 },
      // Every member of the batch runs again, the first (no statements) included.
      retries: { 'commit-conflict': 3 },
    })
  })

  test('a member past its deadline is interrupted and undone; the batch goes on', async () => {
    const { pool, failure } = await failingThird(
      async (tx) => {
        await increment(tx)
        await tx.query('SELECT count(*) FROM range(100000000000) a')
      },
      { timeoutMs: 200 },
    )
    expect(isTransactionTimeoutError(failure)).toBe(true)
    expect(await pool.query('SELECT n FROM counter')).toEqual([{ n: 3 }])
  })

  test('tm.current() is empty once a member has finished, while the batch goes on', async () => {
    const pool = await counterPool()
    const tm = createTransactionManager({ pool })
    const gate = deferred()
    const later = deferred<unknown>()
    const first = tm.transaction(async () => gate.promise, { lane: 'counter' })
    const second = tm.transaction(
      async (tx) => {
        await increment(tx)
        // Runs after this unit's body returned, while the third unit holds the batch.
        setImmediate(() => {
          later.resolve(tm.current())
        })
      },
      { lane: 'counter' },
    )
    const third = tm.transaction(
      async (tx) => {
        await later.promise
        await increment(tx)
      },
      { lane: 'counter' },
    )
    gate.resolve()
    await Promise.all([first, second, third])
    expect(await later.promise).toBeUndefined()
    expect(await pool.query('SELECT n FROM counter')).toEqual([{ n: 2 }])
  })

  test('laneBatchSize must be an integer of at least 1', async () => {
    const pool = await openPool()
    for (const laneBatchSize of [0, 1.5, '4', -1]) {
      expect(() =>
        createTransactionManager({
          pool,
          laneBatchSize: laneBatchSize as number,
        }),
      ).toThrow(
        expect.objectContaining({
          name: 'InvalidOptionError',
          field: 'laneBatchSize',
        }) as Error,
      )
    }
  })

  test('a unit that fails with nothing before it just rolls back, and its connection is back before the call rejects', async () => {
    const pool = await counterPool()
    const recorded = recordStatements(pool)
    const tm = createTransactionManager({ pool: recorded.pool })
    // A unit that wrote is rolled back by the undo; one that only read, when the batch ends.
    const bodies = [increment, (tx: Transaction) => tx.query('SELECT 1')]
    for (const options of [{}, { lane: 'counter' }]) {
      for (const body of bodies) {
        const failing = tm.transaction(async (tx) => {
          await body(tx)
          throw new Error('no')
        }, options)
        await expect(failing).rejects.toThrow('no')
        const { acquired, released } = pool.stats()
        expect(released).toBe(acquired)
      }
    }
    expect(await pool.query('SELECT n FROM counter')).toEqual([{ n: 0 }])
    expect(count(recorded.sent, 'ROLLBACK')).toBe(4)
    expect(tm.stats()).toMatchObject({
      rolledBack: 4,
      replays: 0,
      replayedStatements: 0,
    })
  })
})
