import { execFileSync } from 'node:child_process'
import { isMainThread } from 'node:worker_threads'
import { isFatalDatabaseError } from '@duckkit/resilience'
import { tempDatabasePath } from '@duckkit/test-utils'
import { describe, expect, it } from 'vitest'
import { createPool, isPoolDownError, type PoolEvents } from '../src/index.js'

/**
 * DuckDB invalidates a database when a checkpoint cannot be written. A file
 * size limit (RLIMIT_FSIZE, set on this test process with util-linux
 * `prlimit`) makes that happen on demand, for real.
 */
const PRLIMIT = process.env.PRLIMIT ?? 'prlimit'

function fileSizeLimit(): string | undefined {
  if (process.platform !== 'linux' || !isMainThread) return undefined
  try {
    return execFileSync(PRLIMIT, [
      '--pid',
      String(process.pid),
      '--fsize',
      '--raw',
      '--noheadings',
      '-o',
      'SOFT',
    ])
      .toString()
      .trim()
  } catch {
    return undefined
  }
}

const original = fileSizeLimit()

describe.skipIf(original === undefined)('a fatal database error', () => {
  it('marks the pool down, health() reports it, and new work fails fast with PoolDownError', async () => {
    const pool = await createPool({ path: tempDatabasePath(), min: 1, max: 2 })
    const downs: PoolEvents['down'][] = []
    pool.on('down', (event) => downs.push(event))
    await pool.execute('CREATE TABLE t (a VARCHAR)')
    const ignore = (): void => undefined
    process.on('SIGXFSZ', ignore)
    execFileSync(PRLIMIT, ['--pid', String(process.pid), '--fsize=1024000:'])
    let fatal: unknown
    try {
      for (let round = 0; round < 40 && fatal === undefined; round += 1) {
        try {
          await pool.execute(
            'INSERT INTO t SELECT md5(random()::VARCHAR) FROM range(10000)',
          )
          await pool.execute('CHECKPOINT')
        } catch (error) {
          if (isFatalDatabaseError(error)) fatal = error
        }
      }
    } finally {
      execFileSync(PRLIMIT, [
        '--pid',
        String(process.pid),
        `--fsize=${original}:`,
      ])
      process.off('SIGXFSZ', ignore)
    }
    expect(isFatalDatabaseError(fatal)).toBe(true)
    expect(pool.stats().state).toBe('down')
    expect(downs).toHaveLength(1)
    expect(downs[0]!.error).toBe(fatal)

    const health = await pool.health()
    expect(health.status).toBe('down')
    expect(health.reasons[0]).toMatch(
      /^database invalidated by a fatal error: /,
    )

    const refused = await pool
      .query('SELECT 1')
      .catch((error: unknown) => error)
    expect(isPoolDownError(refused)).toBe(true)
    expect(refused).toMatchObject({
      code: 'E_POOL_DOWN',
      retryable: false,
      cause: fatal,
    })
    await pool.close()
    expect(pool.stats().state).toBe('closed')
  })
})
