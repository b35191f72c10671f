import { afterEach, describe, expect, it } from 'vitest'
import {
  createPool,
  defaultMax,
  isPoolOptionsError,
  type Pool,
  type PoolOptions,
} from '../src/index.js'

let pool: Pool | undefined
afterEach(async () => {
  await pool?.close({ timeoutMs: 100 })
  pool = undefined
})

describe('options', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'min',
      { min: -1 },
      'Invalid pool option min: -1 (expected an integer from 0 to max',
    ],
    [
      'min',
      { min: 5, max: 2 },
      'Invalid pool option min: 5 (expected an integer from 0 to max (2))',
    ],
    [
      'max',
      { max: 0 },
      'Invalid pool option max: 0 (expected an integer from 1 to 10000)',
    ],
    ['max', { max: 2.5 }, 'Invalid pool option max: 2.5'],
    ['max', { max: '4' }, 'Invalid pool option max: "4"'],
    [
      'acquireTimeoutMs',
      { acquireTimeoutMs: 0 },
      'Invalid pool option acquireTimeoutMs: 0',
    ],
    [
      'acquireTimeoutMs',
      { acquireTimeoutMs: Infinity },
      'Invalid pool option acquireTimeoutMs: Infinity',
    ],
    ['maxWaiting', { maxWaiting: -1 }, 'Invalid pool option maxWaiting: -1'],
    [
      'idleTimeoutMs',
      { idleTimeoutMs: NaN },
      'Invalid pool option idleTimeoutMs: NaN',
    ],
    [
      'maxLifetimeMs',
      { maxLifetimeMs: -5 },
      'Invalid pool option maxLifetimeMs: -5',
    ],
    [
      'leakDetectionMs',
      { leakDetectionMs: 1.5 },
      'Invalid pool option leakDetectionMs: 1.5',
    ],
    [
      'statementTimeoutMs',
      { statementTimeoutMs: -1 },
      'Invalid pool option statementTimeoutMs: -1',
    ],
    [
      'closeTimeoutMs',
      { closeTimeoutMs: 'soon' },
      'Invalid pool option closeTimeoutMs: "soon"',
    ],
    [
      'healthTimeoutMs',
      { healthTimeoutMs: 0 },
      'Invalid pool option healthTimeoutMs: 0',
    ],
    [
      'threadpoolSize',
      { threadpoolSize: 0 },
      'Invalid pool option threadpoolSize: 0',
    ],
    [
      'path',
      { path: '' },
      'Invalid pool option path: "" (expected a non-empty string)',
    ],
    [
      'rowMode',
      { rowMode: 'arrow' },
      `Invalid pool option rowMode: "arrow" (expected 'json' or 'native')`,
    ],
    [
      'init',
      { init: 'SET x = 1' },
      'Invalid pool option init: "SET x = 1" (expected a function)',
    ],
    [
      'logger',
      { logger: { info: () => undefined } },
      'Invalid pool option logger',
    ],
    ['clock', { clock: { now: () => 0 } }, 'Invalid pool option clock'],
    [
      'config.threads',
      { config: { threads: null } },
      'Invalid pool option config.threads: null',
    ],
    [
      'config',
      { config: 'threads=1' },
      'Invalid pool option config: "threads=1"',
    ],
    [
      'listeners.leak',
      { listeners: { leak: 1 } },
      'Invalid pool option listeners.leak: 1 (expected a function)',
    ],
    [
      'listeners.leek',
      { listeners: { leek: () => undefined } },
      'Invalid pool option listeners.leek',
    ],
    ['chaos', { chaos: {} }, 'Invalid pool option chaos'],
    ['instance', { instance: {} }, 'Invalid pool option instance'],
    [
      'maxConnections',
      { maxConnections: 4 },
      'Invalid pool option maxConnections: 4 (expected no such option',
    ],
  ])(
    'rejects a bad %s with a message naming it',
    async (field, options, message) => {
      const error = await createPool(options as PoolOptions).catch(
        (e: unknown) => e,
      )
      expect(isPoolOptionsError(error)).toBe(true)
      expect(error).toMatchObject({ code: 'E_POOL_OPTIONS', field })
      expect((error as Error).message).toContain(message)
    },
  )

  it('rejects path or config together with instance', async () => {
    pool = await createPool()
    for (const extra of [{ path: ':memory:' }, { config: { threads: 1 } }]) {
      const error = await createPool({
        instance: pool.instance,
        ...extra,
      }).catch((e: unknown) => e)
      expect(isPoolOptionsError(error)).toBe(true)
    }
  })

  it('passes DuckDB settings to the instance it opens', async () => {
    pool = await createPool({ config: { threads: 1, memory_limit: '256MiB' } })
    const [row] = await pool.query(
      "SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS memory",
    )
    expect(row).toMatchObject({ threads: 1, memory: '256.0 MiB' })
  })

  it('fails to start, typed, when the database cannot be opened', async () => {
    const error = await createPool({ path: '/proc/nope/x.duckdb' }).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'E_IO' })
  })

  it('fails to start when the init hook fails for the first connections', async () => {
    await expect(
      createPool({
        min: 1,
        init: async (connection) => {
          await connection.run('SELEC 1')
        },
      }),
    ).rejects.toMatchObject({ code: 'E_SQL_SYNTAX' })
  })

  it('derives the default max from cores and UV_THREADPOOL_SIZE', () => {
    expect(defaultMax(2, 4)).toBe(2)
    expect(defaultMax(1, 4)).toBe(2)
    expect(defaultMax(8, 4)).toBe(3)
    expect(defaultMax(8, 16)).toBe(8)
  })
})

describe('UV_THREADPOOL_SIZE warning', () => {
  it('warns through the logger, the warning event and pool.warnings when max would take every libuv thread', async () => {
    const logged: unknown[] = []
    const events: unknown[] = []
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (obj: unknown, msg?: string) => logged.push([obj, msg]),
      error: () => undefined,
    }
    pool = await createPool({
      max: 4,
      threadpoolSize: 4,
      logger,
      listeners: { warning: (event) => events.push(event) },
    })
    expect(pool.warnings).toHaveLength(1)
    expect(pool.warnings[0]).toMatchObject({ code: 'DUCKKIT_POOL_THREADPOOL' })
    expect(pool.warnings[0]!.message).toContain('UV_THREADPOOL_SIZE=5')
    expect(events).toEqual(pool.warnings)
    expect(logged).toEqual([
      [{ code: 'DUCKKIT_POOL_THREADPOOL' }, pool.warnings[0]!.message],
    ])
  })

  it('stays quiet when one libuv thread stays free', async () => {
    pool = await createPool({ max: 3, threadpoolSize: 4 })
    expect(pool.warnings).toEqual([])
  })
})
