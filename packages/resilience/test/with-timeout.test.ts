import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  classifyError,
  type Clock,
  InterruptedError,
  isInvalidOptionError,
  QueryTimeoutError,
  withTimeout,
} from '../src/index.js'
import {
  interruptUntilSettled,
  LONG_QUERY,
  outcomeWithin,
  withDatabase,
} from './duckdb-fixtures.js'

/** A promise that never settles by itself, plus the signal it was given. */
function hang(): {
  fn: (signal: AbortSignal) => Promise<never>
  signal: () => AbortSignal
} {
  let seen: AbortSignal | undefined
  return {
    fn: (signal) => {
      seen = signal
      return new Promise<never>(() => undefined)
    },
    signal: () => {
      if (seen === undefined) throw new Error('fn was not called')
      return seen
    },
  }
}

describe('withTimeout (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('resolves with the value when fn finishes in time and leaves no timer behind', async () => {
    const result = withTimeout(() => Promise.resolve('done'), {
      timeoutMs: 1000,
    })
    await expect(result).resolves.toBe('done')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('at the deadline calls onTimeout once, aborts the signal and rejects with QueryTimeoutError', async () => {
    const onTimeout = vi.fn()
    const pending = hang()
    const result = withTimeout(pending.fn, {
      timeoutMs: 500,
      onTimeout,
      sql: 'SELECT 1',
    })
    const outcome = result.catch((error: unknown) => error)

    await vi.advanceTimersByTimeAsync(499)
    expect(onTimeout).not.toHaveBeenCalled()
    expect(pending.signal().aborted).toBe(false)

    await vi.advanceTimersByTimeAsync(1)
    const error = await outcome
    expect(error).toBeInstanceOf(QueryTimeoutError)
    expect((error as QueryTimeoutError).timeoutMs).toBe(500)
    expect((error as QueryTimeoutError).sql).toBe('SELECT 1')
    expect(onTimeout).toHaveBeenCalledTimes(1)
    expect(pending.signal().aborted).toBe(true)
    expect(pending.signal().reason).toBe(error)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('still rejects with the timeout when onTimeout throws', async () => {
    const result = withTimeout(hang().fn, {
      timeoutMs: 10,
      onTimeout: () => {
        throw new Error('hook failed')
      },
    })
    const outcome = result.catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(10)
    expect(await outcome).toBeInstanceOf(QueryTimeoutError)
  })

  it('passes errors of fn through unchanged, including synchronous throws', async () => {
    const failure = new Error('boom')
    await expect(
      withTimeout(() => Promise.reject(failure), { timeoutMs: 100 }),
    ).rejects.toBe(failure)
    await expect(
      withTimeout(
        () => {
          throw failure
        },
        { timeoutMs: 100 },
      ),
    ).rejects.toBe(failure)
    expect(vi.getTimerCount()).toBe(0)
  })

  it.each([0, -5, Infinity])(
    'timeoutMs %s means no deadline',
    async (timeoutMs) => {
      const onTimeout = vi.fn()
      let finish: (value: string) => void = () => undefined
      const result = withTimeout(
        () => new Promise<string>((resolve) => (finish = resolve)),
        {
          timeoutMs,
          onTimeout,
        },
      )
      expect(vi.getTimerCount()).toBe(0)
      await vi.advanceTimersByTimeAsync(10 ** 9)
      finish('late')
      await expect(result).resolves.toBe('late')
      expect(onTimeout).not.toHaveBeenCalled()
    },
  )

  it('rejects at once with InterruptedError when the signal is already aborted', async () => {
    const controller = new AbortController()
    const reason = new Error('client went away')
    controller.abort(reason)
    const fn = vi.fn(() => Promise.resolve(1))
    const error = await withTimeout(fn, {
      timeoutMs: 100,
      signal: controller.signal,
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InterruptedError)
    expect((error as InterruptedError).cause).toBe(reason)
    expect(fn).not.toHaveBeenCalled()
  })

  it('rejects with InterruptedError when the signal aborts later, and aborts the inner signal', async () => {
    const controller = new AbortController()
    const pending = hang()
    const outcome = withTimeout(pending.fn, {
      timeoutMs: 1000,
      signal: controller.signal,
    }).catch((caught: unknown) => caught)
    controller.abort('stop')
    const error = await outcome
    expect(error).toBeInstanceOf(InterruptedError)
    expect((error as InterruptedError).cause).toBe('stop')
    expect(pending.signal().aborted).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('uses an injected clock', async () => {
    let fire: (() => void) | undefined
    const clock: Clock = {
      now: () => 0,
      setTimeout: (fn) => {
        fire = fn
        return 1
      },
      clearTimeout: vi.fn(),
    }
    const outcome = withTimeout(hang().fn, { timeoutMs: 5, clock }).catch(
      (caught: unknown) => caught,
    )
    expect(vi.getTimerCount()).toBe(0)
    fire?.()
    expect(await outcome).toBeInstanceOf(QueryTimeoutError)
  })

  it('rejects bad timeoutMs with an InvalidOptionError naming the field', async () => {
    const error = await withTimeout(() => Promise.resolve(1), {
      timeoutMs: Number.NaN,
    }).catch((caught: unknown) => caught)
    expect(isInvalidOptionError(error)).toBe(true)
    expect((error as { field: string }).field).toBe('timeoutMs')
  })
})

describe('withTimeout on a real DuckDB query', () => {
  it(
    'cancels a long query through connection.interrupt() and the connection works afterwards',
    {
      timeout: 30_000,
    },
    async () => {
      await withDatabase(async (instance) => {
        const connection = await instance.connect()
        let query: Promise<unknown> | undefined
        const error = await withTimeout(
          () => {
            query = connection.run(LONG_QUERY)
            return query
          },
          {
            timeoutMs: 200,
            onTimeout: () => connection.interrupt(),
            sql: LONG_QUERY,
          },
        ).catch((caught: unknown) => caught)

        expect(error).toBeInstanceOf(QueryTimeoutError)
        expect((error as QueryTimeoutError).sql).toBe(LONG_QUERY)
        if (query === undefined) throw new Error('query did not start')
        // Only the hook interrupted the query; give it ample time to unwind.
        const settled = await outcomeWithin(query, 15_000)
        if (settled === 'still running')
          await interruptUntilSettled(connection, query)
        expect(settled).not.toBe('still running')
        expect(
          classifyError((settled as { error?: unknown }).error),
        ).toBeInstanceOf(InterruptedError)

        const reader = await connection.runAndReadAll('SELECT 42 AS answer')
        expect(reader.getRowObjects()).toEqual([{ answer: 42 }])
      })
    },
  )
})
