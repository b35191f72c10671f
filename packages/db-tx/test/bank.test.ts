import { isDatabaseError } from '@duckkit/resilience'
import { tempDatabasePath } from '@duckkit/test-utils'
import { expect, test } from 'vitest'
import {
  createTransactionManager,
  type TransactionManager,
} from '../src/index.js'
import { openPool, seedAccounts } from './helpers.js'

const WORKERS = 16
const TRANSFERS = 2_000
const ACCOUNTS = 20
const OPENING_BALANCE = 1_000

class InsufficientFundsError extends Error {
  readonly code = 'E_INSUFFICIENT_FUNDS'
}

/** A small seeded PRNG (mulberry32), so a failing run can be reproduced. */
function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Transfer {
  readonly id: number
  readonly from: number
  readonly to: number
  readonly amount: number
}

/** How transfers run: all retry on conflict; all in one write lane (batched); or every other one in the lane. */
type Mode = 'retry' | 'lane' | 'mixed'

function transfer(
  tm: TransactionManager,
  t: Transfer,
  hooks: Map<number, number>,
  mode: Mode,
): Promise<void> {
  const inLane = mode === 'lane' || (mode === 'mixed' && t.id % 2 === 0)
  return tm.transaction(
    async (tx) => {
      const [row] = await tx.query<{ balance: number }>(
        'SELECT balance FROM accounts WHERE id = $1',
        [t.from],
      )
      if (row === undefined || row.balance < t.amount)
        throw new InsufficientFundsError(`transfer ${t.id}`)
      await tx.execute(
        'UPDATE accounts SET balance = balance - $2 WHERE id = $1',
        [t.from, t.amount],
      )
      await tx.execute(
        'UPDATE accounts SET balance = balance + $2 WHERE id = $1',
        [t.to, t.amount],
      )
      await tx.execute('INSERT INTO transfers VALUES ($1, $2, $3, $4)', [
        t.id,
        t.from,
        t.to,
        t.amount,
      ])
      tx.afterCommit(() => {
        hooks.set(t.id, (hooks.get(t.id) ?? 0) + 1)
      })
    },
    {
      retry: { maxAttempts: 25, initialDelayMs: 1, maxDelayMs: 20 },
      ...(inLane ? { lane: 'accounts' } : {}),
    },
  )
}

test.each<Mode>(['retry', 'lane', 'mixed'])(
  `bank (%s): ${WORKERS} workers, ${TRANSFERS} transfers among ${ACCOUNTS} accounts keep every invariant`,
  { timeout: 60_000 },
  async (mode) => {
    const pool = await openPool({
      path: tempDatabasePath('bank.duckdb'),
      max: 4,
    })
    await seedAccounts(pool, ACCOUNTS, OPENING_BALANCE)
    await pool.execute(
      'CREATE TABLE transfers (id INTEGER PRIMARY KEY, src INTEGER, dst INTEGER, amount INTEGER)',
    )
    const tm = createTransactionManager({ pool })
    const random = prng(20_240_611)
    const queue: Transfer[] = Array.from({ length: TRANSFERS }, (_, id) => {
      const from = Math.floor(random() * ACCOUNTS)
      const to = (from + 1 + Math.floor(random() * (ACCOUNTS - 1))) % ACCOUNTS
      return { id, from, to, amount: 1 + Math.floor(random() * 400) }
    })
    const committed = new Set<number>()
    const failed = new Map<number, unknown>()
    const hooks = new Map<number, number>()
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < queue.length) {
        const t = queue[next++] as Transfer
        try {
          await transfer(tm, t, hooks, mode)
          committed.add(t.id)
        } catch (error) {
          failed.set(t.id, error)
        }
      }
    }
    await Promise.all(Array.from({ length: WORKERS }, worker))

    const [totals] = await pool.query(
      'SELECT sum(balance)::BIGINT AS total, min(balance)::INT AS lowest FROM accounts',
    )
    expect(totals?.total).toBe(ACCOUNTS * OPENING_BALANCE)
    expect(totals?.lowest).toBeGreaterThanOrEqual(0)

    // Every transfer has exactly one outcome; committed ones are in the log once, failed ones not at all.
    expect(committed.size + failed.size).toBe(TRANSFERS)
    const logged = (
      await pool.query('SELECT id FROM transfers ORDER BY id')
    ).map((row) => row.id)
    expect(logged).toEqual([...committed].sort((a, b) => a - b))
    for (const error of failed.values()) {
      expect(
        error instanceof InsufficientFundsError || isDatabaseError(error),
      ).toBe(true)
    }
    // The side effect of each committed transfer ran exactly once, and never for a failed one.
    expect([...hooks.keys()].sort((a, b) => a - b)).toEqual(logged)
    expect([...hooks.values()].every((count) => count === 1)).toBe(true)

    // The log explains every balance.
    const replayed = new Array<number>(ACCOUNTS).fill(OPENING_BALANCE)
    const rows = await pool.query('SELECT src, dst, amount FROM transfers')
    for (const row of rows as { src: number; dst: number; amount: number }[]) {
      replayed[row.src] = (replayed[row.src] ?? 0) - row.amount
      replayed[row.dst] = (replayed[row.dst] ?? 0) + row.amount
    }
    const balances = (
      await pool.query('SELECT balance FROM accounts ORDER BY id')
    ).map((row) => row.balance)
    expect(balances).toEqual(replayed)

    const stats = tm.stats()
    expect(stats.committed).toBe(committed.size)
    const conflicts = stats.conflicts.statement + stats.conflicts.commit
    if (mode === 'lane') {
      // One lane: no conflicts at all, and most transfers shared a transaction.
      expect(conflicts).toBe(0)
      expect(stats.laneBatched).toBeGreaterThan(TRANSFERS / 2)
    } else {
      expect(conflicts).toBeGreaterThan(0)
    }
    if (mode === 'mixed') expect(stats.laneBatched).toBeGreaterThan(0)
    const reasons = new Map<string, number>()
    for (const error of failed.values()) {
      const code = (error as { code?: string }).code ?? 'unknown'
      reasons.set(code, (reasons.get(code) ?? 0) + 1)
    }
    console.log(
      `bank (${mode}): ${committed.size} committed, ${failed.size} failed ${JSON.stringify(Object.fromEntries(reasons))}, ${stats.attempts - stats.started} retries, ` +
        `conflicts ${JSON.stringify(stats.conflicts)}, ${stats.laneBatched} batched, ${stats.replays} replays, ` +
        `${stats.replayDivergences} divergences, p50 ${stats.durationMs.p50} ms, p99 ${stats.durationMs.p99} ms`,
    )
  },
)
