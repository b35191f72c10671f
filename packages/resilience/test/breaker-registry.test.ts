import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  BreakerRegistry,
  type BreakerRegistryEvents,
  CircuitOpenError,
  IoError,
  isInvalidOptionError,
} from '../src/index.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapAfterGc(): number {
  for (let round = 0; round < 3; round += 1) gc()
  return process.memoryUsage().heapUsed
}

/** Pending timers; fake timers count unref'd ones too (opossum unrefs its reset timer). */
function liveTimers(): number {
  return vi.getTimerCount()
}

const transient = (): IoError =>
  new IoError('IO Error: Could not read from file')

let registry: BreakerRegistry | undefined
afterEach(() => {
  registry?.shutdown()
  registry = undefined
  vi.useRealTimers()
})

describe('BreakerRegistry', () => {
  it('returns one breaker per name, created with the defaults and first-use options', async () => {
    registry = new BreakerRegistry({ volumeThreshold: 1, resetTimeoutMs: 2000 })
    const main = registry.get('main')
    expect(registry.get('main')).toBe(main)
    expect(registry.get('main', { resetTimeoutMs: 99 })).toBe(main)
    const other = registry.get('other', { volumeThreshold: 100 })
    expect(other).not.toBe(main)
    expect(registry.names()).toEqual(['main', 'other'])
    expect(registry.has('other')).toBe(true)
    expect(registry.size).toBe(2)

    vi.useFakeTimers()
    await main.execute(() => Promise.reject(transient())).catch(() => undefined)
    await other
      .execute(() => Promise.reject(transient()))
      .catch(() => undefined)
    expect(main.state).toBe('open')
    expect(main.retryAfterMs()).toBe(2000)
    expect(other.state).toBe('closed')
    expect(Object.keys(registry.stats())).toEqual(['main', 'other'])
    expect(registry.stats().main?.state).toBe('open')
  })

  it('forwards state changes of every breaker', async () => {
    registry = new BreakerRegistry({ volumeThreshold: 1 })
    const seen: BreakerRegistryEvents['stateChange'][] = []
    registry.on('stateChange', (change) => seen.push(change))
    await registry
      .get('a')
      .execute(() => Promise.reject(transient()))
      .catch(() => undefined)
    await registry
      .get('b')
      .execute(() => Promise.reject(transient()))
      .catch(() => undefined)
    expect(seen.map(({ name, to }) => `${name}:${to}`)).toEqual([
      'a:open',
      'b:open',
    ])
  })

  it('close(name) shuts the breaker down and forgets it; get() then makes a fresh one', async () => {
    registry = new BreakerRegistry({ volumeThreshold: 1 })
    const first = registry.get('db')
    await first
      .execute(() => Promise.reject(transient()))
      .catch(() => undefined)
    expect(registry.close('db')).toBe(true)
    expect(registry.close('db')).toBe(false)
    expect(first.isShutdown).toBe(true)
    await expect(
      first.execute(() => Promise.resolve(1)),
    ).rejects.toBeInstanceOf(CircuitOpenError)
    const second = registry.get('db')
    expect(second).not.toBe(first)
    expect(second.state).toBe('closed')
  })

  it('validates the defaults at construction', () => {
    let thrown: unknown
    try {
      new BreakerRegistry({ failureThreshold: 2 })
    } catch (error) {
      thrown = error
    }
    expect(isInvalidOptionError(thrown)).toBe(true)
  })

  it(
    'creating and closing 10,000 breakers leaves memory flat and no timers or listeners',
    { timeout: 60_000 },
    async () => {
      vi.useFakeTimers()
      registry = new BreakerRegistry({
        volumeThreshold: 1,
        failureThreshold: 0.25,
        resetTimeoutMs: 60_000,
      })
      const count = 10_000
      const cycle = async (prefix: string): Promise<void> => {
        for (let index = 0; index < count; index += 1) {
          const breaker = registry!.get(`${prefix}-${index}`)
          breaker.on('stateChange', () => undefined)
          await breaker.execute(() => Promise.resolve(index))
          // Every tenth breaker opens, which starts its reset timer.
          if (index % 10 === 0)
            await breaker
              .execute(() => Promise.reject(transient()))
              .catch(() => undefined)
        }
      }

      await cycle('warm-up')
      registry.closeAll()
      const timersBefore = liveTimers()
      const heapBefore = heapAfterGc()

      await cycle('db')
      expect(registry.size).toBe(count)
      expect(liveTimers()).toBe(timersBefore + count / 10)
      const heapWhileLive = heapAfterGc()

      registry.closeAll()
      expect(registry.size).toBe(0)
      expect(liveTimers()).toBe(timersBefore)
      const heapAfter = heapAfterGc()
      console.log(
        `10,000 breakers: ${Math.round((heapWhileLive - heapBefore) / 1024)} KiB while live, ` +
          `${Math.round((heapAfter - heapBefore) / 1024)} KiB after closeAll`,
      )

      const livePerBreaker = (heapWhileLive - heapBefore) / count
      const leakedPerBreaker = (heapAfter - heapBefore) / count
      // Calibration: live breakers do weigh something, so a leak would show.
      expect(livePerBreaker).toBeGreaterThan(1000)
      // Flat: less than 5 % of a live breaker per closed breaker (a leak keeps ~100 %).
      expect(leakedPerBreaker).toBeLessThan(livePerBreaker * 0.05)
    },
  )
})
