import type { AwilixContainer } from 'awilix'
import type { Core, ScopeRecord, ScopeState } from './core.js'
import { disposeInstances } from './dispose-instances.js'
import {
  ContainerStateError,
  DisposalError,
  type DisposalFailure,
} from './errors.js'
import type { Instance } from './instance.js'

const noop = (): void => undefined

/**
 * One unit of work (a request): scoped registrations get one value per scope,
 * singletons come from the container. Dispose it when the work ends.
 */
export interface Scope<R extends object> extends AsyncDisposable {
  /** Where the scope is in its life. */
  readonly state: ScopeState
  /** The registered values as properties, resolved on access. */
  readonly cradle: Readonly<R>
  /** Resolves a registration: scoped ones once per scope, singletons from the container. */
  resolve<K extends keyof R & string>(name: K): R[K]
  /**
   * Runs the dispose hooks of this scope's values in reverse dependency order,
   * each once. A second call is a no-op; hook errors are thrown together as one
   * `DisposalError` after every hook ran.
   */
  dispose(): Promise<void>
}

/** The scope implementation behind {@link Scope}. */
export class ContainerScope<R extends object> implements Scope<R>, ScopeRecord {
  /** Where the scope is in its life. */
  state: ScopeState = 'open'
  /** Scoped values with a dispose hook, in creation order. */
  instances: Instance[] | undefined = undefined
  readonly #core: Core
  readonly #awilix: AwilixContainer
  #disposal: Promise<void> | undefined = undefined

  constructor(core: Core, awilix: AwilixContainer) {
    this.#core = core
    this.#awilix = awilix
    core.attachScope(awilix, this)
  }

  /** The registered values as properties, resolved on access. */
  get cradle(): Readonly<R> {
    return this.#awilix.cradle as Readonly<R>
  }

  /** Resolves a registration: scoped ones once per scope, singletons from the container. */
  resolve<K extends keyof R & string>(name: K): R[K] {
    if (this.state !== 'open') {
      throw new ContainerStateError(
        `resolve "${name}"`,
        `a ${this.state} scope`,
      )
    }
    const core = this.#core
    if (core.closed) {
      throw new ContainerStateError(`resolve "${name}"`, core.state)
    }
    // Fast path: values this scope created, then singletons the container created.
    const cached = this.#awilix.cache.get(name) ?? core.awilix.cache.get(name)
    if (cached !== undefined) return cached.value as R[K]
    return core.resolve(this.#awilix, name) as R[K]
  }

  /**
   * Runs the dispose hooks of this scope's values in reverse dependency order,
   * each once. A second call is a no-op; hook errors are thrown together as one
   * {@link DisposalError} after every hook ran.
   */
  dispose(): Promise<void> {
    if (this.#disposal !== undefined) return this.#disposal.then(noop, noop)
    this.state = 'disposing'
    this.#disposal = this.#runDispose()
    return this.#disposal
  }

  /** Same as `dispose()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose()
  }

  async #runDispose(): Promise<void> {
    const core = this.#core
    let failures: DisposalFailure[] = []
    if (this.instances !== undefined) {
      failures = await disposeInstances(
        this.instances,
        core.now,
        (name, durationMs, error) => {
          core.events.emit('disposed', {
            name,
            scoped: true,
            durationMs,
            error,
          })
        },
      )
    }
    this.state = 'disposed'
    core.openScopes.delete(this)
    this.#awilix.cache.clear()
    if (failures.length > 0) throw new DisposalError(failures)
  }
}
