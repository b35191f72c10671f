import type { Logger } from '@duckkit/resilience'
import {
  AwilixError,
  createContainer as createAwilixContainer,
  Lifetime as AwilixLifetime,
  type AwilixContainer,
  type Resolver,
} from 'awilix'
import { Emitter } from '@duckkit/resilience'
import {
  ContainerStateError,
  LifetimeViolationError,
  RegistrationError,
  ResolutionError,
  ScopeRequiredError,
  ScopeValueMissingError,
} from './errors.js'
import type { ContainerEvents } from './events.js'
import type { Instance } from './instance.js'
import type { Registration } from './registration.js'

/** Where a container is in its life. */
export type ContainerState =
  'idle' | 'starting' | 'started' | 'disposing' | 'disposed'

/** Where a scope is in its life. */
export type ScopeState = 'open' | 'disposing' | 'disposed'

/** What the core knows about one scope (the scope object itself). */
export interface ScopeRecord {
  /** Where the scope is in its life. */
  readonly state: ScopeState
  /** Scoped values with a dispose hook, in creation order; `undefined` until the first. */
  instances: Instance[] | undefined
  /** Disposes the scope (used when the container is disposed first). */
  dispose(): Promise<void>
}

const SCOPE = Symbol('@duckkit/di/scope')

type ScopedAwilix = AwilixContainer & { [SCOPE]?: ScopeRecord }

const AWILIX_LIFETIME = {
  singleton: AwilixLifetime.SINGLETON,
  scoped: AwilixLifetime.SCOPED,
  transient: AwilixLifetime.TRANSIENT,
} as const

/**
 * The state a container and its scopes share: the awilix root container, the
 * registrations, the resolution stack used for strict lifetime checks, and the
 * created values that have hooks, in creation (= dependency) order.
 */
export class Core {
  readonly awilix: AwilixContainer = createAwilixContainer({
    injectionMode: 'PROXY',
    strict: false,
  })
  readonly registrations = new Map<string, Registration>()
  /** Singletons with a start or dispose hook, in the order their creation completed. */
  readonly singletons: Instance[] = []
  /** Scopes that hold values with a dispose hook and are not disposed yet. */
  readonly openScopes = new Set<ScopeRecord>()
  readonly events: Emitter<ContainerEvents>
  readonly logger: Logger
  readonly now: () => number
  state: ContainerState = 'idle'
  /** True once disposal began: nothing new may be resolved or created. */
  closed = false
  /** Values created so far, by lifetime. */
  readonly created = { singleton: 0, scoped: 0, transient: 0 }
  scopesCreated = 0
  /** The innermost registration whose creation threw, for the error being thrown. */
  lastCreationFailure:
    { readonly error: unknown; readonly name: string } | undefined
  /** Registrations being created, outermost first. */
  readonly #stack: Registration[] = []
  readonly #resolvers = new Map<string, Resolver<unknown>>()

  constructor(logger: Logger, now: () => number) {
    this.logger = logger
    this.now = now
    this.events = new Emitter((error) => {
      logger.error({ err: error }, 'di: an event listener threw')
    })
  }

  /** Adds or replaces a registration in the root awilix container. */
  register(registration: Registration): void {
    this.registrations.set(registration.name, registration)
    const resolver: Resolver<unknown> = {
      lifetime: AWILIX_LIFETIME[registration.lifetime],
      resolve: (container) => this.#create(registration, container),
    }
    this.#resolvers.set(registration.name, resolver)
    this.awilix.register(registration.name, resolver)
  }

  /** Marks the container as closing: resolution and scope creation are refused from now on. */
  close(state: 'disposing'): void {
    this.state = state
    this.closed = true
  }

  /**
   * Puts a value passed to `createScope()` in the scope's awilix cache, as
   * the scope's own instance of that scoped registration (so it is resolved
   * like one, and never disposed: the caller owns it). Throws unless `name`
   * is a scoped registration.
   */
  provideScopeValue(
    scope: AwilixContainer,
    name: string,
    value: unknown,
  ): void {
    const registration = this.registrations.get(name)
    const resolver = this.#resolvers.get(name)
    if (registration === undefined) {
      throw new RegistrationError(
        name,
        'is not registered; declare it with .scoped(name, fromScope<T>()) to pass it to createScope()',
      )
    }
    if (registration.lifetime !== 'scoped') {
      throw new RegistrationError(
        name,
        `is a ${registration.lifetime}; only scoped registrations take values from createScope()`,
      )
    }
    if (resolver !== undefined) scope.cache.set(name, { resolver, value })
  }

  /** Ties an awilix scope container to its record. */
  attachScope(container: AwilixContainer, record: ScopeRecord): void {
    ;(container as ScopedAwilix)[SCOPE] = record
  }

  /** Resolves a name from an awilix container, turning awilix's own errors into typed ones. */
  resolve(container: AwilixContainer, name: string): unknown {
    try {
      return container.resolve(name)
    } catch (error) {
      throw error instanceof AwilixError
        ? new ResolutionError(name, error)
        : error
    }
  }

  /**
   * Creates an `asyncSingleton` for `start()`: runs its factory (reading its
   * dependencies synchronously, like any factory), awaits the promise and
   * puts the value in the root cache, where resolution finds it from then on.
   */
  async createAsync(registration: Registration): Promise<void> {
    const name = registration.name
    this.#assertSingletonAllowed(registration)
    let pending: unknown
    this.#stack.push(registration)
    try {
      pending = this.#build(registration, this.awilix.cradle)
    } catch (error) {
      this.#noteFailure(error, name)
      throw error
    } finally {
      this.#stack.pop()
    }
    let value: unknown
    try {
      value = await pending
    } catch (error) {
      this.#noteFailure(error, name)
      throw error
    }
    const resolver = this.#resolvers.get(name)
    if (resolver !== undefined) this.awilix.cache.set(name, { resolver, value })
    this.#track(registration, value, undefined)
  }

  /** Awilix calls this when a registration is not cached in the right container yet. */
  #create(registration: Registration, container: AwilixContainer): unknown {
    const stack = this.#stack
    const { name, lifetime } = registration
    let record: ScopeRecord | undefined
    if (lifetime === 'scoped') {
      for (let i = stack.length - 1; i >= 0; i--) {
        const frame = stack[i]
        if (frame !== undefined && frame.lifetime === 'singleton') {
          throw new LifetimeViolationError(
            frame.name,
            'singleton',
            name,
            'scoped',
            [...stack.map((f) => f.name), name],
          )
        }
      }
      record = (container as ScopedAwilix)[SCOPE]
      if (record === undefined) {
        throw new ScopeRequiredError(name, [...stack.map((f) => f.name), name])
      }
      if (record.state !== 'open') {
        throw new ContainerStateError(
          `create scoped "${name}"`,
          `a ${record.state} scope`,
        )
      }
      if (registration.fromScope) throw new ScopeValueMissingError(name)
    } else if (lifetime === 'singleton') {
      this.#assertSingletonAllowed(registration)
      if (registration.async) {
        const dependent = stack[stack.length - 1]?.name
        throw new ContainerStateError(
          `resolve "${name}"`,
          this.state === 'starting'
            ? 'starting'
            : `${this.state} (not started)`,
          dependent === undefined
            ? `"${name}" is an async singleton that start() creates`
            : `"${name}" is an async singleton that start() creates, and "${dependent}" needs it before: ` +
                `register "${name}" before "${dependent}" or list it in its dependsOn`,
        )
      }
    }
    stack.push(registration)
    let value: unknown
    try {
      value = this.#build(
        registration,
        lifetime === 'singleton' ? this.awilix.cradle : container.cradle,
      )
      if (isThenable(value)) {
        Promise.resolve(value).catch(() => undefined)
        throw new RegistrationError(
          name,
          'its factory returned a promise; register it with asyncSingleton() so start() awaits it',
        )
      }
    } catch (error) {
      this.#noteFailure(error, name)
      throw error
    } finally {
      stack.pop()
    }
    this.#track(registration, value, record)
    return value
  }

  #assertSingletonAllowed(registration: Registration): void {
    const name = registration.name
    if (this.closed) {
      throw new ContainerStateError(`create "${name}"`, this.state)
    }
    if (
      this.state === 'idle' &&
      (registration.start !== undefined || registration.async)
    ) {
      throw new ContainerStateError(
        `create "${name}"`,
        'not started',
        `"${name}" has ${registration.async ? 'an async factory' : 'a start hook'}: await container.start() first`,
      )
    }
  }

  #build(registration: Registration, cradle: object): unknown {
    for (const dependency of registration.dependsOn) {
      Reflect.get(cradle, dependency)
    }
    return registration.factory(cradle)
  }

  #noteFailure(error: unknown, name: string): void {
    if (this.lastCreationFailure?.error !== error) {
      this.lastCreationFailure = { error, name }
    }
  }

  #track(
    registration: Registration,
    value: unknown,
    record: ScopeRecord | undefined,
  ): void {
    this.created[registration.lifetime]++
    if (
      registration.dispose === undefined &&
      registration.start === undefined
    ) {
      return
    }
    const instance: Instance = {
      registration,
      value,
      started: false,
      disposed: false,
    }
    if (record === undefined) {
      this.singletons.push(instance)
    } else if (record.instances === undefined) {
      record.instances = [instance]
      this.openScopes.add(record)
    } else {
      record.instances.push(instance)
    }
  }
}

function isThenable(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
