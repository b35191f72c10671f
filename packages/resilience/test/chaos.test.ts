import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  type ChaosInjector,
  type ChaosKind,
  classifyError,
  createChaosInjector,
  FatalDatabaseError,
  IoError,
  isDatabaseError,
  isInjectedByChaos,
  isInvalidOptionError,
  isRetryable,
  QueryTimeoutError,
  TransactionConflictError,
} from '../src/index.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** Outcome of `calls` injections: the kind (with latency) or '-' for none. */
async function sequence(
  chaos: ChaosInjector,
  calls: number,
): Promise<string[]> {
  const outcomes: string[] = []
  const stop = chaos.on('inject', ({ kind, latencyMs }) => {
    outcomes.push(kind === 'latency' ? `latency:${latencyMs.toFixed(3)}` : kind)
  })
  for (let call = 0; call < calls; call += 1) {
    const before = outcomes.length
    const pending = chaos
      .maybeInject(`op-${call}`)
      .catch((error: unknown) => error)
    await vi.runAllTimersAsync()
    const error = await pending
    if (outcomes.length === before) outcomes.push('-')
    if (error !== undefined) expect(isInjectedByChaos(error)).toBe(true)
  }
  stop()
  return outcomes
}

describe('chaos injector', () => {
  it('produces the same sequence twice for the same seed, and another for another seed', async () => {
    const options = { seed: 1234, rate: 0.3, enabled: true }
    const first = await sequence(createChaosInjector(options), 300)
    const second = await sequence(createChaosInjector(options), 300)
    const other = await sequence(
      createChaosInjector({ ...options, seed: 4321 }),
      300,
    )
    expect(second).toEqual(first)
    expect(other).not.toEqual(first)
    const kinds = new Set(first.map((outcome) => outcome.split(':')[0]))
    expect(kinds).toEqual(
      new Set(['-', 'conflict', 'io', 'timeout', 'fatal', 'latency']),
    )
  })

  it('enable({ seed }) restarts the sequence', async () => {
    const chaos = createChaosInjector({ seed: 99, rate: 0.5, enabled: true })
    const first = await sequence(chaos, 50)
    chaos.enable({ seed: 99 })
    expect(await sequence(chaos, 50)).toEqual(first)
  })

  it('injects at about the given rate', async () => {
    const chaos = createChaosInjector({
      seed: 5,
      rate: 0.2,
      kinds: ['conflict'],
      enabled: true,
    })
    await sequence(chaos, 2000)
    const { injected, checks } = chaos.stats()
    expect(checks).toBe(2000)
    expect(injected / checks).toBeGreaterThan(0.15)
    expect(injected / checks).toBeLessThan(0.25)
  })

  it.each([
    ['conflict', TransactionConflictError, true],
    ['io', IoError, true],
    ['timeout', QueryTimeoutError, true],
    ['fatal', FatalDatabaseError, false],
  ] as const)(
    '%s raises the taxonomy class %o',
    async (kind, expected, retryable) => {
      const chaos = createChaosInjector({
        rate: 1,
        kinds: [kind],
        enabled: true,
      })
      const error = await chaos
        .maybeInject('query')
        .catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(expected)
      expect(isDatabaseError(error)).toBe(true)
      expect(isRetryable(error)).toBe(retryable)
      expect(classifyError(error)).toBe(error)
      expect(isInjectedByChaos(error)).toBe(true)
      expect((error as Error).message).toContain('query')
      expect(chaos.stats().byKind[kind as ChaosKind]).toBe(1)
    },
  )

  it('adds latency on the clock without failing', async () => {
    const chaos = createChaosInjector({
      rate: 1,
      kinds: ['latency'],
      latencyMs: 250,
      enabled: true,
    })
    let done = false
    const pending = chaos.maybeInject('query').then(() => (done = true))
    await vi.advanceTimersByTimeAsync(249)
    expect(done).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await pending
    expect(done).toBe(true)
  })

  it('draws latency from the [min, max] range', async () => {
    const chaos = createChaosInjector({
      seed: 3,
      rate: 1,
      kinds: ['latency'],
      latencyMs: [10, 20],
      enabled: true,
    })
    const latencies: number[] = []
    chaos.on('inject', ({ latencyMs }) => latencies.push(latencyMs))
    for (let call = 0; call < 50; call += 1) {
      const pending = chaos.maybeInject('query')
      await vi.runAllTimersAsync()
      await pending
    }
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(10)
    expect(Math.max(...latencies)).toBeLessThanOrEqual(20)
    expect(new Set(latencies).size).toBeGreaterThan(40)
  })

  it('is a no-op while disabled (the default) and counts nothing', async () => {
    const chaos = createChaosInjector({ rate: 1 })
    expect(chaos.enabled).toBe(false)
    await expect(chaos.maybeInject('query')).resolves.toBeUndefined()
    expect(chaos.stats()).toMatchObject({
      enabled: false,
      checks: 0,
      injected: 0,
    })
    chaos.enable({ kinds: ['io'] })
    await expect(chaos.maybeInject('query')).rejects.toBeInstanceOf(IoError)
    chaos.disable()
    await expect(chaos.maybeInject('query')).resolves.toBeUndefined()
  })

  it('turns itself off after durationMs', async () => {
    const chaos = createChaosInjector({ rate: 1, kinds: ['conflict'] })
    chaos.enable({ durationMs: 1000 })
    await vi.advanceTimersByTimeAsync(999)
    await expect(chaos.maybeInject('query')).rejects.toBeInstanceOf(
      TransactionConflictError,
    )
    await vi.advanceTimersByTimeAsync(1)
    expect(chaos.enabled).toBe(false)
    await expect(chaos.maybeInject('query')).resolves.toBeUndefined()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('rejects bad options with an InvalidOptionError naming the field', () => {
    const cases: [Parameters<typeof createChaosInjector>[0], string][] = [
      [{ rate: 2 }, 'rate'],
      [{ kinds: [] }, 'kinds'],
      [{ kinds: ['meteor' as ChaosKind] }, 'kinds'],
      [{ latencyMs: -1 }, 'latencyMs'],
      [{ latencyMs: [20, 10] }, 'latencyMs'],
      [{ seed: 1.5 }, 'seed'],
    ]
    for (const [options, field] of cases) {
      let thrown: unknown
      try {
        createChaosInjector(options)
      } catch (error) {
        thrown = error
      }
      expect(isInvalidOptionError(thrown)).toBe(true)
      expect((thrown as { field: string }).field).toBe(field)
    }
    expect(() => createChaosInjector().enable({ durationMs: 0 })).toThrow(
      /durationMs/,
    )
  })
})
