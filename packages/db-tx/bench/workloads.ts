import { createPool, type Pool } from '@duckkit/db-pool'
import {
  createTransactionManager,
  type TransactionManager,
} from '../src/index.js'

/** SQL of the measured statement. */
export const UPDATE = 'UPDATE t SET v = v + 1 WHERE id = $id'
const UPDATE_LITERAL = 'UPDATE t SET v = v + 1 WHERE id = 7'

/** Statement options without a deadline (as inside a transaction). */
const NO_DEADLINE = { timeoutMs: 0 }

/** Workers and increments per worker of the contended counter. */
export const WORKERS = 8
export const INCREMENTS = 200

/** An in-process FIFO mutex: the serialized baseline. */
class Mutex {
  #tail: Promise<unknown> = Promise.resolve()
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn)
    this.#tail = result.catch(() => undefined)
    return result
  }
}

/** The uncontended one-statement workloads, each one operation. */
export interface Uncontended {
  readonly pool: Pool
  readonly tm: TransactionManager
  /** Closes both pools. */
  close(): Promise<void>
  /** Name to one operation. */
  readonly variants: Readonly<Record<string, () => Promise<unknown>>>
}

/** Opens an in-memory database with a 1,000-row table and the uncontended variants. */
export async function uncontended(): Promise<Uncontended> {
  const pool = await createPool({ max: 2, config: { threads: 1 } })
  await pool.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)')
  await pool.execute('INSERT INTO t SELECT i, 0 FROM range(1000) r(i)')
  const tm = createTransactionManager({ pool })
  // The same database through a pool that keeps no prepared statements: the
  // autocommit statement as it cost before the statement cache (and as the
  // issue measured it, one driver `query` call that parses and plans).
  const uncached = await createPool({
    instance: pool.instance,
    max: 1,
    statementCacheSize: 0,
  })
  return {
    pool,
    tm,
    close: async () => {
      await uncached.close()
      await pool.close()
    },
    variants: {
      'autocommit pool.execute': () => pool.execute(UPDATE_LITERAL),
      'autocommit, statement cache off': () => uncached.execute(UPDATE_LITERAL),
      'tm.transaction, one statement': () =>
        tm.transaction((tx) => tx.execute(UPDATE_LITERAL)),
      'BEGIN, statement, COMMIT by hand': async () => {
        const connection = await pool.acquire()
        await connection.execute('BEGIN TRANSACTION', undefined, NO_DEADLINE)
        await connection.execute(UPDATE_LITERAL, undefined, NO_DEADLINE)
        await connection.execute('COMMIT', undefined, NO_DEADLINE)
        await connection.release()
      },
      'all three as one text, by hand': () =>
        pool.execute(
          `BEGIN TRANSACTION; ${UPDATE_LITERAL}; COMMIT`,
          undefined,
          NO_DEADLINE,
        ),
    },
  }
}

/** Outcome of one contended run. */
export interface ContendedRun {
  /** Wall time of the whole run in milliseconds. */
  readonly ms: number
  /** Conflicts the run hit. */
  readonly conflicts: number
  /** Transactions DuckDB committed for the run's increments (fewer than the increments when lane units batch). */
  readonly commits: number
}

/** The contended counter: three ways to make WORKERS x INCREMENTS increments of one row. */
export interface Contended {
  readonly pool: Pool
  /** Mode name to one full run (it checks the final count). */
  readonly modes: Readonly<
    Record<
      | 'mutex baseline'
      | 'write lane'
      | 'write lane, batching off'
      | 'retry on conflict',
      () => Promise<ContendedRun>
    >
  >
}

/** Opens an in-memory database with one counter row and the contended modes. */
export async function contended(): Promise<Contended> {
  const pool = await createPool({ max: 4, config: { threads: 1 } })
  await pool.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)')
  await pool.execute('INSERT INTO t VALUES (1, 0)')
  const tm = createTransactionManager({ pool, retry: { maxAttempts: 10_000 } })
  const unbatched = createTransactionManager({ pool, laneBatchSize: 1 })
  const mutex = new Mutex()
  const increment = { id: 1 }
  const counted = (): { conflicts: number; joined: number } => {
    const stats = [tm.stats(), unbatched.stats()]
    return {
      conflicts: stats.reduce(
        (sum, s) => sum + s.conflicts.statement + s.conflicts.commit,
        0,
      ),
      joined: stats.reduce((sum, s) => sum + s.laneBatched, 0),
    }
  }

  const run = async (one: () => Promise<unknown>): Promise<ContendedRun> => {
    await pool.execute('UPDATE t SET v = 0 WHERE id = 1')
    const before = counted()
    const start = performance.now()
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let i = 0; i < INCREMENTS; i += 1) await one()
      }),
    )
    const ms = performance.now() - start
    const [row] = await pool.query<{ v: number }>(
      'SELECT v FROM t WHERE id = 1',
    )
    if (row?.v !== WORKERS * INCREMENTS)
      throw new Error(`lost updates: ${String(row?.v)}`)
    const after = counted()
    return {
      ms,
      conflicts: after.conflicts - before.conflicts,
      commits: WORKERS * INCREMENTS - (after.joined - before.joined),
    }
  }

  return {
    pool,
    modes: {
      'mutex baseline': () =>
        run(() =>
          mutex.run(async () => {
            const connection = await pool.acquire()
            await connection.execute(
              'BEGIN TRANSACTION',
              undefined,
              NO_DEADLINE,
            )
            await connection.execute(UPDATE, increment, NO_DEADLINE)
            await connection.execute('COMMIT', undefined, NO_DEADLINE)
            await connection.release()
          }),
        ),
      'write lane': () =>
        run(() =>
          tm.transaction((tx) => tx.execute(UPDATE, increment), { lane: 't' }),
        ),
      'write lane, batching off': () =>
        run(() =>
          unbatched.transaction((tx) => tx.execute(UPDATE, increment), {
            lane: 't',
          }),
        ),
      'retry on conflict': () =>
        run(() => tm.transaction((tx) => tx.execute(UPDATE, increment))),
    },
  }
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}
