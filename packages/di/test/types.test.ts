import { describe, expectTypeOf, it } from 'vitest'
import { createContainer, fromScope, type Scope } from '../src/index.js'

class Pool {
  readonly kind = 'pool'
}
class Repo {
  constructor(readonly pool: Pool) {}
}

function build() {
  return createContainer()
    .value('config', { path: ':memory:', max: 4 })
    .singleton('pool', () => new Pool())
    .singleton('repo', ({ pool }) => new Repo(pool))
    .scoped('requestId', fromScope<string>())
    .scoped('handler', ({ repo, requestId }) => ({ repo, requestId }))
    .transient('now', () => 42)
}

describe('typed resolution', () => {
  it('types resolve() by the registry', () => {
    const container = build()
    expectTypeOf(container.resolve('pool')).toEqualTypeOf<Pool>()
    expectTypeOf(container.resolve('repo')).toEqualTypeOf<Repo>()
    expectTypeOf(container.resolve('config')).toEqualTypeOf<{
      path: string
      max: number
    }>()
    expectTypeOf(container.resolve('now')).toEqualTypeOf<number>()
    expectTypeOf(container.cradle.pool).toEqualTypeOf<Pool>()
  })

  it('rejects unknown names at compile time', () => {
    const container = build()
    expectTypeOf<Parameters<typeof container.resolve>[0]>().toEqualTypeOf<
      'config' | 'pool' | 'repo' | 'requestId' | 'handler' | 'now'
    >()
    // @ts-expect-error 'nope' is not registered
    expectTypeOf(() => container.resolve('nope')).toBeFunction()
  })

  it('types scopes and their values', () => {
    const container = build()
    const scope = container.createScope({ requestId: 'r-1' })
    expectTypeOf(scope).toEqualTypeOf<
      Scope<{
        config: { path: string; max: number }
        pool: Pool
        repo: Repo
        requestId: string
        handler: { repo: Repo; requestId: string }
        now: number
      }>
    >()
    expectTypeOf(scope.resolve('handler')).toEqualTypeOf<{
      repo: Repo
      requestId: string
    }>()
    // @ts-expect-error requestId must be a string
    expectTypeOf(() => container.createScope({ requestId: 1 })).toBeFunction()
    const notAScopeValue = { pool: new Pool() }
    // @ts-expect-error pool is a singleton, not a scope value
    expectTypeOf(() => container.createScope(notAScopeValue)).toBeFunction()
  })

  it('keeps scoped registrations out of a singleton factory', () => {
    const container = build()
    expectTypeOf(() =>
      container.singleton(
        'bad',
        // @ts-expect-error requestId is scoped, a singleton cannot read it
        ({ requestId }: { requestId: string }) => requestId,
      ),
    ).toBeFunction()
    expectTypeOf(() =>
      container.singleton('ok', ({ pool, now }) => ({ pool, now })),
    ).returns.toExtend<object>()
  })

  it('rejects a second registration of a name at compile time', () => {
    const container = build()
    // @ts-expect-error pool is already registered; use override()
    expectTypeOf(() => container.singleton('pool', () => 1)).toBeFunction()
  })

  it('types overrides by the registration they replace', () => {
    const container = build()
    expectTypeOf(() =>
      container.override('pool', { value: new Pool() }),
    ).toBeFunction()
    // @ts-expect-error the value must be a Pool
    expectTypeOf(() => container.override('pool', { value: 1 })).toBeFunction()
    // @ts-expect-error nothing named nope to override
    expectTypeOf(() => container.override('nope', { value: 1 })).toBeFunction()
  })
})
