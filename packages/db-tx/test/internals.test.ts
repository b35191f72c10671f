import { describe, expect, test } from 'vitest'
import { DurationWindow } from '../src/duration-stats.js'
import { fingerprint } from '../src/fingerprint.js'
import { WriteLanes } from '../src/write-lanes.js'
import { AgeWatch } from '../src/age-watch.js'

describe('fingerprint', () => {
  test('equal results give equal prints; any difference in values, order or count changes it', () => {
    const rows = [
      {
        id: 1,
        big: 2n,
        at: new Date(5),
        blob: new Uint8Array([1, 2]),
        list: [1, 'a'],
        map: new Map([['k', 1]]),
      },
      { id: 2, big: null, at: null, blob: null, list: [], map: null },
    ]
    const copy = structuredClone(rows)
    expect(fingerprint(rows)).toBe(fingerprint(copy))
    expect(fingerprint(rows)).not.toBe(fingerprint([...rows].reverse()))
    expect(fingerprint(rows)).not.toBe(fingerprint(rows.slice(0, 1)))
    expect(fingerprint([{ v: 1 }])).not.toBe(fingerprint([{ v: '1' }]))
    expect(fingerprint([{ v: 1n }])).not.toBe(fingerprint([{ v: 1 }]))
    expect(fingerprint([{ v: new Uint8Array([1]) }])).not.toBe(
      fingerprint([{ v: new Uint8Array([2]) }]),
    )
    expect(fingerprint([{ v: new Map([['a', 1]]) }])).not.toBe(
      fingerprint([{ v: new Map([['a', 2]]) }]),
    )
    expect(fingerprint(3)).toBe(fingerprint(3))
    expect(fingerprint(3)).not.toBe(fingerprint(4))
    class Value {
      constructor(readonly text: string) {}
      toString(): string {
        return this.text
      }
    }
    expect(fingerprint([{ v: new Value('a') }])).not.toBe(
      fingerprint([{ v: new Value('b') }]),
    )
  })
})

interface Work {
  readonly release: () => void
}

describe('WriteLanes', () => {
  test('serialises holders of one key in FIFO order and lets other keys through', async () => {
    const lanes = new WriteLanes<Work>()
    const order: string[] = []
    const { release: first } = await lanes.acquire(['a'])
    const second = lanes.acquire(['a']).then(({ release }) => {
      order.push('second')
      return release
    })
    const third = lanes.acquire(['a']).then(({ release }) => {
      order.push('third')
      release()
    })
    const { release: other } = await lanes.acquire(['b'])
    order.push('other')
    other()
    first()
    ;(await second)()
    await third
    expect(order).toEqual(['other', 'second', 'third'])
    expect(lanes.waits).toBe(2)
  })

  test('takes keys in sorted order, so overlapping sets cannot deadlock', async () => {
    const lanes = new WriteLanes<Work>()
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const { release } = await lanes.acquire(
          i % 2 === 0 ? ['x', 'y'] : ['y', 'x', 'y'],
        )
        await Promise.resolve()
        release()
        return i
      }),
    )
    expect(results).toHaveLength(20)
  })

  test('an aborted waiter gives back what it took and leaves the queue', async () => {
    const lanes = new WriteLanes<Work>()
    const { release: holder } = await lanes.acquire(['b'])
    const controller = new AbortController()
    const waiting = lanes.acquire(['a', 'b'], controller.signal)
    await Promise.resolve()
    controller.abort(new Error('gave up'))
    await expect(waiting).rejects.toThrow('gave up')
    const { release: a } = await lanes.acquire(['a'])
    a()
    holder()
    const { release: b } = await lanes.acquire(['b'])
    b()
  })

  test('hands work and keys only to a first waiter that asked for the same keys and joins', async () => {
    const lanes = new WriteLanes<Work>()
    const first = await lanes.acquire(['b', 'a'], undefined, true)
    const work: Work = { release: first.release }
    // Nobody waits: nothing to hand over.
    expect(lanes.handOff(['a', 'b'], work)).toBe(false)
    const plain = lanes.acquire(['a', 'b'])
    const joiner = lanes.acquire(['a', 'b'], undefined, true)
    const other = lanes.acquire(['a'], undefined, true)
    await Promise.resolve()
    // The first waiter does not join: the holder must release.
    expect(lanes.handOff(['a', 'b'], work)).toBe(false)
    first.release()
    const second = await plain
    expect(second.handed).toBeUndefined()
    const handed = { release: second.release }
    expect(lanes.handOff(['b', 'a', 'a'], handed)).toBe(true)
    const third = await joiner
    expect(third.handed).toBe(handed)
    // A waiter for other keys never receives the work, even if it joins.
    expect(lanes.handOff(['a', 'b'], handed)).toBe(false)
    third.release()
    const fourth = await other
    expect(fourth.handed).toBeUndefined()
    fourth.release()
    expect(lanes.waits).toBe(3)
  })
})

describe('DurationWindow', () => {
  test('reports percentiles over the most recent samples', () => {
    const window = new DurationWindow(100)
    expect(window.percentiles()).toEqual({
      count: 0,
      p50: 0,
      p95: 0,
      p99: 0,
      max: 0,
    })
    for (let i = 1; i <= 200; i += 1) window.add(i)
    expect(window.percentiles()).toEqual({
      count: 100,
      p50: 150,
      p95: 195,
      p99: 199,
      max: 200,
    })
  })
})

describe('AgeWatch', () => {
  test('expires every watched attempt once it is older than the limit, oldest first, with one timer', () => {
    let now = 0
    const timers: { at: number; fn: () => void }[] = []
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => {
        const timer = { at: now + ms, fn }
        timers.push(timer)
        return timer
      },
      clearTimeout: (handle: unknown) => {
        timers.splice(timers.indexOf(handle as (typeof timers)[number]), 1)
      },
    }
    const advance = (to: number): void => {
      now = to
      for (const timer of [...timers].filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(timer), 1)
        timer.fn()
      }
    }
    const watch = new AgeWatch(100, clock)
    const expired: string[] = []
    watch.watch(() => expired.push('a'))
    advance(30)
    const stopB = watch.watch(() => expired.push('b'))
    advance(60)
    watch.watch(() => expired.push('c'))
    expect(timers).toHaveLength(1)
    advance(100)
    expect(expired).toEqual(['a'])
    stopB()
    advance(130)
    expect(expired).toEqual(['a'])
    advance(160)
    expect(expired).toEqual(['a', 'c'])
    expect(timers).toHaveLength(0)
    watch.watch(() => expired.push('d'))
    watch.stop()
    expect(timers).toHaveLength(0)
  })
})
