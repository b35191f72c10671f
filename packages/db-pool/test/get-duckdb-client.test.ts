import { afterEach, describe, expect, it } from 'vitest'
import {
  createPool,
  DuckDBClient,
  getDuckDBClient,
  setDuckDBClient,
} from '../src/index.js'

describe('getDuckDBClient', () => {
  const warnings: Error[] = []
  const onWarning = (warning: Error) => warnings.push(warning)
  process.on('warning', onWarning)
  afterEach(async () => {
    await getDuckDBClient().close()
  })

  it('returns one process-wide client and warns once that it is deprecated', async () => {
    const first = getDuckDBClient({ mode: 'pool' })
    const second = getDuckDBClient({ mode: 'singleton' })
    expect(second).toBe(first)
    expect(first.mode).toBe('pool')
    expect(await first.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
    // 'warning' events are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve))
    const deprecations = warnings.filter(
      (warning) =>
        (warning as { code?: string }).code === 'DUCKKIT_DEP_GET_CLIENT',
    )
    expect(deprecations).toHaveLength(1)
    expect(deprecations[0]!.name).toBe('DeprecationWarning')
    expect(deprecations[0]!.message).toContain('docs/migration-guide.md')
  })

  it('creates a new client after the shared one was closed, without warning again', async () => {
    const first = getDuckDBClient()
    await first.close()
    const second = getDuckDBClient({ mode: 'pool' })
    expect(second).not.toBe(first)
    expect(await second.query('SELECT 2 AS two')).toEqual([{ two: 2 }])
    await new Promise((resolve) => setImmediate(resolve))
    expect(
      warnings.filter(
        (warning) =>
          (warning as { code?: string }).code === 'DUCKKIT_DEP_GET_CLIENT',
      ),
    ).toHaveLength(1)
  })

  it('setDuckDBClient installs a client over an existing pool and restores the previous one', async () => {
    const pool = await createPool({ max: 2 })
    try {
      const before = getDuckDBClient()
      const bridged = new DuckDBClient({ pool })
      expect(bridged.mode).toBe('pool')
      const restore = setDuckDBClient(bridged)
      expect(getDuckDBClient()).toBe(bridged)
      await getDuckDBClient().execute('CREATE TABLE t AS SELECT 7 AS v')
      // The old-style call ran on the given pool's database.
      expect(await pool.query('SELECT v FROM t')).toEqual([{ v: 7 }])
      await bridged.close()
      // Closing the bridge leaves the borrowed pool open.
      expect(pool.stats().state).toBe('open')
      expect(await pool.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
      restore()
      expect(getDuckDBClient()).toBe(before)
    } finally {
      await pool.close()
    }
  })

  it('refuses a pool option that is not a pool, or together with singleton mode', async () => {
    expect(() => new DuckDBClient({ pool: {} as never })).toThrow(/pool/)
    const pool = await createPool({ max: 1 })
    try {
      expect(() => new DuckDBClient({ pool, mode: 'singleton' })).toThrow(
        /mode/,
      )
    } finally {
      await pool.close()
    }
  })
})
