import { ConfigError, type ConfigIssue } from './errors.js'

/** Configuration of {@link createServiceContainer}, every field filled in and validated. */
export interface ServiceConfig {
  /** Database path: `:memory:`, a file, or any path `DuckDBInstance.create` accepts (`md:...`). */
  readonly databasePath: string
  /** DuckDB `threads` setting, or `undefined` for DuckDB's default. */
  readonly duckdbThreads: number | undefined
  /** DuckDB `memory_limit` setting (such as `'2GB'`), or `undefined` for DuckDB's default. */
  readonly duckdbMemoryLimit: string | undefined
  /** Connections the pool opens at start. */
  readonly poolMin: number
  /** Most connections the pool opens, or `undefined` for db-pool's default (cores and libuv threads). */
  readonly poolMax: number | undefined
  /** How long an acquire waits for a connection, in milliseconds. */
  readonly acquireTimeoutMs: number
  /** Default statement deadline in milliseconds (`0` disables it). */
  readonly statementTimeoutMs: number
  /** Redis URL for the cache's L2 and bus, or `undefined` for an in-process cache only. */
  readonly redisUrl: string | undefined
  /** Whether `start()` fails when Redis cannot be reached (else it starts degraded and keeps reconnecting). */
  readonly redisRequired: boolean
  /** How long the Redis start step waits for the first connection, in milliseconds. */
  readonly redisConnectTimeoutMs: number
  /** Prefix of the cache's Redis keys and channels. */
  readonly cacheNamespace: string
  /** Time to live of cached query results, in milliseconds. */
  readonly cacheTtlMs: number
  /** Most entries the in-process cache tier holds (`0` disables it). */
  readonly cacheL1MaxEntries: number
  /** Transactions open longer than this are rolled back, in milliseconds (`0` disables it). */
  readonly txMaxAgeMs: number
  /** How long the database breaker stays open before a probe, in milliseconds. */
  readonly breakerResetTimeoutMs: number
  /** Attempts of the database policy, the first one included. */
  readonly retryMaxAttempts: number
  /** Share of database calls that get an injected fault; `0` leaves the chaos injector off. */
  readonly chaosRate: number
  /** Seed of the chaos injector, to replay a run. */
  readonly chaosSeed: number | undefined
  /** Whether start seeds the default model configurations into an empty store. */
  readonly modelConfigSeed: boolean
  /** Whether start warms the cache by reading every model configuration once. */
  readonly warmUp: boolean
  /** Whether start installs the container's database as the process-wide `getDuckDBClient()`. */
  readonly installGlobalClient: boolean
}

/** What {@link resolveServiceConfig} accepts: any subset of {@link ServiceConfig}. */
export type ServiceConfigInput = {
  readonly [K in keyof ServiceConfig]?: ServiceConfig[K]
}

/** Environment variables as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>

/** Outcome of parsing one field: the value, or not acceptable. */
export type ParsedField =
  | {
      /** The value was acceptable. */
      readonly ok: true
      /** The parsed value. */
      readonly value: unknown
    }
  | {
      /** The value was not acceptable. */
      readonly ok: false
    }

/** How one configuration field is read and checked. */
export interface FieldSpec {
  /** Environment variable the field is read from. */
  readonly env: string
  /** Value used when neither the object nor the environment sets it. */
  readonly fallback: unknown
  /** What the field accepts, in words (quoted in errors). */
  readonly allowed: string
  /** Parses a value from the object (`fromEnv` false) or a variable's text (`fromEnv` true). */
  readonly parse: (value: unknown, fromEnv: boolean) => ParsedField
}

const ok = (value: unknown): ParsedField => ({ ok: true, value })
const bad: ParsedField = { ok: false }

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: unknown, fromEnv: boolean): ParsedField => {
    const n =
      fromEnv && typeof value === 'string' && /^-?\d+$/.test(value.trim())
        ? Number(value.trim())
        : value
    return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max
      ? ok(n)
      : bad
  }
}

function fraction(value: unknown, fromEnv: boolean): ParsedField {
  const n =
    fromEnv && typeof value === 'string' && value.trim() !== ''
      ? Number(value.trim())
      : value
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 1
    ? ok(n)
    : bad
}

const TRUE = new Set(['1', 'true', 'yes', 'on'])
const FALSE = new Set(['0', 'false', 'no', 'off'])

function boolean(value: unknown, fromEnv: boolean): ParsedField {
  if (typeof value === 'boolean') return ok(value)
  if (fromEnv && typeof value === 'string') {
    const flag = value.trim().toLowerCase()
    if (TRUE.has(flag)) return ok(true)
    if (FALSE.has(flag)) return ok(false)
  }
  return bad
}

function text(pattern?: RegExp) {
  return (value: unknown): ParsedField =>
    typeof value === 'string' &&
    value.trim() !== '' &&
    (pattern === undefined || pattern.test(value))
      ? ok(value.trim())
      : bad
}

function redisUrl(value: unknown): ParsedField {
  if (typeof value !== 'string' || !/^rediss?:\/\//.test(value)) return bad
  try {
    new URL(value)
    return ok(value)
  } catch {
    return bad
  }
}

const MS = 'an integer number of milliseconds'

/** Every field: its environment variable, default, what it allows and how it is parsed. */
export const SERVICE_CONFIG_FIELDS: {
  readonly [K in keyof ServiceConfig]: FieldSpec
} = {
  databasePath: {
    env: 'DUCKDB_PATH',
    fallback: ':memory:',
    allowed: 'a non-empty path',
    parse: text(),
  },
  duckdbThreads: {
    env: 'DUCKDB_THREADS',
    fallback: undefined,
    allowed: 'an integer from 1 to 1024',
    parse: integer(1, 1024),
  },
  duckdbMemoryLimit: {
    env: 'DUCKDB_MEMORY_LIMIT',
    fallback: undefined,
    allowed: "a size such as '512MB' or '2GB'",
    parse: text(/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/i),
  },
  poolMin: {
    env: 'DUCKKIT_POOL_MIN',
    fallback: 1,
    allowed: 'an integer from 0 to 10000',
    parse: integer(0, 10_000),
  },
  poolMax: {
    env: 'DUCKKIT_POOL_MAX',
    fallback: undefined,
    allowed: 'an integer from 1 to 10000',
    parse: integer(1, 10_000),
  },
  acquireTimeoutMs: {
    env: 'DUCKKIT_POOL_ACQUIRE_TIMEOUT_MS',
    fallback: 10_000,
    allowed: `${MS} >= 1`,
    parse: integer(1, 2_147_483_647),
  },
  statementTimeoutMs: {
    env: 'DUCKKIT_STATEMENT_TIMEOUT_MS',
    fallback: 30_000,
    allowed: `${MS} >= 0`,
    parse: integer(0, 2_147_483_647),
  },
  redisUrl: {
    env: 'REDIS_URL',
    fallback: undefined,
    allowed: 'a redis:// or rediss:// URL',
    parse: redisUrl,
  },
  redisRequired: {
    env: 'DUCKKIT_REDIS_REQUIRED',
    fallback: false,
    allowed: 'true or false (1/0, yes/no, on/off)',
    parse: boolean,
  },
  redisConnectTimeoutMs: {
    env: 'DUCKKIT_REDIS_CONNECT_TIMEOUT_MS',
    fallback: 2000,
    allowed: `${MS} >= 1`,
    parse: integer(1, 2_147_483_647),
  },
  cacheNamespace: {
    env: 'DUCKKIT_CACHE_NAMESPACE',
    fallback: 'duckkit',
    allowed: 'a non-empty name without braces or spaces',
    parse: text(/^[^{}\s]{1,200}$/),
  },
  cacheTtlMs: {
    env: 'DUCKKIT_CACHE_TTL_MS',
    fallback: 60_000,
    allowed: `${MS} >= 1`,
    parse: integer(1, 2_147_483_647),
  },
  cacheL1MaxEntries: {
    env: 'DUCKKIT_CACHE_L1_MAX_ENTRIES',
    fallback: 10_000,
    allowed: 'an integer >= 0',
    parse: integer(0),
  },
  txMaxAgeMs: {
    env: 'DUCKKIT_TX_MAX_AGE_MS',
    fallback: 60_000,
    allowed: `${MS} >= 0`,
    parse: integer(0, 2_147_483_647),
  },
  breakerResetTimeoutMs: {
    env: 'DUCKKIT_BREAKER_RESET_TIMEOUT_MS',
    fallback: 10_000,
    allowed: `${MS} >= 1`,
    parse: integer(1, 2_147_483_647),
  },
  retryMaxAttempts: {
    env: 'DUCKKIT_RETRY_MAX_ATTEMPTS',
    fallback: 3,
    allowed: 'an integer from 1 to 100',
    parse: integer(1, 100),
  },
  chaosRate: {
    env: 'DUCKKIT_CHAOS_RATE',
    fallback: 0,
    allowed: 'a number from 0 to 1',
    parse: fraction,
  },
  chaosSeed: {
    env: 'DUCKKIT_CHAOS_SEED',
    fallback: undefined,
    allowed: 'an integer',
    parse: integer(Number.MIN_SAFE_INTEGER),
  },
  modelConfigSeed: {
    env: 'DUCKKIT_MODEL_CONFIG_SEED',
    fallback: true,
    allowed: 'true or false (1/0, yes/no, on/off)',
    parse: boolean,
  },
  warmUp: {
    env: 'DUCKKIT_WARM_UP',
    fallback: true,
    allowed: 'true or false (1/0, yes/no, on/off)',
    parse: boolean,
  },
  installGlobalClient: {
    env: 'DUCKKIT_INSTALL_GLOBAL_CLIENT',
    fallback: true,
    allowed: 'true or false (1/0, yes/no, on/off)',
    parse: boolean,
  },
}

const FIELDS = Object.keys(SERVICE_CONFIG_FIELDS) as (keyof ServiceConfig)[]

/**
 * Builds the service configuration in one pass: values from `env` (when
 * given), then the fields of `input` on top, then defaults. Every problem is
 * collected and thrown together as one {@link ConfigError} that names each
 * bad variable (or field) and its value.
 */
export function resolveServiceConfig(
  input: ServiceConfigInput = {},
  env?: Environment,
): ServiceConfig {
  const issues: ConfigIssue[] = []
  if (typeof input !== 'object' || input === null) {
    throw new ConfigError([
      {
        field: 'config',
        variable: undefined,
        value: input,
        allowed: 'an object',
      },
    ])
  }
  for (const key of Object.keys(input)) {
    if (!(key in SERVICE_CONFIG_FIELDS)) {
      issues.push({
        field: key,
        variable: undefined,
        value: (input as Record<string, unknown>)[key],
        allowed: `a known field (${FIELDS.join(', ')})`,
      })
    }
  }
  const config: Record<string, unknown> = {}
  for (const field of FIELDS) {
    const spec = SERVICE_CONFIG_FIELDS[field]
    const given = input[field]
    const raw = env?.[spec.env]
    let value = spec.fallback
    if (given !== undefined) {
      const parsed = spec.parse(given, false)
      if (parsed.ok) value = parsed.value
      else
        issues.push({
          field,
          variable: undefined,
          value: given,
          allowed: spec.allowed,
        })
    } else if (raw !== undefined && raw.trim() !== '') {
      const parsed = spec.parse(raw, true)
      if (parsed.ok) value = parsed.value
      else
        issues.push({
          field,
          variable: spec.env,
          value: raw,
          allowed: spec.allowed,
        })
    }
    config[field] = value
  }
  const min = config.poolMin as number
  const max = config.poolMax as number | undefined
  if (
    max !== undefined &&
    min > max &&
    !issues.some((i) => i.field === 'poolMin' || i.field === 'poolMax')
  ) {
    issues.push({
      field: 'poolMin',
      variable:
        input.poolMin === undefined && env?.DUCKKIT_POOL_MIN !== undefined
          ? 'DUCKKIT_POOL_MIN'
          : undefined,
      value: min,
      allowed: `at most poolMax (${max})`,
    })
  }
  if (issues.length > 0) throw new ConfigError(issues)
  return Object.freeze(config) as unknown as ServiceConfig
}

/** Reads the service configuration from environment variables only (see {@link SERVICE_CONFIG_FIELDS}). */
export function loadServiceConfig(
  env: Environment = process.env,
): ServiceConfig {
  return resolveServiceConfig({}, env)
}
