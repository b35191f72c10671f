import {
  isConfigError,
  resolveServiceConfig,
  SERVICE_CONFIG_FIELDS,
  type ServiceConfig,
  type ServiceConfigInput,
} from '@duckkit/di'
import { type ConfigIssue, ServerConfigError } from './config-error.js'

/** Log levels pino accepts. */
const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const

/**
 * Defaults of the service that differ from the container's: a DuckDB file
 * under `./data/` (relative to the working directory) instead of an
 * in-memory database, and no process-wide `getDuckDBClient()`.
 */
const SERVICE_DEFAULTS: ServiceConfigInput = {
  databasePath: './data/duckkit.duckdb',
  installGlobalClient: false,
}

/** The service configuration, read from the environment by {@link loadConfig}. */
export interface ServerConfig {
  /** Interface to listen on (`HOST`). @default '127.0.0.1' */
  readonly host: string
  /** Port to listen on; `0` picks a free one (`PORT`). @default 3000 */
  readonly port: number
  /** Bearer token that authorizes writes (`DUCKKIT_ADMIN_TOKEN`, 16 to 512 characters). @default undefined (one is generated and logged at start) */
  readonly adminToken: string | undefined
  /** Whether `/admin/chaos` is available (`DUCKKIT_CHAOS=1`). @default false */
  readonly chaos: boolean
  /** Largest request body accepted, in bytes (`DUCKKIT_BODY_LIMIT`). @default 1048576 */
  readonly bodyLimitBytes: number
  /** How long shutdown waits for in-flight requests before closing their connections (`DUCKKIT_SHUTDOWN_TIMEOUT_MS`). @default 10000 */
  readonly shutdownTimeoutMs: number
  /** Log level (`LOG_LEVEL`). @default 'info' */
  readonly logLevel:
    'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** The container's configuration (`DUCKDB_PATH`, `DUCKKIT_POOL_MAX`, `REDIS_URL`, ...; see `@duckkit/di`). */
  readonly services: ServiceConfig
}

/**
 * Reads and validates the configuration from environment variables: the
 * server's own and the container's. Unset and empty variables take their
 * defaults; every bad one is reported at once in a {@link ServerConfigError}
 * that names it.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServerConfig {
  const issues: ConfigIssue[] = []
  const read = (variable: string): string | undefined => {
    const value = env[variable]
    return value === undefined || value.trim() === '' ? undefined : value.trim()
  }
  const integer = (
    variable: string,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    const raw = read(variable)
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      issues.push({
        variable,
        value: raw,
        allowed: `an integer from ${min} to ${max}`,
      })
      return fallback
    }
    return value
  }

  const host = read('HOST') ?? '127.0.0.1'
  const port = integer('PORT', 3000, 0, 65_535)

  const adminToken = read('DUCKKIT_ADMIN_TOKEN')
  if (adminToken !== undefined && !/^[\x21-\x7e]{16,512}$/.test(adminToken)) {
    issues.push({
      variable: 'DUCKKIT_ADMIN_TOKEN',
      value: '(hidden)',
      allowed: '16 to 512 printable ASCII characters without spaces',
    })
  }

  const chaosRaw = read('DUCKKIT_CHAOS')
  let chaos = false
  if (chaosRaw !== undefined) {
    if (['1', 'true', 'on', 'yes'].includes(chaosRaw.toLowerCase()))
      chaos = true
    else if (!['0', 'false', 'off', 'no'].includes(chaosRaw.toLowerCase())) {
      issues.push({
        variable: 'DUCKKIT_CHAOS',
        value: chaosRaw,
        allowed: '1 or 0',
      })
    }
  }

  const bodyLimitBytes = integer(
    'DUCKKIT_BODY_LIMIT',
    1_048_576,
    1024,
    104_857_600,
  )
  const shutdownTimeoutMs = integer(
    'DUCKKIT_SHUTDOWN_TIMEOUT_MS',
    10_000,
    0,
    600_000,
  )

  const logLevelRaw = read('LOG_LEVEL') ?? 'info'
  const logLevel = LOG_LEVELS.find(
    (level) => level === logLevelRaw.toLowerCase(),
  )
  if (logLevel === undefined) {
    issues.push({
      variable: 'LOG_LEVEL',
      value: logLevelRaw,
      allowed: LOG_LEVELS.join(', '),
    })
  }

  let services: ServiceConfig | undefined
  try {
    services = resolveServiceConfig(serviceDefaults(env), env)
  } catch (error) {
    if (!isConfigError(error)) throw error
    for (const issue of error.issues) {
      issues.push({
        variable: issue.variable ?? issue.field,
        value:
          typeof issue.value === 'string'
            ? issue.value
            : (JSON.stringify(issue.value) ?? String(issue.value)),
        allowed: issue.allowed,
      })
    }
  }

  if (issues.length > 0 || services === undefined)
    throw new ServerConfigError(issues)
  return {
    host,
    port,
    adminToken,
    chaos,
    bodyLimitBytes,
    shutdownTimeoutMs,
    logLevel: logLevel ?? 'info',
    services,
  }
}

/** The service's own defaults, for the fields whose variable is not set (set variables win). */
function serviceDefaults(
  env: Readonly<Record<string, string | undefined>>,
): ServiceConfigInput {
  const defaults: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(SERVICE_DEFAULTS)) {
    const variable = SERVICE_CONFIG_FIELDS[field as keyof ServiceConfig].env
    if ((env[variable] ?? '').trim() === '') defaults[field] = value
  }
  return defaults
}
