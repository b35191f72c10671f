/** The registry of an empty container. */
export type EmptyRegistry = Record<never, never>

/** `R` with one more entry `N: T`, flattened so editors show plain objects. */
export type WithEntry<R, N extends string, T> = {
  [K in keyof R | N]: K extends N ? T : K extends keyof R ? R[K] : never
}

/** `N` when it is not registered yet, else `never` (a compile error at the call). */
export type FreshName<R, N extends string> = N extends keyof R ? never : N

/** What a singleton's factory sees: every registration except the scoped ones. */
export type SingletonCradle<R, S extends string> = Readonly<Omit<R, S>>

/** Values `createScope()` accepts: any of the scoped registrations. */
export type ScopeValues<R, S extends string> = {
  readonly [K in S & keyof R]?: R[K]
}

/** Counters and state a container reports. */
export interface ContainerStats {
  /** Where the container is in its life. */
  readonly state: 'idle' | 'starting' | 'started' | 'disposing' | 'disposed'
  /** Number of registrations. */
  readonly registrations: number
  /** Values created so far, by lifetime. */
  readonly created: {
    /** Singletons created. */
    readonly singleton: number
    /** Scoped values created, across all scopes. */
    readonly scoped: number
    /** Transient values created. */
    readonly transient: number
  }
  /** Scopes created so far. */
  readonly scopesCreated: number
  /** Scopes holding values with a dispose hook that are not disposed yet. */
  readonly openScopes: number
  /** Start steps that have completed (async singletons created, start hooks run). */
  readonly started: number
}
