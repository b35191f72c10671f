import type { Logger } from '@duckkit/resilience'

/** One entry a {@link memoryLogger} recorded. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly obj: Record<string, unknown>
  readonly msg: string | undefined
}

/** A logger with pino's method shape that records every entry in `entries`. */
export function memoryLogger(entries: LogEntry[]): Logger {
  const method =
    (level: LogEntry['level']) =>
    (obj: object | string, msg?: string): void => {
      if (typeof obj === 'string') entries.push({ level, obj: {}, msg: obj })
      else entries.push({ level, obj: obj as Record<string, unknown>, msg })
    }
  return {
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
  }
}
