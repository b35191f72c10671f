import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  InterruptedError,
  IoError,
  isInvalidOptionError,
  retry,
  RetryBudget,
  type RetryContext,
  type RetryEvent,
  type RetryOptions,
  SqlSyntaxError,
  TransactionConflictError,
} from '../src/index.js'
import { seededRandom } from '../src/seeded-random.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

const conflict = (): TransactionConflictError =>
  new TransactionConflictError('Conflict on update!')

/** A function that fails with the given errors in turn, then resolves with 'ok'. */
function failing(
  ...errors: Error[]
): ReturnType<typeof vi.fn<(context: RetryContext) => Promise<string>>> {
  const queue = [...errors]
  return vi.fn((_context: RetryContext) => {
    const next = queue.shift()
    return next === undefined ? Promise.resolve('ok') : Promise.reject(next)
  })
}

/** Runs retry to completion under fake timers and collects the onRetry events. */
async function run(
  fn: (context: RetryContext) => Promise<string>,
  options: RetryOptions,
): Promise<{ outcome: unknown; events: RetryEvent[] }> {
  const events: RetryEvent[] = []
  const promise = retry(fn, {
    ...options,
    onRetry: (event) => events.push(event),
  }).then(
    (value) => value,
    (error: unknown) => error,
  )
  await vi.runAllTimersAsync()
  return { outcome: await promise, events }
}

describe('retry', () => {
  it('retries transient errors with exponential delays and waits each delay out', async () => {
    const fn = failing(conflict(), conflict())
    const result = retry(fn, {
      initialDelayMs: 100,
      multiplier: 2,
      jitter: 'none',
      maxAttempts: 3,
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(fn).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(99)
    expect(fn).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(fn).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(199)
    expect(fn).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(1)
    await expect(result).resolves.toBe('ok')
    expect(fn).toHaveBeenCalledTimes(3)
    expect(fn.mock.calls.map(([context]) => context.attempt)).toEqual([1, 2, 3])
  })

  it('reports each retry with the failed attempt, the delay and the error', async () => {
    const first = conflict()
    const second = new IoError('IO Error: busy')
    const { outcome, events } = await run(failing(first, second), {
      initialDelayMs: 10,
      jitter: 'none',
    })
    expect(outcome).toBe('ok')
    expect(events).toEqual([
      { attempt: 1, delayMs: 10, error: first },
      { attempt: 2, delayMs: 20, error: second },
    ])
  })

  it('caps delays at maxDelayMs', async () => {
    const errors = Array.from({ length: 6 }, conflict)
    const { events } = await run(failing(...errors), {
      maxAttempts: 7,
      initialDelayMs: 100,
      maxDelayMs: 300,
      jitter: 'none',
    })
    expect(events.map((event) => event.delayMs)).toEqual([
      100, 200, 300, 300, 300, 300,
    ])
  })

  it('full jitter draws each delay from [0, exponential delay]', async () => {
    const errors = Array.from({ length: 9 }, conflict)
    for (const seed of [1, 2, 3, 4, 5]) {
      const { events } = await run(failing(...errors), {
        maxAttempts: 10,
        initialDelayMs: 10,
        maxDelayMs: 1000,
        jitter: 'full',
        random: seededRandom(seed),
      })
      expect(events).toHaveLength(9)
      events.forEach((event, index) => {
        expect(event.delayMs).toBeGreaterThanOrEqual(0)
        expect(event.delayMs).toBeLessThanOrEqual(
          Math.min(1000, 10 * 2 ** index),
        )
      })
    }
    const top = await run(failing(conflict()), {
      initialDelayMs: 40,
      jitter: 'full',
      random: () => 0.5,
    })
    expect(top.events[0]?.delayMs).toBe(20)
  })

  it('decorrelated jitter stays within [initial, min(max, 3 x previous)]', async () => {
    const errors = Array.from({ length: 9 }, conflict)
    for (const seed of [7, 8, 9]) {
      const { events } = await run(failing(...errors), {
        maxAttempts: 10,
        initialDelayMs: 10,
        maxDelayMs: 500,
        jitter: 'decorrelated',
        random: seededRandom(seed),
      })
      let previous = 10
      for (const { delayMs } of events) {
        expect(delayMs).toBeGreaterThanOrEqual(10)
        expect(delayMs).toBeLessThanOrEqual(Math.min(500, 3 * previous))
        previous = delayMs
      }
    }
    const highest = await run(failing(conflict(), conflict()), {
      initialDelayMs: 10,
      jitter: 'decorrelated',
      random: () => 1,
    })
    expect(highest.events.map((event) => event.delayMs)).toEqual([30, 90])
  })

  it('does not retry non-transient errors and rethrows them unchanged', async () => {
    const syntax = new SqlSyntaxError('Parser Error: syntax error')
    const fn = failing(syntax)
    const { outcome, events } = await run(fn, {})
    expect(outcome).toBe(syntax)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(events).toHaveLength(0)
  })

  it('classifies raw DuckDB errors to decide (a raw conflict is retried, a raw syntax error is not)', async () => {
    const rawConflict = new Error(
      'TransactionContext Error: Conflict on update!',
    )
    expect(
      (await run(failing(rawConflict), { initialDelayMs: 1 })).outcome,
    ).toBe('ok')
    const rawSyntax = new Error('Parser Error: syntax error at or near "SELEC"')
    expect((await run(failing(rawSyntax), { initialDelayMs: 1 })).outcome).toBe(
      rawSyntax,
    )
  })

  it('gives up after maxAttempts with the last error', async () => {
    const errors = [conflict(), conflict(), conflict()]
    const fn = failing(...errors, conflict())
    const { outcome } = await run(fn, { maxAttempts: 3, initialDelayMs: 1 })
    expect(outcome).toBe(errors[2])
    expect(fn).toHaveBeenCalledTimes(3)
  })

  it('lets shouldRetry override the decision', async () => {
    const syntax = new SqlSyntaxError('x')
    const shouldRetry = vi.fn((_error: unknown, attempt: number) => attempt < 2)
    const fn = failing(syntax, syntax, syntax)
    const { outcome } = await run(fn, {
      shouldRetry,
      maxAttempts: 5,
      initialDelayMs: 1,
    })
    expect(outcome).toBe(syntax)
    expect(fn).toHaveBeenCalledTimes(2)
    expect(shouldRetry.mock.calls.map(([, attempt]) => attempt)).toEqual([1, 2])
  })

  it('an abort during the delay rejects with InterruptedError and stops retrying', async () => {
    const controller = new AbortController()
    const fn = failing(conflict(), conflict())
    const outcome = retry(fn, {
      signal: controller.signal,
      initialDelayMs: 1000,
      jitter: 'none',
    }).catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(500)
    controller.abort('shutting down')
    const error = await outcome
    expect(error).toBeInstanceOf(InterruptedError)
    expect((error as InterruptedError).cause).toBe('shutting down')
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(5000)
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('an already aborted signal prevents the first attempt; attempts see the signal', async () => {
    const controller = new AbortController()
    controller.abort()
    const fn = vi.fn(() => Promise.resolve('ok'))
    await expect(
      retry(fn, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(InterruptedError)
    expect(fn).not.toHaveBeenCalled()

    const live = new AbortController()
    const seen = vi.fn((_context: { signal: AbortSignal | undefined }) =>
      Promise.resolve('ok'),
    )
    await retry(seen, { signal: live.signal })
    expect(seen.mock.calls[0]?.[0].signal).toBe(live.signal)
  })

  it('an abort while the attempt runs stops retrying with the attempt error', async () => {
    const controller = new AbortController()
    const error = conflict()
    const fn = vi.fn(() => {
      controller.abort()
      return Promise.reject(error)
    })
    const outcome = await retry(fn, { signal: controller.signal }).catch(
      (caught: unknown) => caught,
    )
    expect(outcome).toBe(error)
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('rejects bad options with an InvalidOptionError naming the field', async () => {
    const cases: [RetryOptions, string][] = [
      [{ maxAttempts: 0 }, 'maxAttempts'],
      [{ maxAttempts: 1.5 }, 'maxAttempts'],
      [{ initialDelayMs: -1 }, 'initialDelayMs'],
      [{ initialDelayMs: 500, maxDelayMs: 100 }, 'maxDelayMs'],
      [{ multiplier: 0.5 }, 'multiplier'],
      [{ jitter: 'equal' as 'full' }, 'jitter'],
    ]
    for (const [options, field] of cases) {
      const error = await retry(() => Promise.resolve(1), options).catch(
        (caught: unknown) => caught,
      )
      expect(isInvalidOptionError(error)).toBe(true)
      expect((error as { field: string }).field).toBe(field)
    }
  })
})

describe('RetryBudget', () => {
  it('caps retries once the budget is spent, across calls, and says so', async () => {
    const budget = new RetryBudget({
      ratio: 0,
      minRetriesPerWindow: 2,
      windowMs: 10_000,
    })
    const exhausted = vi.fn()
    const always = vi.fn(() => Promise.reject(conflict()))
    const first = run(always, {
      budget,
      maxAttempts: 10,
      initialDelayMs: 1,
      onBudgetExhausted: exhausted,
    })
    expect((await first).events).toHaveLength(2)
    expect(always).toHaveBeenCalledTimes(3)
    expect(exhausted).toHaveBeenCalledWith(
      expect.objectContaining({ attempt: 3 }),
    )

    always.mockClear()
    await run(always, { budget, maxAttempts: 10, initialDelayMs: 1 })
    expect(always).toHaveBeenCalledTimes(1)
    expect(budget.stats()).toMatchObject({
      retries: 2,
      available: 0,
      refused: 2,
      calls: 2,
    })
  })

  it('earns retries in proportion to calls (ratio)', () => {
    const budget = new RetryBudget({ ratio: 0.5, minRetriesPerWindow: 0 })
    expect(budget.tryWithdraw()).toBe(false)
    for (let call = 0; call < 10; call += 1) budget.deposit()
    let granted = 0
    while (budget.tryWithdraw()) granted += 1
    expect(granted).toBe(5)
  })

  it('forgets calls and retries older than the window (sliding, on the injected clock)', () => {
    let now = 0
    const clock = {
      now: () => now,
      setTimeout: () => 0,
      clearTimeout: () => undefined,
    }
    const budget = new RetryBudget({
      ratio: 0,
      minRetriesPerWindow: 3,
      windowMs: 1000,
      clock,
    })
    expect([
      budget.tryWithdraw(),
      budget.tryWithdraw(),
      budget.tryWithdraw(),
    ]).toEqual([true, true, true])
    expect(budget.tryWithdraw()).toBe(false)
    now = 500
    expect(budget.tryWithdraw()).toBe(false)
    now = 1000
    expect(budget.tryWithdraw()).toBe(true)
    expect(budget.stats().retries).toBe(1)
    now = 50_000
    expect(budget.stats()).toMatchObject({ retries: 0, calls: 0, available: 3 })
  })

  it('rejects bad options', () => {
    expect(() => new RetryBudget({ ratio: -1 })).toThrow(/ratio/)
    expect(() => new RetryBudget({ windowMs: 0 })).toThrow(/windowMs/)
    expect(() => new RetryBudget({ minRetriesPerWindow: 0.5 })).toThrow(
      /minRetriesPerWindow/,
    )
  })
})
