import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  CircuitOpenError,
  type CircuitBreaker,
  type CircuitBreakerEvents,
  type CircuitBreakerOptions,
  ConstraintViolationError,
  createCircuitBreaker,
  DataError,
  FatalDatabaseError,
  IoError,
  isCircuitOpenError,
  isInvalidOptionError,
  QueryTimeoutError,
  SqlSyntaxError,
  TransactionConflictError,
} from '../src/index.js'
import { errorOf, withDatabase } from './duckdb-fixtures.js'

const transient = (): IoError =>
  new IoError('IO Error: Could not read from file')

let breakers: CircuitBreaker[] = []
function breaker(options: Partial<CircuitBreakerOptions> = {}): CircuitBreaker {
  const created = createCircuitBreaker({
    name: 'main',
    volumeThreshold: 5,
    failureThreshold: 0.5,
    resetTimeoutMs: 10_000,
    ...options,
  })
  breakers.push(created)
  return created
}

async function fail(
  target: CircuitBreaker,
  error: Error,
  times = 1,
): Promise<unknown[]> {
  const errors: unknown[] = []
  for (let index = 0; index < times; index += 1) {
    errors.push(
      await target
        .execute(() => Promise.reject(error))
        .catch((caught: unknown) => caught),
    )
  }
  return errors
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  for (const created of breakers) created.shutdown()
  breakers = []
  vi.useRealTimers()
})

describe('circuit breaker', () => {
  it('passes results and errors through while closed', async () => {
    const target = breaker()
    await expect(target.execute(() => Promise.resolve(42))).resolves.toBe(42)
    const error = transient()
    await expect(target.execute(() => Promise.reject(error))).rejects.toBe(
      error,
    )
    expect(target.state).toBe('closed')
  })

  it('does not open on syntax, constraint, catalog, data errors or conflicts', async () => {
    const target = breaker()
    await fail(
      target,
      new TransactionConflictError(
        'TransactionContext Error: Conflict on update!',
      ),
      10,
    )
    await fail(target, new SqlSyntaxError('Parser Error: x'), 10)
    await fail(
      target,
      new ConstraintViolationError('Constraint Error: x', { kind: 'unique' }),
      10,
    )
    await fail(target, new DataError('Conversion Error: x'), 10)
    expect(target.state).toBe('closed')
    expect(target.stats()).toMatchObject({
      failures: 0,
      ignoredErrors: 40,
      calls: 40,
    })
  })

  it('does not open on real, unclassified DuckDB syntax and constraint errors', async () => {
    await withDatabase(async (instance) => {
      const connection = await instance.connect()
      await connection.run('CREATE TABLE pk(id INT PRIMARY KEY)')
      await connection.run('INSERT INTO pk VALUES (1)')
      const syntax = await errorOf(connection, 'SELEC 1')
      const duplicate = await errorOf(connection, 'INSERT INTO pk VALUES (1)')
      const missing = await errorOf(connection, 'SELECT * FROM nope')
      const target = breaker()
      for (const raw of [syntax, duplicate, missing])
        await fail(target, raw as Error, 5)
      expect(target.state).toBe('closed')
      expect(target.stats().failuresByCode).toEqual({
        E_SQL_SYNTAX: 5,
        E_CONSTRAINT: 5,
        E_CATALOG: 5,
      })
    })
  })

  it('opens on transient errors once the failure share exceeds the threshold with enough volume', async () => {
    const target = breaker({ volumeThreshold: 5, failureThreshold: 0.5 })
    await target.execute(() => Promise.resolve(1))
    await target.execute(() => Promise.resolve(1))
    await fail(target, transient(), 2)
    expect(target.state).toBe('closed') // 2 of 4 calls, below volume
    await fail(target, new QueryTimeoutError('timed out', { timeoutMs: 1 }))
    expect(target.state).toBe('open') // 3 of 5 > 50 %
    expect(target.stats().failures).toBe(3)
  })

  it('counts fatal errors toward opening', async () => {
    const target = breaker({ volumeThreshold: 2 })
    await fail(
      target,
      new FatalDatabaseError('FATAL Error: database has been invalidated'),
      2,
    )
    expect(target.state).toBe('open')
  })

  it('fails fast while open with a CircuitOpenError that says when the next probe is due', async () => {
    const target = breaker({ volumeThreshold: 1, resetTimeoutMs: 10_000 })
    await fail(target, transient())
    expect(target.state).toBe('open')
    await vi.advanceTimersByTimeAsync(3000)
    const fn = vi.fn(() => Promise.resolve('never'))
    const error = await target.execute(fn).catch((caught: unknown) => caught)
    expect(fn).not.toHaveBeenCalled()
    expect(error).toBeInstanceOf(CircuitOpenError)
    expect(isCircuitOpenError(error)).toBe(true)
    expect((error as CircuitOpenError).breaker).toBe('main')
    expect((error as CircuitOpenError).retryAfterMs).toBe(7000)
    expect(target.retryAfterMs()).toBe(7000)
    expect(target.stats()).toMatchObject({
      shortCircuits: 1,
      retryAfterMs: 7000,
    })
  })

  it('recovers through half-open: one probe goes through and its success closes the breaker', async () => {
    const target = breaker({ volumeThreshold: 1, resetTimeoutMs: 10_000 })
    const changes: CircuitBreakerEvents['stateChange'][] = []
    target.on('stateChange', (change) => changes.push(change))
    await fail(target, transient())
    await vi.advanceTimersByTimeAsync(9_999)
    expect(target.state).toBe('open')
    await vi.advanceTimersByTimeAsync(1)
    expect(target.state).toBe('half-open')

    let finishProbe: (value: string) => void = () => undefined
    const probe = target.execute(
      () => new Promise<string>((resolve) => (finishProbe = resolve)),
    )
    const concurrent = await target
      .execute(() => Promise.resolve('second'))
      .catch((caught: unknown) => caught)
    expect(concurrent).toBeInstanceOf(CircuitOpenError)
    finishProbe('probe ok')
    await expect(probe).resolves.toBe('probe ok')
    expect(target.state).toBe('closed')
    await expect(target.execute(() => Promise.resolve('after'))).resolves.toBe(
      'after',
    )

    expect(changes.map(({ from, to }) => `${from}->${to}`)).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->closed',
    ])
    expect(changes[0]?.retryAfterMs).toBe(10_000)
    expect(target.stats().transitions).toEqual({
      open: 1,
      halfOpen: 1,
      close: 1,
    })
  })

  it('a failed probe opens the breaker again for a full reset timeout', async () => {
    const target = breaker({ volumeThreshold: 1, resetTimeoutMs: 5000 })
    await fail(target, transient())
    await vi.advanceTimersByTimeAsync(5000)
    expect(target.state).toBe('half-open')
    await fail(target, transient())
    expect(target.state).toBe('open')
    expect(target.retryAfterMs()).toBe(5000)
    await vi.advanceTimersByTimeAsync(5000)
    expect(target.state).toBe('half-open')
  })

  it('forgets failures older than the rolling window (driven by the injected clock)', async () => {
    let now = 1_000_000
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
    }
    const target = breaker({
      volumeThreshold: 5,
      rollingWindowMs: 10_000,
      rollingBuckets: 10,
      clock,
    })
    await fail(target, transient(), 4)
    expect(target.stats().window).toEqual({ calls: 4, failures: 4 })
    now += 10_000
    expect(target.stats().window).toEqual({ calls: 0, failures: 0 })
    await fail(target, transient())
    expect(target.state).toBe('closed')
    now += 5_000
    await fail(target, transient(), 3)
    expect(target.state).toBe('closed')
    await fail(target, transient())
    expect(target.state).toBe('open')
  })

  it('emits failure events telling whether the error counted', async () => {
    const target = breaker()
    const events: CircuitBreakerEvents['failure'][] = []
    const stop = target.on('failure', (event) => events.push(event))
    await fail(target, transient())
    await fail(target, new SqlSyntaxError('x'))
    stop()
    await fail(target, transient())
    expect(events.map((event) => event.counted)).toEqual([true, false])
  })

  it('a custom isFailure decides, and one that throws counts as a failure', async () => {
    const never = breaker({ volumeThreshold: 1, isFailure: () => false })
    await fail(never, transient(), 5)
    expect(never.state).toBe('closed')
    const broken = breaker({
      volumeThreshold: 1,
      isFailure: () => {
        throw new Error('bad predicate')
      },
    })
    await fail(broken, new SqlSyntaxError('x'))
    expect(broken.state).toBe('open')
  })

  it('shutdown leaves no timers and later calls fail with CircuitOpenError', async () => {
    const target = breaker({ volumeThreshold: 1 })
    await fail(target, transient())
    expect(target.state).toBe('open')
    expect(vi.getTimerCount()).toBe(1) // the reset timer
    target.shutdown()
    expect(vi.getTimerCount()).toBe(0)
    expect(target.isShutdown).toBe(true)
    const error = await target
      .execute(() => Promise.resolve(1))
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CircuitOpenError)
    expect((error as CircuitOpenError).retryAfterMs).toBe(Infinity)
    target.shutdown()
  })

  it('keeps no timer at all while closed', async () => {
    const target = breaker()
    await target.execute(() => Promise.resolve(1))
    await fail(target, transient())
    expect(vi.getTimerCount()).toBe(0)
  })

  it('rejects bad options with an InvalidOptionError naming the field', () => {
    const cases: [Partial<CircuitBreakerOptions>, string][] = [
      [{ name: '' }, 'name'],
      [{ failureThreshold: 50 }, 'failureThreshold'],
      [{ failureThreshold: 0 }, 'failureThreshold'],
      [{ failureThreshold: 1 }, 'failureThreshold'],
      [{ volumeThreshold: -1 }, 'volumeThreshold'],
      [{ resetTimeoutMs: 0 }, 'resetTimeoutMs'],
      [{ rollingWindowMs: 100, rollingBuckets: 1000 }, 'rollingBuckets'],
      [{ isFailure: 'yes' as unknown as () => boolean }, 'isFailure'],
    ]
    for (const [options, field] of cases) {
      let thrown: unknown
      try {
        createCircuitBreaker({ name: 'x', ...options })
      } catch (error) {
        thrown = error
      }
      expect(isInvalidOptionError(thrown)).toBe(true)
      expect((thrown as { field: string }).field).toBe(field)
    }
  })
})
