import type { Logger, LogMethod } from '@duckkit/resilience'

/** A logger that may make children with bound fields (pino's `child`). */
interface ParentLogger extends Logger {
  child?: (bindings: Record<string, unknown>) => Logger
}

/**
 * A logger for one request: `logger.child({ requestId })` when the logger
 * has pino's `child`, else a wrapper that adds `requestId` to every entry.
 */
export function requestLogger(logger: Logger, requestId: string): Logger {
  const parent = logger as ParentLogger
  if (typeof parent.child === 'function') return parent.child({ requestId })
  const bind =
    (method: LogMethod): LogMethod =>
    (objOrMsg: object | string, msg?: string) => {
      if (typeof objOrMsg === 'string') method({ requestId }, objOrMsg)
      else method({ ...objOrMsg, requestId }, msg)
    }
  return {
    debug: bind(logger.debug.bind(logger)),
    info: bind(logger.info.bind(logger)),
    warn: bind(logger.warn.bind(logger)),
    error: bind(logger.error.bind(logger)),
  }
}
