import { LifetimeViolationError, RegistrationError } from './errors.js'
import type { Registration } from './registration.js'

const RESERVED = new Set(['constructor', 'toJSON', 'then', '__proto__'])

/** How a registration is being added. */
export interface RegistrationContext {
  /** Whether it replaces an existing registration. */
  readonly override: boolean
  /** Whether the registration it replaces already created its value. */
  readonly created: boolean
}

/**
 * Checks a registration against the existing ones: the name, the hooks its
 * lifetime allows, and that every `dependsOn` name exists and does not live
 * shorter than it. Returns it frozen or throws a typed error naming it.
 */
export function validateRegistration(
  existing: ReadonlyMap<string, Registration>,
  registration: Registration,
  context: RegistrationContext,
): Registration {
  const { name, lifetime } = registration
  if (typeof name !== 'string' || name === '' || RESERVED.has(name)) {
    throw new RegistrationError(
      String(name),
      `the name must be a non-empty string other than ${[...RESERVED].join(', ')}`,
    )
  }
  if (typeof registration.factory !== 'function') {
    throw new RegistrationError(name, 'the factory must be a function')
  }
  if (context.override) {
    if (!existing.has(name)) {
      throw new RegistrationError(
        name,
        'it is not registered, so there is nothing to override',
      )
    }
    if (context.created) {
      throw new RegistrationError(
        name,
        'its value was already created; override before resolving it',
      )
    }
  } else if (existing.has(name)) {
    throw new RegistrationError(
      name,
      'the name is already registered; use override() to replace it',
    )
  }
  for (const hook of ['start', 'dispose'] as const) {
    const value = registration[hook]
    if (value !== undefined && typeof value !== 'function') {
      throw new RegistrationError(name, `the ${hook} hook must be a function`)
    }
  }
  if (registration.start !== undefined && lifetime !== 'singleton') {
    throw new RegistrationError(
      name,
      `only singletons have start hooks (this is ${lifetime})`,
    )
  }
  if (registration.dispose !== undefined && lifetime === 'transient') {
    throw new RegistrationError(
      name,
      'transient values are not tracked, so they cannot have a dispose hook',
    )
  }
  if (registration.fromScope && lifetime !== 'scoped') {
    throw new RegistrationError(
      name,
      'fromScope() is only for scoped registrations',
    )
  }
  const dependsOn: unknown = registration.dependsOn
  if (!isStringArray(dependsOn)) {
    throw new RegistrationError(
      name,
      'dependsOn must be an array of registered names',
    )
  }
  for (const dependency of dependsOn) {
    const target = existing.get(dependency)
    if (target === undefined || dependency === name) {
      throw new RegistrationError(
        name,
        `dependsOn names "${String(dependency)}", which is not registered before it`,
      )
    }
    if (lifetime === 'singleton' && target.lifetime === 'scoped') {
      throw new LifetimeViolationError(
        name,
        lifetime,
        dependency,
        target.lifetime,
        [name, dependency],
      )
    }
  }
  return Object.freeze({
    ...registration,
    dependsOn: Object.freeze([...dependsOn]),
  })
}

function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}
