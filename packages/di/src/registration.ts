import type { Lifetime } from './lifetime.js'

/** Async initialisation of a value, run by `start()` after everything it depends on has started. */
export type StartHook<T> = (value: T) => void | Promise<void>

/** Release of a value, run by `dispose()` after everything that depends on it was disposed. */
export type DisposeHook<T> = (value: T) => void | Promise<void>

/** Builds a value from the cradle (the already registered values, read by property). */
export type Factory<C, T> = (cradle: C) => T

/** Hooks and ordering of a singleton registration. */
export interface SingletonOptions<T, Name extends string> {
  /** Async initialisation run by `start()` in dependency order. */
  readonly start?: StartHook<T>
  /** Release run by `dispose()` in reverse dependency order, once. */
  readonly dispose?: DisposeHook<T>
  /** Registrations to create (and start) before this one although its factory does not read them. */
  readonly dependsOn?: readonly Name[]
}

/** Hooks and ordering of a scoped registration (scoped values are never started). */
export interface ScopedOptions<T, Name extends string> {
  /** Release run when the scope is disposed, in reverse dependency order, once. */
  readonly dispose?: DisposeHook<T>
  /** Registrations to create before this one although its factory does not read them. */
  readonly dependsOn?: readonly Name[]
}

/** Replacement of a registration by a fixed value (the lifetime stays the same). */
export interface ValueOverride<T> {
  /** The value to resolve instead. */
  readonly value: T
  /** Async initialisation of the value; omitted means the container does not start it. */
  readonly start?: StartHook<T>
  /** Release of the value; omitted means the container does not dispose it (the caller owns it). */
  readonly dispose?: DisposeHook<T>
}

/**
 * Replacement of a registration by another factory (the lifetime stays the
 * same). A factory replacing an `asyncSingleton` may return a promise.
 */
export interface FactoryOverride<C, T, Name extends string> {
  /** Builds the replacement value. */
  readonly factory: Factory<C, T | Promise<T>>
  /** Async initialisation of the value (singletons only). */
  readonly start?: StartHook<T>
  /** Release of the value. */
  readonly dispose?: DisposeHook<T>
  /** Registrations to create before this one although its factory does not read them. */
  readonly dependsOn?: readonly Name[]
}

/** What `override()` accepts: a fixed value or a factory, with their own hooks. */
export type Override<C, T, Name extends string> =
  ValueOverride<T> | FactoryOverride<C, T, Name>

const FROM_SCOPE = Symbol('@duckkit/di/fromScope')

/**
 * A scoped registration whose value each scope must pass to `createScope()`,
 * such as a request id: `.scoped('requestId', fromScope<string>())`.
 */
export function fromScope<T>(): Factory<unknown, T> {
  const factory = (): T => {
    throw new Error('fromScope() placeholder called')
  }
  return Object.assign(factory, { [FROM_SCOPE]: true })
}

/** Whether a factory is the `fromScope()` placeholder. */
export function isFromScope(factory: unknown): boolean {
  return (
    typeof factory === 'function' &&
    (factory as unknown as Record<symbol, unknown>)[FROM_SCOPE] === true
  )
}

/** A registration as the container keeps it. */
export interface Registration {
  readonly name: string
  readonly lifetime: Lifetime
  readonly factory: Factory<object, unknown>
  readonly start: StartHook<unknown> | undefined
  readonly dispose: DisposeHook<unknown> | undefined
  readonly dependsOn: readonly string[]
  readonly fromScope: boolean
  /** Whether the factory returns a promise that `start()` awaits. */
  readonly async: boolean
  /** Registration order, used to break ties in start order. */
  readonly index: number
}
