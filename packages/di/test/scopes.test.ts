import type { Logger } from '@duckkit/resilience'
import { describe, expect, it } from 'vitest'
import {
  createContainer,
  fromScope,
  isContainerStateError,
  isDisposalError,
  isRegistrationError,
  type DisposalError,
} from '../src/index.js'

interface Entry {
  readonly obj: object
  readonly msg: string | undefined
}

function memoryLogger(entries: Entry[]): Logger {
  const log = (obj: object | string, msg?: string) => {
    entries.push(typeof obj === 'string' ? { obj: {}, msg: obj } : { obj, msg })
  }
  return { debug: log, info: log, warn: log, error: log }
}

function requestContainer(log: string[] = []) {
  let sessions = 0
  return createContainer()
    .value('appLogger', memoryLogger([]))
    .singleton('shared', () => ({ id: 'shared' }))
    .scoped('requestId', fromScope<string>())
    .scoped(
      'session',
      ({ requestId, shared }) => ({ n: ++sessions, requestId, shared }),
      { dispose: (s) => void log.push(`dispose session ${s.requestId}`) },
    )
    .scoped('handler', ({ session }) => ({ session }), {
      dispose: (h) => void log.push(`dispose handler ${h.session.requestId}`),
    })
}

describe('scopes', () => {
  it('isolates scoped values and shares singletons', () => {
    const container = requestContainer()
    const a = container.createScope({ requestId: 'a' })
    const b = container.createScope({ requestId: 'b' })
    const sessionA = a.resolve('session')
    expect(a.resolve('session')).toBe(sessionA)
    expect(a.resolve('handler').session).toBe(sessionA)
    const sessionB = b.resolve('session')
    expect(sessionB).not.toBe(sessionA)
    expect(sessionA.requestId).toBe('a')
    expect(sessionB.requestId).toBe('b')
    expect(sessionA.shared).toBe(sessionB.shared)
    expect(container.resolve('shared')).toBe(sessionA.shared)
    expect(a.cradle.requestId).toBe('a')
  })

  it('disposes its own values in reverse order, once', async () => {
    const log: string[] = []
    const container = requestContainer(log)
    const a = container.createScope({ requestId: 'a' })
    const b = container.createScope({ requestId: 'b' })
    a.resolve('handler')
    b.resolve('handler')
    await Promise.all([a.dispose(), a.dispose()])
    await a.dispose()
    expect(log).toEqual(['dispose handler a', 'dispose session a'])
    expect(a.state).toBe('disposed')
    expect(() => a.resolve('session')).toThrow(/disposed scope/)
    expect(b.resolve('handler').session.requestId).toBe('b')
    expect(container.stats().openScopes).toBe(1)
    await b.dispose()
    expect(container.stats().openScopes).toBe(0)
  })

  it('is disposed before the singletons when the container is disposed', async () => {
    const log: string[] = []
    const container = createContainer()
      .singleton('pool', () => 'pool', {
        dispose: () => void log.push('dispose pool'),
      })
      .scoped('unit', ({ pool }) => pool, {
        dispose: () => void log.push('dispose unit'),
      })
    const open = container.createScope()
    const closed = container.createScope()
    open.resolve('unit')
    closed.resolve('unit')
    await closed.dispose()
    log.length = 0
    await container.dispose()
    expect(log).toEqual(['dispose unit', 'dispose pool'])
    expect(open.state).toBe('disposed')
  })

  it('collects scope dispose errors into one AggregateError', async () => {
    const container = createContainer()
      .scoped('a', () => 'a', {
        dispose: () => {
          throw new Error('a failed')
        },
      })
      .scoped('b', ({ a }) => a, {
        dispose: () => Promise.reject(new Error('b failed')),
      })
    const scope = container.createScope()
    scope.resolve('b')
    const error = (await scope
      .dispose()
      .catch((e: unknown) => e)) as DisposalError
    expect(isDisposalError(error)).toBe(true)
    expect(error.failures.map((f) => f.registration)).toEqual(['b', 'a'])
    await expect(scope.dispose()).resolves.toBeUndefined()
  })

  it('does not dispose values passed to createScope (the caller owns them)', async () => {
    const log: string[] = []
    const container = createContainer().scoped('conn', () => 'made', {
      dispose: (c) => void log.push(`dispose ${c}`),
    })
    const scope = container.createScope({ conn: 'given' })
    expect(scope.resolve('conn')).toBe('given')
    await scope.dispose()
    expect(log).toEqual([])
  })

  it('carries a per-request logger', () => {
    const entries: Entry[] = []
    const container = createContainer()
      .value('logger', memoryLogger(entries))
      .scoped('requestId', fromScope<string>())
      .scoped('requestLogger', ({ logger, requestId }): Logger => {
        const bind =
          (method: keyof Logger) => (obj: object | string, msg?: string) => {
            if (typeof obj === 'string') logger[method]({ requestId }, obj)
            else logger[method]({ ...obj, requestId }, msg)
          }
        return {
          debug: bind('debug'),
          info: bind('info'),
          warn: bind('warn'),
          error: bind('error'),
        }
      })
    container
      .createScope({ requestId: 'r-7' })
      .resolve('requestLogger')
      .info('hello')
    expect(entries).toEqual([{ obj: { requestId: 'r-7' }, msg: 'hello' }])
  })

  it('rejects values for names that are not scoped registrations', () => {
    const container = requestContainer()
    expect(() =>
      container.createScope({ shared: { id: 'x' } } as never),
    ).toThrow(/only scoped registrations/)
    let caught: unknown
    try {
      container.createScope({ typo: 1 } as never)
    } catch (error) {
      caught = error
    }
    expect(isRegistrationError(caught)).toBe(true)
  })

  it('works with await using', async () => {
    const log: string[] = []
    const container = requestContainer(log)
    {
      await using scope = container.createScope({ requestId: 'u' })
      scope.resolve('handler')
    }
    expect(log).toEqual(['dispose handler u', 'dispose session u'])
  })

  it('refuses to resolve once the container is disposed', async () => {
    const container = requestContainer()
    const scope = container.createScope({ requestId: 'late' })
    await container.dispose()
    let caught: unknown
    try {
      scope.resolve('session')
    } catch (error) {
      caught = error
    }
    expect(isContainerStateError(caught)).toBe(true)
  })
})
