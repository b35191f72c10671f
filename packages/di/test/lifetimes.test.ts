import { describe, expect, it } from 'vitest'
import {
  createContainer,
  fromScope,
  isLifetimeViolationError,
  isResolutionError,
  isScopeRequiredError,
  isScopeValueMissingError,
  isStartError,
  type LifetimeViolationError,
  type StartError,
} from '../src/index.js'

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

/** A container whose `report` singleton is overridden to read the scoped `requestId`. */
function capturingContainer() {
  const container = createContainer()
    .scoped('requestId', fromScope<string>())
    .transient('stamp', (c) => `stamp:${c.requestId}`)
    .singleton('report', () => 'report')
  return container
}

describe('strict lifetimes', () => {
  it('rejects a singleton reading a scoped value at first resolution, naming both', () => {
    const container = capturingContainer()
    container.override('report', {
      factory: (c) => (c as unknown as { requestId: string }).requestId,
    })
    const scope = container.createScope({ requestId: 'r-1' })
    const error = catchError(() => scope.resolve('report'))
    expect(isLifetimeViolationError(error)).toBe(true)
    const violation = error as LifetimeViolationError
    expect(violation.code).toBe('E_DI_LIFETIME_VIOLATION')
    expect(violation.dependent).toBe('report')
    expect(violation.dependentLifetime).toBe('singleton')
    expect(violation.dependency).toBe('requestId')
    expect(violation.dependencyLifetime).toBe('scoped')
    expect(violation.path).toEqual(['report', 'requestId'])
    expect(violation.message).toContain('singleton "report"')
    expect(violation.message).toContain('scoped "requestId"')
  })

  it('sees through transients between the singleton and the scoped value', () => {
    const container = capturingContainer()
    container.override('report', {
      factory: (c) => (c as unknown as { stamp: string }).stamp,
    })
    const scope = container.createScope({ requestId: 'r-1' })
    const error = catchError(() => scope.resolve('report'))
    expect(isLifetimeViolationError(error)).toBe(true)
    expect((error as LifetimeViolationError).path).toEqual([
      'report',
      'stamp',
      'requestId',
    ])
  })

  it('names the nearest singleton when singletons are chained', () => {
    const container = createContainer()
      .scoped('requestId', fromScope<string>())
      .singleton('inner', () => 'inner')
      .singleton('outer', ({ inner }) => inner)
    container.override('inner', {
      factory: (c) => (c as unknown as { requestId: string }).requestId,
    })
    const error = catchError(() =>
      container.createScope({ requestId: 'x' }).resolve('outer'),
    ) as LifetimeViolationError
    expect(error.dependent).toBe('inner')
    expect(error.path).toEqual(['outer', 'inner', 'requestId'])
  })

  it('rejects a singleton that declares a scoped dependsOn at registration', () => {
    const container = createContainer().scoped('requestId', fromScope<string>())
    const error = catchError(() =>
      container.singleton('report', () => 1, {
        // @ts-expect-error a singleton may not depend on a scoped registration
        dependsOn: ['requestId'],
      }),
    )
    expect(isLifetimeViolationError(error)).toBe(true)
    expect((error as LifetimeViolationError).dependent).toBe('report')
    expect(container.has('report')).toBe(false)
  })

  it('surfaces a violation at start(), before any request', async () => {
    const container = capturingContainer()
    container.override('report', {
      factory: (c) => (c as unknown as { requestId: string }).requestId,
    })
    const error = (await container
      .start()
      .catch((e: unknown) => e)) as StartError
    expect(isStartError(error)).toBe(true)
    expect(error.step).toBe('report')
    expect(isLifetimeViolationError(error.cause)).toBe(true)
  })

  it('refuses a scoped value resolved from the root container', () => {
    const container = createContainer()
      .scoped('requestId', fromScope<string>())
      .scoped('session', ({ requestId }) => ({ requestId }))
      .transient('view', ({ session }) => session)
    const direct = catchError(() => container.resolve('session'))
    expect(isScopeRequiredError(direct)).toBe(true)
    const viaTransient = catchError(() => container.resolve('view'))
    expect(isScopeRequiredError(viaTransient)).toBe(true)
    expect((viaTransient as Error).message).toContain('view -> session')
  })

  it('says which scope value is missing', () => {
    const container = createContainer()
      .scoped('requestId', fromScope<string>())
      .scoped('session', ({ requestId }) => ({ requestId }))
    const error = catchError(() => container.createScope().resolve('session'))
    expect(isScopeValueMissingError(error)).toBe(true)
    expect((error as Error).message).toContain('createScope({ requestId')
  })

  it('allows singletons and scoped values to depend on transients', () => {
    let made = 0
    const container = createContainer()
      .transient('counter', () => ++made)
      .singleton('single', ({ counter }) => counter)
      .scoped('perScope', ({ counter }) => counter)
    expect(container.resolve('single')).toBe(1)
    expect(container.resolve('single')).toBe(1)
    expect(container.createScope().resolve('perScope')).toBe(2)
    expect(container.resolve('counter')).toBe(3)
  })

  it('keeps checking correctly after a violation was thrown', () => {
    const container = capturingContainer()
    container.override('report', {
      factory: (c) => (c as unknown as { stamp: string }).stamp,
    })
    const scope = container.createScope({ requestId: 'r-1' })
    expect(() => scope.resolve('report')).toThrow()
    // The resolution stack was unwound: a scoped read from the scope works.
    expect(scope.resolve('stamp')).toBe('stamp:r-1')
  })

  it('reports a dependency cycle as a ResolutionError', () => {
    const container = createContainer()
      .singleton('a', () => 'a')
      .singleton('b', ({ a }) => a)
    container.override('a', {
      factory: (c) => (c as unknown as { b: string }).b,
    })
    const error = catchError(() => container.resolve('a'))
    expect(isResolutionError(error)).toBe(true)
    expect((error as Error).message).toMatch(/Cyclic/)
  })
})
