import { describe, expect, it } from 'vitest'
import {
  createContainer,
  isContainerStateError,
  isDisposalError,
  isStartError,
  type DisposalError,
  type StartError,
} from '../src/index.js'

/** A resource that records what happens to it in a shared log. */
class Resource {
  constructor(
    readonly name: string,
    readonly log: string[],
    readonly deps: readonly Resource[] = [],
  ) {}
  open(): Promise<void> {
    this.log.push(`start ${this.name}`)
    return Promise.resolve()
  }
  close(): Promise<void> {
    this.log.push(`dispose ${this.name}`)
    return Promise.resolve()
  }
}

const hooks = {
  start: (r: Resource) => r.open(),
  dispose: (r: Resource) => r.close(),
}

/** pool <- migrations <- service, cache <- service; logger has no hooks. */
function appContainer(log: string[]) {
  return createContainer()
    .value('log', log)
    .singleton('pool', ({ log }) => new Resource('pool', log), hooks)
    .singleton(
      'migrations',
      ({ log, pool }) => new Resource('migrations', log, [pool]),
      hooks,
    )
    .singleton('cache', ({ log }) => new Resource('cache', log), hooks)
    .singleton(
      'service',
      ({ log, migrations, cache }) =>
        new Resource('service', log, [migrations, cache]),
      hooks,
    )
}

describe('start()', () => {
  it('runs start hooks in dependency order and disposes in reverse', async () => {
    const log: string[] = []
    const container = appContainer(log)
    await container.start()
    expect(container.state).toBe('started')
    expect(log).toEqual([
      'start pool',
      'start migrations',
      'start cache',
      'start service',
    ])
    log.length = 0
    await container.dispose()
    expect(log).toEqual([
      'dispose service',
      'dispose cache',
      'dispose migrations',
      'dispose pool',
    ])
    expect(container.state).toBe('disposed')
  })

  it('follows dependencies, not registration order', async () => {
    const log: string[] = []
    const container = createContainer()
      .value('log', log)
      .singleton('first', ({ log }) => new Resource('first', log), hooks)
      .singleton('second', ({ log }) => new Resource('second', log), hooks)
    // `first` now reads `second`, which was registered after it.
    container.override('first', {
      factory: (cradle) =>
        new Resource('first', cradle.log, [
          (cradle as unknown as { second: Resource }).second,
        ]),
      ...hooks,
    })
    await container.start()
    expect(log).toEqual(['start second', 'start first'])
    log.length = 0
    await container.dispose()
    expect(log).toEqual(['dispose first', 'dispose second'])
  })

  it('orders by dependsOn when the factory does not read the dependency', async () => {
    const log: string[] = []
    const container = createContainer()
      .value('log', log)
      .singleton('a', ({ log }) => new Resource('a', log), hooks)
      .singleton('b', ({ log }) => new Resource('b', log), hooks)
    container.override('a', {
      factory: ({ log }) => new Resource('a', log),
      dependsOn: ['b'],
      ...hooks,
    })
    await container.start()
    expect(log).toEqual(['start b', 'start a'])
    await container.dispose()
    expect(log.slice(2)).toEqual(['dispose a', 'dispose b'])
  })

  it('waits for each start hook before starting the next', async () => {
    const log: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const container = createContainer()
      .singleton('slow', () => 'slow', {
        start: async () => {
          log.push('slow begins')
          await gate
          log.push('slow ends')
        },
      })
      .singleton('next', ({ slow }) => slow, {
        start: () => {
          log.push('next')
        },
      })
    const starting = container.start()
    await Promise.resolve()
    expect(log).toEqual(['slow begins'])
    release()
    await starting
    expect(log).toEqual(['slow begins', 'slow ends', 'next'])
  })

  it('returns the same promise when called twice and runs hooks once', async () => {
    const log: string[] = []
    const container = appContainer(log)
    const first = container.start()
    expect(container.start()).toBe(first)
    await first
    await container.start()
    expect(log.filter((l) => l === 'start pool')).toHaveLength(1)
    await container.dispose()
  })

  it('refuses to create a value with a start hook before start()', async () => {
    const container = appContainer([])
    let caught: unknown
    try {
      container.resolve('service')
    } catch (error) {
      caught = error
    }
    expect(isContainerStateError(caught)).toBe(true)
    expect((caught as Error).message).toMatch(/start\(\)/)
    await container.start()
    expect(container.resolve('service').name).toBe('service')
    await container.dispose()
  })

  it('refuses start() after dispose()', async () => {
    const container = appContainer([])
    await container.dispose()
    await expect(container.start()).rejects.toSatisfy(isContainerStateError)
  })

  it('reports steps as events and stats', async () => {
    const events: string[] = []
    const container = appContainer([])
    container.on('started', (e) => events.push(`started ${e.name}`))
    container.on('disposed', (e) => events.push(`disposed ${e.name}`))
    await container.start()
    expect(container.stats()).toMatchObject({
      state: 'started',
      registrations: 5,
      started: 4,
      created: { singleton: 5, scoped: 0, transient: 0 },
    })
    await container.dispose()
    expect(events).toEqual([
      'started pool',
      'started migrations',
      'started cache',
      'started service',
      'disposed service',
      'disposed cache',
      'disposed migrations',
      'disposed pool',
    ])
  })
})

describe('a failing start step', () => {
  function failingContainer(log: string[], failAt: string) {
    const step = (name: string) => ({
      start: () => {
        if (name === failAt) throw new Error(`${name} is down`)
        log.push(`start ${name}`)
      },
      dispose: () => {
        log.push(`dispose ${name}`)
      },
    })
    return createContainer()
      .singleton('pool', () => 'pool', step('pool'))
      .singleton('migrations', ({ pool }) => pool, step('migrations'))
      .singleton('tx', ({ pool }) => pool, {
        dispose: () => {
          log.push('dispose tx')
        },
      })
      .singleton('redis', () => 'redis', step('redis'))
      .singleton('service', ({ migrations, redis }) => migrations + redis, {
        ...step('service'),
      })
  }

  it('stops what started, in reverse, and names the step', async () => {
    const log: string[] = []
    const container = failingContainer(log, 'redis')
    const error = await container.start().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isStartError(error)).toBe(true)
    const startError = error as StartError
    expect(startError.step).toBe('redis')
    expect(startError.phase).toBe('start')
    expect(startError.message).toContain('"redis"')
    expect((startError.cause as Error).message).toBe('redis is down')
    expect(startError.rollbackError).toBeUndefined()
    // redis failed, service never started: neither is disposed.
    expect(log).toEqual([
      'start pool',
      'start migrations',
      'dispose tx',
      'dispose migrations',
      'dispose pool',
    ])
    expect(container.state).toBe('disposed')
    await container.dispose()
    expect(log).toHaveLength(5)
    expect(() => container.resolve('pool')).toThrow(/disposed/)
  })

  it('names the innermost value whose creation threw', async () => {
    const log: string[] = []
    const container = createContainer()
      .singleton('pool', () => 'pool', {
        dispose: () => {
          log.push('dispose pool')
        },
      })
      .singleton('repo', ({ pool }): string => {
        throw new Error(`no schema in ${pool}`)
      })
      .singleton('service', ({ repo }) => repo)
    const error = (await container
      .start()
      .catch((e: unknown) => e)) as StartError
    expect(isStartError(error)).toBe(true)
    expect(error.step).toBe('repo')
    expect(error.phase).toBe('create')
    expect(log).toEqual(['dispose pool'])
  })

  it('reports rollback failures on the start error', async () => {
    const container = createContainer()
      .singleton('pool', () => 'pool', {
        start: () => undefined,
        dispose: () => {
          throw new Error('close failed')
        },
      })
      .singleton('redis', () => 'redis', {
        start: () => Promise.reject(new Error('ECONNREFUSED')),
      })
    const error = (await container
      .start()
      .catch((e: unknown) => e)) as StartError
    expect(error.step).toBe('redis')
    expect(isDisposalError(error.rollbackError)).toBe(true)
    expect(error.rollbackError?.failures.map((f) => f.registration)).toEqual([
      'pool',
    ])
    expect(error.message).toMatch(/rollback also failed: .*close failed/)
  })

  it('emits startFailed with the step', async () => {
    const container = failingContainer([], 'migrations')
    const seen: string[] = []
    container.on('startFailed', (e) => seen.push(`${e.phase} ${e.name}`))
    await expect(container.start()).rejects.toSatisfy(isStartError)
    expect(seen).toEqual(['start migrations'])
  })
})

describe('dispose()', () => {
  it('runs each hook once; a second call is a no-op', async () => {
    const log: string[] = []
    const container = appContainer(log)
    await container.start()
    log.length = 0
    const first = container.dispose()
    const second = container.dispose()
    await Promise.all([first, second])
    await container.dispose()
    expect(log).toEqual([
      'dispose service',
      'dispose cache',
      'dispose migrations',
      'dispose pool',
    ])
  })

  it('runs every hook and throws their errors as one AggregateError', async () => {
    const log: string[] = []
    const container = createContainer()
      .singleton('a', () => 'a', {
        dispose: () => {
          log.push('a')
          throw new Error('a failed')
        },
      })
      .singleton('b', ({ a }) => a, {
        dispose: () => {
          log.push('b')
        },
      })
      .singleton('c', ({ b }) => b, {
        dispose: () => {
          log.push('c')
          return Promise.reject(new Error('c failed'))
        },
      })
    container.resolve('c')
    const error = (await container
      .dispose()
      .catch((e: unknown) => e)) as DisposalError
    expect(error).toBeInstanceOf(AggregateError)
    expect(isDisposalError(error)).toBe(true)
    expect(error.code).toBe('E_DI_DISPOSE_FAILED')
    expect(log).toEqual(['c', 'b', 'a'])
    expect(error.errors.map((e) => (e as Error).message)).toEqual([
      'c failed',
      'a failed',
    ])
    expect(error.failures.map((f) => f.registration)).toEqual(['c', 'a'])
    expect(error.message).toContain('c (c failed)')
    await expect(container.dispose()).resolves.toBeUndefined()
    expect(log).toEqual(['c', 'b', 'a'])
  })

  it('disposes only what was created', async () => {
    const log: string[] = []
    const container = createContainer()
      .singleton('used', () => 1, { dispose: () => void log.push('used') })
      .singleton('unused', () => 2, { dispose: () => void log.push('unused') })
    container.resolve('used')
    await container.dispose()
    expect(log).toEqual(['used'])
  })

  it('waits for a start in flight, then disposes what it started', async () => {
    const log: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const container = createContainer().singleton('slow', () => 'slow', {
      start: () => gate,
      dispose: () => void log.push('dispose slow'),
    })
    const starting = container.start()
    const disposing = container.dispose()
    expect(log).toEqual([])
    release()
    await starting
    await disposing
    expect(log).toEqual(['dispose slow'])
  })

  it('works with await using', async () => {
    const log: string[] = []
    {
      await using container = appContainer(log)
      await container.start()
      log.length = 0
    }
    expect(log).toEqual([
      'dispose service',
      'dispose cache',
      'dispose migrations',
      'dispose pool',
    ])
  })

  it('refuses resolution and registration once disposed', async () => {
    const container = appContainer([])
    await container.dispose()
    expect(() => container.resolve('log')).toThrow(/disposed/)
    expect(() => container.createScope()).toThrow(/disposed/)
    expect(() => container.value('late', 1)).toThrow(/register "late"/)
  })
})
