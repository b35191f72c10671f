import { InvalidOptionError } from '@duckkit/resilience'
import { describe, expect, it } from 'vitest'
import {
  createContainer,
  fromScope,
  isContainerStateError,
  isRegistrationError,
  type RegistrationError,
} from '../src/index.js'

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

class Pool {
  closed = false
  constructor(readonly path: string) {}
}

function appContainer(log: string[]) {
  return createContainer()
    .value('config', { path: 'prod.duckdb' })
    .singleton('pool', ({ config }) => new Pool(config.path), {
      start: () => void log.push('open pool'),
      dispose: (p) => {
        p.closed = true
        log.push('close pool')
      },
    })
    .singleton('repo', ({ pool }) => ({ pool }))
}

describe('overrides', () => {
  it('replaces a registration by a value the caller owns', async () => {
    const log: string[] = []
    const own = new Pool('test.duckdb')
    const container = appContainer(log).override('pool', { value: own })
    await container.start()
    expect(container.resolve('repo').pool).toBe(own)
    await container.dispose()
    expect(log).toEqual([])
    expect(own.closed).toBe(false)
  })

  it('replaces a registration by a factory with its own hooks', async () => {
    const log: string[] = []
    const container = appContainer(log)
    container.override('config', { value: { path: ':memory:' } })
    container.override('pool', {
      factory: ({ config }) => new Pool(`test:${config.path}`),
      start: () => void log.push('open test pool'),
      dispose: () => void log.push('close test pool'),
    })
    await container.start()
    expect(container.resolve('pool').path).toBe('test::memory:')
    await container.dispose()
    expect(log).toEqual(['open test pool', 'close test pool'])
  })

  it('keeps the lifetime of the registration it replaces', () => {
    const container = createContainer()
      .scoped('requestId', fromScope<string>())
      .override('requestId', { factory: () => 'fixed' })
    expect(container.lifetimeOf('requestId')).toBe('scoped')
    expect(container.createScope().resolve('requestId')).toBe('fixed')
  })

  it('refuses an unknown name, a created value and overrides after start', async () => {
    const container = appContainer([])
    const unknown = catchError(() =>
      container.override('nope' as never, { value: 1 } as never),
    )
    expect(isRegistrationError(unknown)).toBe(true)
    container.resolve('config')
    expect(() =>
      container.override('config', { value: { path: 'x' } }),
    ).toThrow(/already created/)
    await container.start()
    const late = catchError(() =>
      container.override('repo', { value: { pool: new Pool('x') } }),
    )
    expect(isContainerStateError(late)).toBe(true)
    await container.dispose()
  })
})

describe('registration', () => {
  it('refuses a duplicate name', () => {
    const container = createContainer().value('a', 1)
    const error = catchError(() =>
      container.value('a' as never, 2),
    ) as RegistrationError
    expect(isRegistrationError(error)).toBe(true)
    expect(error.code).toBe('E_DI_REGISTRATION')
    expect(error.registration).toBe('a')
    expect(error.message).toContain('override()')
  })

  it.each([
    ['an empty name', '', () => 1, {}],
    ['a reserved name', 'then', () => 1, {}],
    ['a factory that is not a function', 'x', 1, {}],
    ['a start hook that is not a function', 'x', () => 1, { start: 'go' }],
    ['dependsOn on an unknown name', 'x', () => 1, { dependsOn: ['ghost'] }],
  ])('refuses %s', (_label, name, factory, options) => {
    const container = createContainer()
    const error = catchError(() =>
      container.singleton(name as never, factory as never, options as never),
    )
    expect(isRegistrationError(error)).toBe(true)
  })

  it('refuses hooks the lifetime cannot honour', () => {
    const container = createContainer()
    expect(() =>
      container.scoped('s', () => 1, { start: () => undefined } as never),
    ).toThrow(/only singletons have start hooks/)
    const withTransient = container.transient('t', () => 1)
    expect(() =>
      withTransient.override('t', {
        factory: () => 2,
        dispose: () => undefined,
      }),
    ).toThrow(/transient values are not tracked/)
    expect(() => container.singleton('f', fromScope<number>())).toThrow(
      /fromScope\(\) is only for scoped/,
    )
  })

  it('validates the container options', () => {
    expect(() => createContainer({ logger: {} as never })).toThrow(
      InvalidOptionError,
    )
    expect(() => createContainer({ now: 5 as never })).toThrow(/now/)
  })
})
