import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'

/** Opens an in-memory database with one thread; closes it when `use` returns. */
export async function withDatabase<T>(
  use: (instance: DuckDBInstance) => Promise<T>,
  path = ':memory:',
): Promise<T> {
  const instance = await DuckDBInstance.create(path, { threads: '1' })
  try {
    return await use(instance)
  } finally {
    instance.closeSync()
  }
}

/** Runs `sql` and returns what it threw; fails the test if it succeeded. */
export async function errorOf(
  connection: DuckDBConnection,
  sql: string,
): Promise<unknown> {
  try {
    await connection.run(sql)
  } catch (error) {
    return error
  }
  throw new Error(`expected ${sql} to fail`)
}

/** A query that runs for minutes on one thread unless interrupted. */
export const LONG_QUERY =
  'SELECT count(*) FROM range(1000000000) a, range(10) b WHERE a.range * b.range % 7 = 3'

/** Calls `connection.interrupt()` until `running` settles (the query may not have started yet). */
export async function interruptUntilSettled(
  connection: DuckDBConnection,
  running: Promise<unknown>,
): Promise<void> {
  let settled = false
  const done = running.then(
    () => {
      settled = true
    },
    () => {
      settled = true
    },
  )
  while (!settled) {
    connection.interrupt()
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  await done
}

/** Resolves with `promise`'s outcome, or with `'still running'` if it has not settled after `ms`. */
export async function outcomeWithin<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ value: T } | { error: unknown } | 'still running'> {
  let timer: NodeJS.Timeout | undefined
  const guard = new Promise<'still running'>((resolve) => {
    timer = setTimeout(resolve, ms, 'still running')
  })
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      guard,
    ])
  } finally {
    clearTimeout(timer)
  }
}
