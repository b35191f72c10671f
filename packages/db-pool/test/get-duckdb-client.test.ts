import { afterEach, describe, expect, it } from 'vitest'
import { getDuckDBClient } from '../src/index.js'

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
})
