import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  CircuitOpenError,
  createChaosInjector,
  createCircuitBreaker,
  createPolicy,
  type DatabaseError,
  InterruptedError,
  IoError,
  isInvalidOptionError,
  type Policy,
  type PolicyEvents,
  QueryTimeoutError,
  SqlSyntaxError,
  TransactionConflictError,
} from '../src/index.js'
import {
  LONG_QUERY,
  interruptUntilSettled,
  outcomeWithin,
  withDatabase,
} from './duckdb-fixtures.js'

const transient = (): IoError =>
  new IoError('IO Error: Could not read from file')
const never = <T>(): Promise<T> => new Promise<T>(() => undefined)

let policies: Policy[] = []
function policy(options: Parameters<typeof createPolicy>[0] = {}): Policy {
  const created = createPolicy({
    retry: { initialDelayMs: 10, jitter: 'none' },
    ...options,
  })
  policies.push(created)
  return created
}

/** Lets fake time run (all timers, or `ms` of them) and returns the value or error. */
async function settle(
  promise: Promise<unknown>,
  ms?: number,
): Promise<unknown> {
  const outcome = promise.catch((error: unknown) => error)
  if (ms === undefined) await vi.runAllTimersAsync()
  else await vi.advanceTimersByTimeAsync(ms)
  return outcome
}

describe('composed policy: fallback -> retry -> breaker -> timeout (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    for (const created of policies) created.shutdown()
    policies = []
    vi.useRealTimers()
  })

  it('runs a successful call once and returns its value', async () => {
    const target = policy({ timeoutMs: 1000, breaker: { name: 'db' } })
    const fn = vi.fn(() => Promise.resolve('rows'))
    await expect(target.execute(fn)).resolves.toBe('rows')
    expect(fn).toHaveBeenCalledTimes(1)
    expect(target.stats()).toMatchObject({
      calls: 1,
      successes: 1,
      failures: 0,
      retries: 0,
    })
  })

  it('serves every attempt deadline from one timer that disarms itself when idle', async () => {
    const target = policy({ timeoutMs: 100, retry: false })
    const expiredAt: number[] = []
    const start = Date.now()
    const hung = (): Promise<unknown> =>
      target
        .execute(() => never())
        .catch(() => expiredAt.push(Date.now() - start))
    const early = Array.from({ length: 50 }, hung)
    await vi.advanceTimersByTimeAsync(30)
    const late = Array.from({ length: 50 }, hung)
    await expect(target.execute(() => Promise.resolve('quick'))).resolves.toBe(
      'quick',
    )
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(69)
    expect(expiredAt).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(expiredAt).toHaveLength(50)
    await vi.advanceTimersByTimeAsync(29)
    expect(expiredAt).toHaveLength(50)
    await vi.advanceTimersByTimeAsync(1)
    await Promise.all([...early, ...late])
    expect(expiredAt).toEqual([
      ...Array<number>(50).fill(100),
      ...Array<number>(50).fill(130),
    ])
    expect(target.stats().timeouts).toBe(100)
    await vi.advanceTimersByTimeAsync(100)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('the timeout is per attempt, inside retry: a hung first attempt is cut off and retried', async () => {
    const target = policy({ timeoutMs: 100 })
    const onTimeout = vi.fn()
    const signals: (AbortSignal | undefined)[] = []
    const fn = vi.fn(
      ({
        attempt,
        signal,
      }: {
        attempt: number
        signal: AbortSignal | undefined
      }) => {
        signals.push(signal)
        return attempt === 1 ? never<string>() : Promise.resolve('second try')
      },
    )
    expect(await settle(target.execute(fn, { onTimeout }))).toBe('second try')
    expect(fn).toHaveBeenCalledTimes(2)
    expect(onTimeout).toHaveBeenCalledTimes(1)
    expect(signals[0]?.aborted).toBe(true)
    expect(signals[1]?.aborted).toBe(false)
    expect(target.stats()).toMatchObject({
      timeouts: 1,
      retries: 1,
      successes: 1,
    })
  })

  it('the breaker sits inside retry: once it opens, the next attempt short-circuits and retrying stops', async () => {
    const breaker = createCircuitBreaker({
      name: 'db',
      volumeThreshold: 1,
      failureThreshold: 0.5,
    })
    const target = policy({
      breaker,
      retry: { maxAttempts: 5, initialDelayMs: 10 },
    })
    const fn = vi.fn(() => Promise.reject(transient()))
    const error = await settle(target.execute(fn))
    expect(error).toBeInstanceOf(CircuitOpenError)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(target.stats()).toMatchObject({
      retries: 1,
      shortCircuits: 1,
      failures: 1,
    })
    expect(target.stats().failuresByCode).toEqual({ E_CIRCUIT_OPEN: 1 })
    expect(breaker.stats()).toMatchObject({
      calls: 2,
      failures: 1,
      shortCircuits: 1,
    })
    breaker.shutdown()
  })

  it('the timeout sits inside the breaker: timeouts count as breaker failures', async () => {
    const target = policy({
      timeoutMs: 50,
      retry: false,
      breaker: { name: 'db', volumeThreshold: 2 },
    })
    for (let call = 0; call < 2; call += 1) {
      expect(
        await settle(
          target.execute(() => never()),
          50,
        ),
      ).toBeInstanceOf(QueryTimeoutError)
    }
    expect(target.breaker?.stats().failuresByCode).toEqual({
      E_QUERY_TIMEOUT: 2,
    })
    expect(target.breaker?.state).toBe('open')
  })

  it('the fallback is outermost: it runs once, after every retry, with the final classified error', async () => {
    const target = policy({ retry: { maxAttempts: 3, initialDelayMs: 10 } })
    const fallback = vi.fn((_error: DatabaseError) => 'cached rows')
    const fn = vi.fn(() =>
      Promise.reject(
        new Error('TransactionContext Error: Conflict on update!'),
      ),
    )
    expect(
      await settle(target.execute(fn, { fallback, sql: 'UPDATE t SET v = 1' })),
    ).toBe('cached rows')
    expect(fn).toHaveBeenCalledTimes(3)
    expect(fallback).toHaveBeenCalledTimes(1)
    const [error] = fallback.mock.calls[0]!
    expect(error).toBeInstanceOf(TransactionConflictError)
    expect(error.sql).toBe('UPDATE t SET v = 1')
    expect(target.stats()).toMatchObject({
      failures: 1,
      fallbacks: 1,
      retries: 2,
      successes: 0,
    })
  })

  it('the fallback also answers for an open breaker', async () => {
    const breaker = createCircuitBreaker({ name: 'db', volumeThreshold: 1 })
    await breaker
      .execute(() => Promise.reject(transient()))
      .catch(() => undefined)
    const target = policy({ breaker })
    const fn = vi.fn(() => Promise.resolve('fresh'))
    const fallback = vi.fn((error: DatabaseError) => `fallback: ${error.code}`)
    expect(await settle(target.execute(fn, { fallback }))).toBe(
      'fallback: E_CIRCUIT_OPEN',
    )
    expect(fn).not.toHaveBeenCalled()
    breaker.shutdown()
  })

  it('rejects with classified errors and does not retry non-transient ones', async () => {
    const target = policy()
    const fn = vi.fn(() =>
      Promise.reject(
        new Error('Parser Error: syntax error at or near "SELEC"'),
      ),
    )
    const error = await settle(target.execute(fn, { sql: 'SELEC 1' }))
    expect(error).toBeInstanceOf(SqlSyntaxError)
    expect((error as SqlSyntaxError).sql).toBe('SELEC 1')
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('a caller abort stops the call with InterruptedError, without retries or breaker failures', async () => {
    const target = policy({ breaker: { name: 'db', volumeThreshold: 1 } })
    const controller = new AbortController()
    const fn = vi.fn(() => never<string>())
    const pending = target
      .execute(fn, { signal: controller.signal })
      .catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(0)
    controller.abort('client left')
    const error = await pending
    expect(error).toBeInstanceOf(InterruptedError)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(target.breaker?.state).toBe('closed')
    expect(target.stats().retries).toBe(0)
  })

  it('chaos runs inside the attempt: injected latency counts against the deadline, injected conflicts are retried', async () => {
    const slow = createChaosInjector({
      rate: 1,
      kinds: ['latency'],
      latencyMs: 500,
      enabled: true,
    })
    const timed = policy({ timeoutMs: 100, retry: false, chaos: slow })
    expect(
      await settle(timed.execute(() => Promise.resolve('x'))),
    ).toBeInstanceOf(QueryTimeoutError)

    const conflicts = createChaosInjector({
      rate: 1,
      kinds: ['conflict'],
      enabled: true,
    })
    const target = policy({ chaos: conflicts })
    const fn = vi.fn(() => Promise.resolve('x'))
    expect(
      await settle(target.execute(fn, { operation: 'insert' })),
    ).toBeInstanceOf(TransactionConflictError)
    expect(fn).not.toHaveBeenCalled()
    expect(conflicts.stats().injected).toBe(3)
  })

  it('emits retry, timeout, shortCircuit, failure and fallback events', async () => {
    const target = policy({
      timeoutMs: 10,
      breaker: { name: 'db', volumeThreshold: 2 },
    })
    const seen: string[] = []
    const names: (keyof PolicyEvents)[] = [
      'retry',
      'timeout',
      'shortCircuit',
      'failure',
      'fallback',
    ]
    for (const name of names) target.on(name, () => seen.push(name))
    await settle(target.execute(() => never(), { fallback: () => 'fb' }))
    expect(seen).toEqual([
      'timeout',
      'retry',
      'timeout',
      'retry',
      'shortCircuit',
      'failure',
      'fallback',
    ])
  })

  it('shutdown stops a breaker it created but not a shared one', () => {
    const owned = policy({ breaker: { name: 'owned' } })
    const shared = createCircuitBreaker({ name: 'shared' })
    const user = policy({ breaker: shared })
    owned.shutdown()
    user.shutdown()
    expect(owned.breaker?.isShutdown).toBe(true)
    expect(shared.isShutdown).toBe(false)
    shared.shutdown()
  })

  it('rejects bad options with an InvalidOptionError naming the field', () => {
    const cases: [Parameters<typeof createPolicy>[0], string][] = [
      [{ timeoutMs: -1 }, 'timeoutMs'],
      [{ name: '' }, 'name'],
      [{ retry: { maxAttempts: 0 } }, 'maxAttempts'],
      [{ breaker: { name: 'x', resetTimeoutMs: -5 } }, 'resetTimeoutMs'],
    ]
    for (const [options, field] of cases) {
      let thrown: unknown
      try {
        createPolicy(options)
      } catch (error) {
        thrown = error
      }
      expect(isInvalidOptionError(thrown)).toBe(true)
      expect((thrown as { field: string }).field).toBe(field)
    }
  })
})

describe('composed policy on real DuckDB', () => {
  it(
    'cuts off a long query through onTimeout -> connection.interrupt(); the connection works afterwards',
    {
      timeout: 30_000,
    },
    async () => {
      await withDatabase(async (instance) => {
        const connection = await instance.connect()
        const target = createPolicy({
          timeoutMs: 200,
          retry: false,
          breaker: { name: 'real' },
        })
        let query: Promise<unknown> | undefined
        const error = await target
          .execute(
            () => {
              query = connection.run(LONG_QUERY)
              return query
            },
            { sql: LONG_QUERY, onTimeout: () => connection.interrupt() },
          )
          .catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(QueryTimeoutError)
        if (query === undefined) throw new Error('query did not start')
        const settled = await outcomeWithin(query, 15_000)
        if (settled === 'still running')
          await interruptUntilSettled(connection, query)
        expect(settled).not.toBe('still running')

        const reader = await target.execute(() =>
          connection.runAndReadAll('SELECT 42 AS answer'),
        )
        expect(reader.getRowObjects()).toEqual([{ answer: 42 }])
        target.shutdown()
      })
    },
  )
})
