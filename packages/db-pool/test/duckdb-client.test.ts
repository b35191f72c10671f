import { isTransactionAbortedError } from '@duckkit/resilience'
import { describe, expect, it } from 'vitest'
import {
  DuckDBClient,
  type DuckDBClientMode,
  isPoolClosedError,
  isPoolOptionsError,
  resolveClientMode,
} from '../src/index.js'

/** A small workload touching DDL, parameters, a transaction, a rollback and an aggregate. */
async function workload(client: DuckDBClient): Promise<unknown[]> {
  const results: unknown[] = []
  await client.execute(
    'CREATE TABLE orders (id INTEGER PRIMARY KEY, customer VARCHAR, amount DECIMAL(10,2))',
  )
  results.push(
    await client.execute('INSERT INTO orders VALUES (?, ?, ?), (?, ?, ?)', [
      1,
      'ada',
      10.5,
      2,
      'bob',
      20,
    ]),
  )
  results.push(
    await client.transaction(async (tx) => {
      await tx.execute('INSERT INTO orders VALUES ($id, $customer, $amount)', {
        id: 3,
        customer: 'ada',
        amount: 4.25,
      })
      return tx.query('SELECT count(*) AS n FROM orders')
    }),
  )
  results.push(
    await client
      .transaction(async (tx) => {
        await tx.execute("INSERT INTO orders VALUES (4, 'cy', 1)")
        throw new Error('changed my mind')
      })
      .catch((error: unknown) => (error as Error).message),
  )
  results.push(
    await client
      .transaction(async (tx) => {
        await tx.execute("INSERT INTO orders VALUES (5, 'dee', 2)")
        await tx
          .execute("INSERT INTO orders VALUES (1, 'dup', 0)")
          .catch(() => 'swallowed')
        return 'should not commit'
      })
      .catch((error: unknown) => isTransactionAbortedError(error)),
  )
  results.push(
    await Promise.all([
      client.query(
        'SELECT customer, sum(amount) AS total FROM orders GROUP BY customer ORDER BY customer',
      ),
      client.query('SELECT max(id) AS top FROM orders'),
    ]),
  )
  return results
}

async function run(mode: DuckDBClientMode): Promise<unknown[]> {
  const client = new DuckDBClient({ mode, max: 2 })
  try {
    return await workload(client)
  } finally {
    await client.close()
  }
}

describe('DuckDBClient', () => {
  it('gives the same results for the same workload in singleton and pool mode', async () => {
    const singleton = await run('singleton')
    const pooled = await run('pool')
    expect(pooled).toEqual(singleton)
    expect(singleton).toEqual([
      { rowsChanged: 2 },
      [{ n: 3 }],
      'changed my mind',
      true,
      [
        [
          { customer: 'ada', total: 14.75 },
          { customer: 'bob', total: 20 },
        ],
        [{ top: 3 }],
      ],
    ])
  })

  it('interleaves concurrent transactions in singleton mode (the flaw), but not in pool mode', async () => {
    const outcome = async (mode: DuckDBClientMode) => {
      const client = new DuckDBClient({ mode, max: 2 })
      try {
        await client.execute('CREATE TABLE t (v VARCHAR)')
        let firstStarted!: () => void
        const started = new Promise<void>((resolve) => (firstStarted = resolve))
        let letFirstFinish!: () => void
        const gate = new Promise<void>((resolve) => (letFirstFinish = resolve))
        const first = client.transaction(async (tx) => {
          await tx.execute("INSERT INTO t VALUES ('first')")
          firstStarted()
          await gate
          return 'first committed'
        })
        await started
        const second = client.transaction(async (tx) => {
          await tx.execute("INSERT INTO t VALUES ('second')")
          return 'second committed'
        })
        const secondResult = await second.catch(
          (error: unknown) => `second failed: ${(error as Error).message}`,
        )
        letFirstFinish()
        const firstResult = await first.catch(
          (error: unknown) => `first failed: ${(error as Error).name}`,
        )
        const rows = await client.query<{ v: string }>(
          'SELECT v FROM t ORDER BY v',
        )
        return { firstResult, secondResult, rows: rows.map((row) => row.v) }
      } finally {
        await client.close()
      }
    }

    expect(await outcome('pool')).toEqual({
      firstResult: 'first committed',
      secondResult: 'second committed',
      rows: ['first', 'second'],
    })
    // On one shared connection the second BEGIN lands inside the first transaction:
    // it fails, and it aborts the first transaction, whose work is lost.
    const singleton = await outcome('singleton')
    expect(singleton.secondResult).toMatch(
      /second failed: .*cannot start a transaction within a transaction/,
    )
    expect(singleton.firstResult).toBe('first failed: TransactionAbortedError')
    expect(singleton.rows).toEqual([])
  })

  it('lets a plain write of another caller slip into an open transaction in singleton mode only', async () => {
    const outcome = async (mode: DuckDBClientMode) => {
      const client = new DuckDBClient({ mode, max: 2 })
      try {
        await client.execute('CREATE TABLE t (v VARCHAR)')
        let release!: () => void
        const gate = new Promise<void>((resolve) => (release = resolve))
        let opened!: () => void
        const isOpen = new Promise<void>((resolve) => (opened = resolve))
        const rolledBack = client
          .transaction(async () => {
            opened()
            await gate
            throw new Error('roll back')
          })
          .catch(() => undefined)
        await isOpen
        await client.execute("INSERT INTO t VALUES ('independent write')")
        release()
        await rolledBack
        return (await client.query('SELECT count(*) AS n FROM t'))[0]
      } finally {
        await client.close()
      }
    }
    expect(await outcome('pool')).toEqual({ n: 1 })
    expect(await outcome('singleton')).toEqual({ n: 0 })
  })

  it('reports ok health in singleton mode, probing through the shared connection', async () => {
    const client = new DuckDBClient({ mode: 'singleton' })
    try {
      const health = await client.health()
      expect(health).toMatchObject({ status: 'ok', reasons: [] })
      expect(health.latencyMs).toBeGreaterThan(0)
      expect(client.stats()).toMatchObject({ size: 1, inUse: 1, max: 1 })
    } finally {
      await client.close()
    }
    expect(await client.health()).toMatchObject({
      status: 'down',
      reasons: ['pool is closed'],
    })
  })

  it('picks the mode from the option, else from DUCKKIT_POOL, else singleton', () => {
    expect(resolveClientMode(undefined, {})).toBe('singleton')
    expect(resolveClientMode(undefined, { DUCKKIT_POOL: '1' })).toBe('pool')
    expect(resolveClientMode(undefined, { DUCKKIT_POOL: 'true' })).toBe('pool')
    expect(resolveClientMode(undefined, { DUCKKIT_POOL: '0' })).toBe(
      'singleton',
    )
    expect(resolveClientMode('singleton', { DUCKKIT_POOL: '1' })).toBe(
      'singleton',
    )
    expect(() =>
      resolveClientMode(undefined, { DUCKKIT_POOL: 'maybe' }),
    ).toThrow(/DUCKKIT_POOL: "maybe"/)
    expect(() => resolveClientMode('cluster')).toThrow(/mode: "cluster"/)
    const previous = process.env.DUCKKIT_POOL
    process.env.DUCKKIT_POOL = 'on'
    try {
      expect(new DuckDBClient().mode).toBe('pool')
    } finally {
      if (previous === undefined) delete process.env.DUCKKIT_POOL
      else process.env.DUCKKIT_POOL = previous
    }
  })

  it('validates its options at construction', () => {
    const error = (() => {
      try {
        new DuckDBClient({ mode: 'pool', max: -1 })
      } catch (caught) {
        return caught
      }
      return undefined
    })()
    expect(isPoolOptionsError(error)).toBe(true)
    expect(() => new DuckDBClient({ transaction: 'yes' as never })).toThrow(
      /transaction/,
    )
  })

  it('reports health and stats, runs a custom transaction runner, and refuses work once closed', async () => {
    const calls: string[] = []
    const client = new DuckDBClient({
      mode: 'pool',
      max: 2,
      transaction: async (connection, fn) => {
        calls.push('runner')
        return fn(connection)
      },
    })
    expect(client.stats()).toMatchObject({ size: 0, max: 2 })
    expect(
      await client.transaction(
        async (tx) => (await tx.query('SELECT 1 AS one'))[0],
      ),
    ).toEqual({ one: 1 })
    expect(calls).toEqual(['runner'])
    expect((await client.health()).status).toBe('ok')
    expect(client.stats().acquired).toBeGreaterThan(0)
    expect(client.pool).toBeDefined()
    await client.close()
    expect(client.closed).toBe(true)
    expect(
      isPoolClosedError(
        await client.query('SELECT 1').catch((e: unknown) => e),
      ),
    ).toBe(true)
  })
})
