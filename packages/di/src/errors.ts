import type { Lifetime } from './lifetime.js'

const BRAND = Symbol.for('@duckkit/di/DiError')

/** Every stable code a `@duckkit/di` error carries. */
export const DiErrorCodes = {
  /** {@link RegistrationError}. */
  registration: 'E_DI_REGISTRATION',
  /** {@link LifetimeViolationError}. */
  lifetimeViolation: 'E_DI_LIFETIME_VIOLATION',
  /** {@link ScopeRequiredError}. */
  scopeRequired: 'E_DI_SCOPE_REQUIRED',
  /** {@link ScopeValueMissingError}. */
  scopeValueMissing: 'E_DI_SCOPE_VALUE_MISSING',
  /** {@link ResolutionError}. */
  resolution: 'E_DI_RESOLUTION',
  /** {@link ContainerStateError}. */
  containerState: 'E_DI_CONTAINER_STATE',
  /** {@link StartError}. */
  startFailed: 'E_DI_START_FAILED',
  /** {@link DisposalError}. */
  disposeFailed: 'E_DI_DISPOSE_FAILED',
  /** {@link ConfigError}. */
  config: 'E_DI_CONFIG',
} as const

/** One of the codes in {@link DiErrorCodes}. */
export type DiErrorCode = (typeof DiErrorCodes)[keyof typeof DiErrorCodes]

/** Base class of the errors this package raises; each has a stable `code`. */
export class DiError extends Error {
  /** Stable machine-readable code. */
  readonly code: DiErrorCode
  /** Marks instances so guards work across copies of this package. */
  readonly [BRAND] = true

  constructor(code: DiErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'DiError'
    this.code = code
  }
}

/** Whether a value is an error of this package (any code), from any copy of it. */
export function isDiError(value: unknown): value is DiError | DisposalError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  )
}

/** A registration or override was rejected (duplicate or unknown name, bad hook). */
export class RegistrationError extends DiError {
  /** Name of the registration. */
  readonly registration: string
  constructor(registration: string, reason: string) {
    super(
      DiErrorCodes.registration,
      `Cannot register "${registration}": ${reason}`,
    )
    this.name = 'RegistrationError'
    this.registration = registration
  }
}

/** A longer-lived registration depends on a shorter-lived one (a singleton on a scoped value). */
export class LifetimeViolationError extends DiError {
  /** The longer-lived registration that asked for the dependency. */
  readonly dependent: string
  /** Lifetime of the dependent. */
  readonly dependentLifetime: Lifetime
  /** The shorter-lived registration it reached. */
  readonly dependency: string
  /** Lifetime of the dependency. */
  readonly dependencyLifetime: Lifetime
  /** Resolution path from the first resolved name to the dependency. */
  readonly path: readonly string[]
  constructor(
    dependent: string,
    dependentLifetime: Lifetime,
    dependency: string,
    dependencyLifetime: Lifetime,
    path: readonly string[],
  ) {
    super(
      DiErrorCodes.lifetimeViolation,
      `${dependentLifetime} "${dependent}" depends on ${dependencyLifetime} "${dependency}" ` +
        `(${path.join(' -> ')}): a ${dependentLifetime} outlives a scope and would keep ` +
        `one scope's value; make "${dependent}" scoped or stop depending on "${dependency}"`,
    )
    this.name = 'LifetimeViolationError'
    this.dependent = dependent
    this.dependentLifetime = dependentLifetime
    this.dependency = dependency
    this.dependencyLifetime = dependencyLifetime
    this.path = path
  }
}

/** A scoped registration was resolved from the root container instead of a scope. */
export class ScopeRequiredError extends DiError {
  /** Name of the scoped registration. */
  readonly registration: string
  /** Resolution path that reached it. */
  readonly path: readonly string[]
  constructor(registration: string, path: readonly string[]) {
    super(
      DiErrorCodes.scopeRequired,
      `scoped "${registration}" was resolved outside a scope (${path.join(' -> ')}); ` +
        'resolve it from container.createScope()',
    )
    this.name = 'ScopeRequiredError'
    this.registration = registration
    this.path = path
  }
}

/** A scope value declared with `fromScope()` was not passed to `createScope()`. */
export class ScopeValueMissingError extends DiError {
  /** Name of the missing scope value. */
  readonly registration: string
  constructor(registration: string) {
    super(
      DiErrorCodes.scopeValueMissing,
      `scope value "${registration}" was not provided; pass it as createScope({ ${registration}: ... })`,
    )
    this.name = 'ScopeValueMissingError'
    this.registration = registration
  }
}

/** Awilix could not resolve a name (not registered, or a dependency cycle). */
export class ResolutionError extends DiError {
  /** The name that was being resolved. */
  readonly registration: string
  constructor(registration: string, cause: unknown) {
    super(
      DiErrorCodes.resolution,
      `Cannot resolve "${registration}": ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    )
    this.name = 'ResolutionError'
    this.registration = registration
  }
}

/** An operation is not allowed in the container's or scope's current state. */
export class ContainerStateError extends DiError {
  /** The operation that was refused, such as `'resolve'`. */
  readonly operation: string
  /** The state that refused it, such as `'disposed'`. */
  readonly state: string
  constructor(operation: string, state: string, hint = '') {
    super(
      DiErrorCodes.containerState,
      `Cannot ${operation}: the container is ${state}${hint === '' ? '' : `; ${hint}`}`,
    )
    this.name = 'ContainerStateError'
    this.operation = operation
    this.state = state
  }
}

/** `start()` failed at one step; what had started was disposed again (rolled back). */
export class StartError extends DiError {
  /** Name of the registration whose creation or start hook failed. */
  readonly step: string
  /** Whether the failure happened while creating the value or in its start hook. */
  readonly phase: 'create' | 'start'
  /** Errors raised while rolling back, if any. */
  readonly rollbackError: DisposalError | undefined
  constructor(
    step: string,
    phase: 'create' | 'start',
    cause: unknown,
    rollbackError: DisposalError | undefined,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    const rollback =
      rollbackError === undefined
        ? ''
        : `; rollback also failed: ${rollbackError.message}`
    super(
      DiErrorCodes.startFailed,
      `start failed at step "${step}" (${phase}): ${reason}${rollback}`,
      cause,
    )
    this.name = 'StartError'
    this.step = step
    this.phase = phase
    this.rollbackError = rollbackError
  }
}

/** One dispose hook that threw. */
export interface DisposalFailure {
  /** Name of the registration whose dispose hook threw. */
  readonly registration: string
  /** What it threw. */
  readonly error: unknown
}

/** One or more dispose hooks threw; every hook still ran, and `errors` holds what each threw. */
export class DisposalError extends AggregateError {
  /** Stable machine-readable code. */
  readonly code = DiErrorCodes.disposeFailed
  /** Which registration threw what, in the order the hooks ran. */
  readonly failures: readonly DisposalFailure[]
  /** Marks instances so guards work across copies of this package. */
  readonly [BRAND] = true

  constructor(failures: readonly DisposalFailure[]) {
    const list = failures
      .map(
        (f) =>
          `${f.registration} (${f.error instanceof Error ? f.error.message : String(f.error)})`,
      )
      .join(', ')
    super(
      failures.map((f) => f.error),
      `dispose failed for ${failures.length} registration(s): ${list}`,
    )
    this.name = 'DisposalError'
    this.failures = failures
  }
}

/** One configuration value that failed validation. */
export interface ConfigIssue {
  /** The field of the config object, such as `'poolMax'`. */
  readonly field: string
  /** The environment variable it was read from, when it came from the environment. */
  readonly variable: string | undefined
  /** The offending value as given. */
  readonly value: unknown
  /** What is allowed, in words. */
  readonly allowed: string
}

/** The service configuration is invalid; `issues` lists every bad field or variable. */
export class ConfigError extends DiError {
  /** Every problem found, not only the first. */
  readonly issues: readonly ConfigIssue[]
  constructor(issues: readonly ConfigIssue[]) {
    const list = issues
      .map(
        (i) =>
          `${i.variable ?? i.field}=${showValue(i.value)} (expected ${i.allowed})`,
      )
      .join('; ')
    super(DiErrorCodes.config, `Invalid configuration: ${list}`)
    this.name = 'ConfigError'
    this.issues = issues
  }
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value)
    } catch {
      return 'an object'
    }
  }
  return String(value)
}

function guard<T>(code: DiErrorCode) {
  return (value: unknown): value is T => isDiError(value) && value.code === code
}

/** Whether a value is a {@link RegistrationError}, from any copy of this package. */
export const isRegistrationError = guard<RegistrationError>(
  DiErrorCodes.registration,
)
/** Whether a value is a {@link LifetimeViolationError}, from any copy of this package. */
export const isLifetimeViolationError = guard<LifetimeViolationError>(
  DiErrorCodes.lifetimeViolation,
)
/** Whether a value is a {@link ScopeRequiredError}, from any copy of this package. */
export const isScopeRequiredError = guard<ScopeRequiredError>(
  DiErrorCodes.scopeRequired,
)
/** Whether a value is a {@link ScopeValueMissingError}, from any copy of this package. */
export const isScopeValueMissingError = guard<ScopeValueMissingError>(
  DiErrorCodes.scopeValueMissing,
)
/** Whether a value is a {@link ResolutionError}, from any copy of this package. */
export const isResolutionError = guard<ResolutionError>(DiErrorCodes.resolution)
/** Whether a value is a {@link ContainerStateError}, from any copy of this package. */
export const isContainerStateError = guard<ContainerStateError>(
  DiErrorCodes.containerState,
)
/** Whether a value is a {@link StartError}, from any copy of this package. */
export const isStartError = guard<StartError>(DiErrorCodes.startFailed)
/** Whether a value is a {@link DisposalError}, from any copy of this package. */
export const isDisposalError = guard<DisposalError>(DiErrorCodes.disposeFailed)
/** Whether a value is a {@link ConfigError}, from any copy of this package. */
export const isConfigError = guard<ConfigError>(DiErrorCodes.config)
