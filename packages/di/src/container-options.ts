import { InvalidOptionError, type Logger } from '@duckkit/resilience'
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

const LOG_METHODS = ['debug', 'info', 'warn', 'error'] as const

/** Fills in defaults and validates; throws `InvalidOptionError` naming the bad field. */
export function resolveContainerOptions(
  options: ContainerOptions = {},
): ResolvedContainerOptions {
  const logger = options.logger ?? noopLogger
  for (const method of LOG_METHODS) {
    if (
      typeof (logger as unknown as Record<string, unknown>)[method] !==
      'function'
    ) {
      throw new InvalidOptionError(
        'logger',
        logger,
        `an object with ${LOG_METHODS.join('/')} methods (pino's shape)`,
      )
    }
  }
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
