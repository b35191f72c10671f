export { createContainer } from './container.js'
export type { Container } from './container.js'
export type {
  ContainerStats,
  EmptyRegistry,
  FreshName,
  ScopeValues,
  SingletonCradle,
  WithEntry,
} from './container-types.js'
export type { ContainerOptions } from './container-options.js'
export type { ContainerState, ScopeState } from './core.js'
export type { Scope } from './scope.js'
export type { Lifetime } from './lifetime.js'
export { fromScope } from './registration.js'
export type {
  DisposeHook,
  Factory,
  FactoryOverride,
  Override,
  ScopedOptions,
  SingletonOptions,
  StartHook,
  ValueOverride,
} from './registration.js'
export type {
  ContainerEvents,
  DisposedEvent,
  StartedEvent,
  StartFailedEvent,
} from './events.js'
export type { Listener } from '@duckkit/resilience'
export { noopLogger } from './noop-logger.js'
export {
  ConfigError,
  ContainerStateError,
  DiError,
  DiErrorCodes,
  DisposalError,
  isConfigError,
  isContainerStateError,
  isDiError,
  isDisposalError,
  isLifetimeViolationError,
  isRegistrationError,
  isResolutionError,
  isScopeRequiredError,
  isScopeValueMissingError,
  isStartError,
  LifetimeViolationError,
  RegistrationError,
  ResolutionError,
  ScopeRequiredError,
  ScopeValueMissingError,
  StartError,
} from './errors.js'
export type { ConfigIssue, DiErrorCode, DisposalFailure } from './errors.js'
export { createServiceContainer } from './create-service-container.js'
export type {
  ServiceContainer,
  ServiceContainerOptions,
  ServiceRegistry,
  ServiceScopedNames,
} from './create-service-container.js'
export {
  loadServiceConfig,
  resolveServiceConfig,
  SERVICE_CONFIG_FIELDS,
} from './service-config.js'
export type {
  Environment,
  FieldSpec,
  ParsedField,
  ServiceConfig,
  ServiceConfigInput,
} from './service-config.js'
export { createLegacyClient } from './legacy-client.js'
export type {
  LegacyClientOptions,
  StatementInvalidator,
} from './legacy-client.js'
export { installProcessClient } from './process-client.js'
