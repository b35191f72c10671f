import {
  InvalidOptionError,
  loggerOption,
  type Logger,
} from '@duckkit/resilience'
import { noopLogger } from './noop-logger.js'

/** Options of {@link createContainer}. */
export interface ContainerOptions {
  /**
   * Logger with pino's method shape for start and dispose steps.
   * @default a logger that drops everything
   */
  readonly logger?: Logger
  /**
   * Clock in milliseconds used to time start and dispose hooks.
   * @default performance.now
   */
  readonly now?: () => number
}

/** Container options with defaults filled in. */
export interface ResolvedContainerOptions {
  readonly logger: Logger
  readonly now: () => number
}

/** Fills in defaults and validates; throws `InvalidOptionError` naming the bad field. */
export function resolveContainerOptions(
  options: ContainerOptions = {},
): ResolvedContainerOptions {
  const logger = loggerOption(options.logger) ?? noopLogger
  const now = options.now ?? (() => performance.now())
  if (typeof now !== 'function') {
    throw new InvalidOptionError(
      'now',
      now,
      'a function returning milliseconds',
    )
  }
  return { logger, now }
}
