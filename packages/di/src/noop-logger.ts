import type { Logger } from '@duckkit/resilience'

const ignore = (): void => undefined

/** A logger with pino's method shape that drops everything; the default when none is given. */
export const noopLogger: Logger = Object.freeze({
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
})
