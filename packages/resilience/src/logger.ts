/** One logging method in pino's shape: an object with a message, or a message alone. */
export interface LogMethod {
  (object: object, message?: string): void
  (message: string): void
}

/** A logger with pino's method shape; DuckKit never prints on its own. */
export interface Logger {
  /** Logs at debug level. */
  debug: LogMethod
  /** Logs at info level. */
  info: LogMethod
  /** Logs at warn level. */
  warn: LogMethod
  /** Logs at error level. */
  error: LogMethod
}
