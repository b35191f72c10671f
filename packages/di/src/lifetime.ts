/**
 * How long a registered value lives: `singleton` once per container,
 * `scoped` once per scope (a request), `transient` new on every resolution.
 */
export type Lifetime = 'singleton' | 'scoped' | 'transient'
