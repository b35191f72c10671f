import {
  resolveContainerOptions,
  type ContainerOptions,
} from './container-options.js'
import type {
  ContainerStats,
  EmptyRegistry,
  FreshName,
  ScopeValues,
  SingletonCradle,
  WithEntry,
} from './container-types.js'
import { Core, type ContainerState } from './core.js'
import { disposeInstances } from './dispose-instances.js'
import {
  ContainerStateError,
  DisposalError,
  isDisposalError,
  RegistrationError,
  ResolutionError,
  StartError,
  type DisposalFailure,
} from './errors.js'
import type { ContainerEvents } from './events.js'
import type { Listener } from '@duckkit/resilience'
import type { Lifetime } from './lifetime.js'
import {
  isFromScope,
  type DisposeHook,
  type Factory,
  type Override,
  type Registration,
  type ScopedOptions,
  type SingletonOptions,
  type StartHook,
} from './registration.js'
import { validateRegistration } from './validate-registration.js'
import { ContainerScope, type Scope } from './scope.js'

const noop = (): void => undefined

/** The hooks and ordering any registration may carry, before validation. */
interface RawHooks {
  readonly start?: StartHook<never> | undefined
  readonly dispose?: DisposeHook<never> | undefined
  readonly dependsOn?: readonly string[] | undefined
}

/**
 * A typed service container on awilix. `R` maps each registered name to the
 * type `resolve(name)` returns; `S` names the scoped registrations. Register
 * with the chained `singleton`/`scoped`/`transient`/`value` methods, then
 * `await start()`, resolve, and `await dispose()` (or `await using`).
 */
export class Container<
  R extends object = EmptyRegistry,
  S extends string = never,
> implements AsyncDisposable {
  readonly #core: Core
  #starting: Promise<void> | undefined
  #disposal: Promise<void> | undefined
  #startedSteps = 0
  #nextToStart = 0

  constructor(options: ContainerOptions = {}) {
    const { logger, now } = resolveContainerOptions(options)
    this.#core = new Core(logger, now)
  }

  /** Where the container is in its life. */
  get state(): ContainerState {
    return this.#core.state
  }

  /** The registered values as properties, resolved on access (scoped ones need a scope). */
  get cradle(): Readonly<R> {
    return this.#core.awilix.cradle as Readonly<R>
  }

  /** Registers a value created once per container, started by `start()` and disposed last-first. */
  singleton<N extends string, T>(
    name: FreshName<R, N>,
    factory: Factory<SingletonCradle<R, S>, T>,
    options: SingletonOptions<T, Exclude<keyof R & string, S>> = {},
  ): Container<WithEntry<R, N, T>, S> {
    this.#add(name, 'singleton', factory, options)
    return this as unknown as Container<WithEntry<R, N, T>, S>
  }

  /**
   * Registers a singleton whose factory returns a promise, such as a pool that
   * opens connections. `start()` awaits it in dependency order; it cannot be
   * resolved before that.
   */
  asyncSingleton<N extends string, T>(
    name: FreshName<R, N>,
    factory: Factory<SingletonCradle<R, S>, Promise<T>>,
    options: SingletonOptions<T, Exclude<keyof R & string, S>> = {},
  ): Container<WithEntry<R, N, T>, S> {
    this.#add(name, 'singleton', factory, options, true)
    return this as unknown as Container<WithEntry<R, N, T>, S>
  }

  /** Registers a value created once per scope and disposed with it; resolve it from a scope. */
  scoped<N extends string, T>(
    name: FreshName<R, N>,
    factory: Factory<Readonly<R>, T>,
    options: ScopedOptions<T, keyof R & string> = {},
  ): Container<WithEntry<R, N, T>, S | N> {
    this.#add(name, 'scoped', factory, options)
    return this as unknown as Container<WithEntry<R, N, T>, S | N>
  }

  /** Registers a value created anew on every resolution (never started or disposed). */
  transient<N extends string, T>(
    name: FreshName<R, N>,
    factory: Factory<Readonly<R>, T>,
  ): Container<WithEntry<R, N, T>, S> {
    this.#add(name, 'transient', factory, {})
    return this as unknown as Container<WithEntry<R, N, T>, S>
  }

  /** Registers a ready value as a singleton; it is disposed only when a `dispose` hook is given. */
  value<N extends string, T>(
    name: FreshName<R, N>,
    value: T,
    options: Omit<SingletonOptions<T, never>, 'dependsOn'> = {},
  ): Container<WithEntry<R, N, T>, S> {
    this.#add(name, 'singleton', () => value, options)
    return this as unknown as Container<WithEntry<R, N, T>, S>
  }

  /**
   * Replaces a registration (for tests, or an application's own pool) before
   * `start()`; the lifetime stays, the hooks are the replacement's own.
   */
  override<N extends keyof R & string>(
    name: N,
    replacement: Override<
      N extends S ? Readonly<R> : SingletonCradle<R, S>,
      R[N],
      keyof R & string
    >,
  ): this {
    const core = this.#core
    this.#assertIdle(`override "${name}"`)
    const existing = core.registrations.get(name)
    const factory =
      'value' in replacement
        ? () => replacement.value
        : (replacement.factory as Factory<object, unknown>)
    const registration = validateRegistration(
      core.registrations,
      {
        name,
        lifetime: existing?.lifetime ?? 'singleton',
        factory,
        start: replacement.start as StartHook<unknown> | undefined,
        dispose: replacement.dispose as DisposeHook<unknown> | undefined,
        dependsOn: 'dependsOn' in replacement ? replacement.dependsOn : [],
        fromScope: false,
        async: !('value' in replacement) && existing?.async === true,
        index: existing?.index ?? core.registrations.size,
      },
      {
        override: true,
        created: core.awilix.cache.has(name),
      },
    )
    core.register(registration)
    return this
  }

  /** Whether a name is registered. */
  has(name: string): name is keyof R & string {
    return this.#core.registrations.has(name)
  }

  /** The lifetime of a registration. */
  lifetimeOf(name: keyof R & string): Lifetime {
    const registration = this.#core.registrations.get(name)
    if (registration === undefined) {
      throw new RegistrationError(name, 'it is not registered')
    }
    return registration.lifetime
  }

  /** Resolves a registration; typed by the registry, so unknown names do not compile. */
  resolve<K extends keyof R & string>(name: K): R[K] {
    const core = this.#core
    if (core.closed) {
      throw new ContainerStateError(`resolve "${name}"`, core.state)
    }
    // Fast path: the root cache of awilix holds only created singletons.
    const cached = core.awilix.cache.get(name)
    if (cached !== undefined) return cached.value as R[K]
    return core.resolve(core.awilix, name) as R[K]
  }

  /**
   * Opens a scope (one request) with optional values for scoped
   * registrations, such as a request id or a per-request logger.
   */
  createScope(values?: ScopeValues<R, S>): Scope<R> {
    const core = this.#core
    if (core.closed) throw new ContainerStateError('create a scope', core.state)
    const awilixScope = core.awilix.createScope()
    if (values !== undefined) {
      for (const name in values) {
        core.provideScopeValue(
          awilixScope,
          name,
          (values as Record<string, unknown>)[name],
        )
      }
    }
    core.scopesCreated++
    return new ContainerScope<R>(core, awilixScope)
  }

  /**
   * Creates the singletons in dependency order (awaiting async ones) and runs
   * each start hook once what it depends on has started, one at a time. When
   * a step fails, the values already live are disposed in reverse order and a
   * `StartError` naming the step is thrown; the container is then disposed.
   * Calling it again returns the same promise.
   */
  start(): Promise<void> {
    if (this.#starting !== undefined) return this.#starting
    const core = this.#core
    if (core.state !== 'idle') {
      return Promise.reject(new ContainerStateError('start', core.state))
    }
    this.#starting = this.#runStart()
    return this.#starting
  }

  /**
   * Disposes open scopes, then the singletons in reverse dependency order,
   * each once. Every hook runs; their errors are thrown together as one
   * {@link DisposalError}. A second call is a no-op.
   */
  dispose(): Promise<void> {
    if (this.#disposal !== undefined) return this.#disposal.then(noop, noop)
    this.#disposal = this.#runDispose()
    return this.#disposal
  }

  /** Same as `dispose()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose()
  }

  /** Adds a listener for start and dispose events and returns a function that removes it. */
  on<E extends keyof ContainerEvents>(
    event: E,
    listener: Listener<ContainerEvents[E]>,
  ): () => void {
    return this.#core.events.on(event, listener)
  }

  /** Counters and state as a plain object. */
  stats(): ContainerStats {
    const core = this.#core
    return {
      state: core.state,
      registrations: core.registrations.size,
      created: { ...core.created },
      scopesCreated: core.scopesCreated,
      openScopes: core.openScopes.size,
      started: this.#startedSteps,
    }
  }

  #add(
    name: string,
    lifetime: Lifetime,
    factory: unknown,
    hooks: RawHooks,
    async = false,
  ): void {
    const core = this.#core
    this.#assertIdle(`register "${name}"`)
    const registration = validateRegistration(
      core.registrations,
      {
        name,
        lifetime,
        factory: factory as Factory<object, unknown>,
        start: hooks.start as StartHook<unknown> | undefined,
        dispose: hooks.dispose as DisposeHook<unknown> | undefined,
        dependsOn: hooks.dependsOn ?? [],
        fromScope: isFromScope(factory),
        async,
        index: core.registrations.size,
      },
      { override: false, created: false },
    )
    core.register(registration)
  }

  #assertIdle(operation: string): void {
    const state = this.#core.state
    if (state !== 'idle') {
      throw new ContainerStateError(
        operation,
        state,
        'register and override before start()',
      )
    }
  }

  async #runStart(): Promise<void> {
    const core = this.#core
    core.state = 'starting'
    for (const registration of core.registrations.values()) {
      if (registration.lifetime !== 'singleton') continue
      await this.#ensure(registration, [])
    }
    core.state = 'started'
  }

  /**
   * Creates one singleton (after the ones its `dependsOn` lists), then runs
   * the start hooks of everything created so far that has not started, in
   * creation order.
   */
  async #ensure(registration: Registration, path: string[]): Promise<void> {
    const core = this.#core
    const name = registration.name
    if (core.awilix.cache.has(name)) return
    if (path.includes(name)) {
      throw await this.#rollback(
        name,
        'create',
        new ResolutionError(
          name,
          new Error(`cyclic dependsOn: ${[...path, name].join(' -> ')}`),
        ),
      )
    }
    for (const dependency of registration.dependsOn) {
      const target = core.registrations.get(dependency)
      if (target?.lifetime === 'singleton') {
        await this.#ensure(target, [...path, name])
      }
    }
    if (core.awilix.cache.has(name)) return
    const startedAt = core.now()
    try {
      if (registration.async) await core.createAsync(registration)
      else core.resolve(core.awilix, name)
    } catch (error) {
      throw await this.#rollback(this.#failedStep(error, name), 'create', error)
    }
    if (registration.async) this.#reportStarted(name, core.now() - startedAt)
    await this.#startCreated()
  }

  /** Names the innermost registration whose creation threw `error`. */
  #failedStep(error: unknown, fallback: string): string {
    const failure = this.#core.lastCreationFailure
    return failure !== undefined &&
      (failure.error === error ||
        (error instanceof Error && error.cause === failure.error))
      ? failure.name
      : fallback
  }

  async #startCreated(): Promise<void> {
    const core = this.#core
    const instances = core.singletons
    for (; this.#nextToStart < instances.length; this.#nextToStart++) {
      const instance = instances[this.#nextToStart]
      const hook = instance?.registration.start
      if (instance === undefined || hook === undefined) continue
      const name = instance.registration.name
      const startedAt = core.now()
      try {
        await hook(instance.value)
      } catch (error) {
        throw await this.#rollback(name, 'start', error)
      }
      instance.started = true
      this.#reportStarted(name, core.now() - startedAt)
    }
  }

  #reportStarted(name: string, durationMs: number): void {
    const core = this.#core
    this.#startedSteps++
    core.logger.debug({ step: name, durationMs }, `di: started ${name}`)
    core.events.emit('started', { name, durationMs })
  }

  async #rollback(
    step: string,
    phase: 'create' | 'start',
    error: unknown,
  ): Promise<StartError> {
    const core = this.#core
    core.events.emit('startFailed', { name: step, phase, error })
    core.logger.error(
      { step, phase, err: error },
      `di: start failed at ${step}; rolling back`,
    )
    core.close('disposing')
    const failures = await this.#disposeAll()
    core.state = 'disposed'
    return new StartError(
      step,
      phase,
      error,
      failures.length > 0 ? new DisposalError(failures) : undefined,
    )
  }

  async #runDispose(): Promise<void> {
    const core = this.#core
    if (this.#starting !== undefined) await this.#starting.catch(noop)
    if (core.state === 'disposed') return
    core.close('disposing')
    const failures = await this.#disposeAll()
    core.state = 'disposed'
    if (failures.length > 0) {
      core.logger.error(
        { failures: failures.map((f) => f.registration) },
        'di: dispose hooks failed',
      )
      throw new DisposalError(failures)
    }
  }

  async #disposeAll(): Promise<DisposalFailure[]> {
    const core = this.#core
    const failures: DisposalFailure[] = []
    for (const record of [...core.openScopes].reverse()) {
      try {
        await record.dispose()
      } catch (error) {
        if (isDisposalError(error)) failures.push(...error.failures)
        else failures.push({ registration: '(scope)', error })
      }
    }
    failures.push(
      ...(await disposeInstances(
        core.singletons,
        core.now,
        (name, durationMs, error) => {
          core.logger.debug({ step: name, durationMs }, `di: disposed ${name}`)
          core.events.emit('disposed', {
            name,
            scoped: false,
            durationMs,
            error,
          })
        },
      )),
    )
    core.awilix.cache.clear()
    return failures
  }
}

/**
 * Creates an empty typed container.
 *
 * @example
 * ```ts
 * const container = createContainer()
 *   .value('config', { path: ':memory:' })
 *   .singleton('db', ({ config }) => new Db(config.path), {
 *     start: (db) => db.open(),
 *     dispose: (db) => db.close(),
 *   })
 *   .scoped('requestId', fromScope<string>())
 * await container.start()
 * await using scope = container.createScope({ requestId: 'r-1' })
 * scope.resolve('db') // typed as Db
 * await container.dispose()
 * ```
 */
export function createContainer(options?: ContainerOptions): Container {
  return new Container(options)
}
