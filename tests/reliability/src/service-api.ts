import { HttpClient, type HttpResponse } from './http-client.js'

/** A stored model configuration, as the API answers it. */
export interface ModelConfig {
  readonly usageType: string
  readonly priority: number
  readonly modelId: string
  readonly modelName: string
  readonly provider: string
  readonly parameters: Readonly<Record<string, unknown>>
  readonly enabled: boolean
  readonly createdAt: string
  readonly updatedAt: string
}

/** Body of an upsert or of one chain entry. */
export interface ConfigBody {
  readonly modelId: string
  readonly modelName: string
  readonly provider: string
  readonly parameters?: Readonly<Record<string, unknown>>
  readonly enabled?: boolean
}

/** What `POST /admin/chaos` takes. */
export interface ChaosSettings {
  readonly rate: number
  readonly kinds: readonly (
    'conflict' | 'io' | 'timeout' | 'fatal' | 'latency'
  )[]
  readonly latencyMs?: number | readonly [number, number]
  readonly durationMs: number
  readonly seed?: number
}

/** The parts of `/stats/pool` the scenarios read. */
export interface PoolStats {
  readonly size: number
  readonly idle: number
  readonly inUse: number
  readonly waiting: number
  readonly max: number
  readonly timeouts: number
  readonly queueFull: number
  readonly leaks: number
}

/** The parts of `/stats/cache` the scenarios read. */
export interface CacheStats {
  readonly hits: number
  readonly misses: number
  /** Reads that skipped the cache (the bus was not trusted or an invalidation waited for Redis). */
  readonly bypassed: number
  readonly hitRate: number
  readonly l1: { readonly hits: number; readonly misses: number }
  readonly l2: {
    readonly enabled: boolean
    readonly hits: number
    readonly misses: number
    readonly errors: number
    readonly breaker: string
  }
  readonly bus: { readonly trusted: boolean; readonly deferred: boolean }
}

/** The parts of `/stats/transactions` the scenarios read. */
export interface TransactionStats {
  readonly active: number
  readonly started: number
  readonly committed: number
  readonly rolledBack: number
}

/** `/health/*` answers. */
export interface Health {
  readonly status: 'ok' | 'degraded' | 'down'
  readonly reasons: readonly string[]
  readonly breaker?: { readonly state: string; readonly retryAfterMs: number }
}

/** Typed calls to the DuckKit service's API, over one {@link HttpClient}. */
export class ServiceApi {
  /** The underlying client (for raw requests). */
  readonly http: HttpClient
  readonly #auth: Readonly<Record<string, string>>

  /** Talks to `baseUrl` with the bearer `token`. */
  constructor(
    baseUrl: string,
    token: string,
    options: { maxSockets?: number; timeoutMs?: number } = {},
  ) {
    this.http = new HttpClient(baseUrl, options)
    this.#auth = { authorization: `Bearer ${token}` }
  }

  /** The authorization header. */
  get auth(): Readonly<Record<string, string>> {
    return this.#auth
  }

  /** `PUT /v1/model-configs/{usageType}/{priority}`. */
  upsert(
    usageType: string,
    priority: number,
    body: ConfigBody,
  ): Promise<HttpResponse> {
    return this.http.json(
      'PUT',
      `/v1/model-configs/${usageType}/${priority}`,
      body,
      this.#auth,
    )
  }

  /** `PUT /v1/model-configs/{usageType}` (replace the whole chain). */
  replaceChain(
    usageType: string,
    entries: readonly ConfigBody[],
  ): Promise<HttpResponse> {
    return this.http.json(
      'PUT',
      `/v1/model-configs/${usageType}`,
      { entries },
      this.#auth,
    )
  }

  /** `GET` of a path. */
  get(path: string): Promise<HttpResponse> {
    return this.http.send({ method: 'GET', path })
  }

  /** Every configuration (`GET /v1/model-configs`). */
  all(): Promise<readonly ModelConfig[]> {
    return this.http.getJson('/v1/model-configs')
  }

  /** `/stats/pool`. */
  poolStats(): Promise<PoolStats> {
    return this.http.getJson('/stats/pool')
  }

  /** `/stats/cache`. */
  cacheStats(): Promise<CacheStats> {
    return this.http.getJson('/stats/cache')
  }

  /** `/stats/transactions`. */
  transactionStats(): Promise<TransactionStats> {
    return this.http.getJson('/stats/transactions')
  }

  /** A health endpoint (`ready`, `database`, `cache`), whatever its status code. */
  async health(which: 'ready' | 'database' | 'cache'): Promise<Health> {
    const response = await this.get(`/health/${which}`)
    return JSON.parse(response.body) as Health
  }

  /** Turns fault injection on (`POST /admin/chaos`). */
  async enableChaos(settings: ChaosSettings): Promise<void> {
    const response = await this.http.json(
      'POST',
      '/admin/chaos',
      settings,
      this.#auth,
    )
    if (response.status !== 200)
      throw new Error(`POST /admin/chaos: ${response.status} ${response.body}`)
  }

  /** Turns fault injection off and resolves its counters (`DELETE /admin/chaos`). */
  async disableChaos(): Promise<{ injected: number; checks: number }> {
    const response = await this.http.send({
      method: 'DELETE',
      path: '/admin/chaos',
      headers: this.#auth,
    })
    if (response.status !== 200)
      throw new Error(
        `DELETE /admin/chaos: ${response.status} ${response.body}`,
      )
    return JSON.parse(response.body) as { injected: number; checks: number }
  }

  /** Closes idle connections. */
  close(): void {
    this.http.close()
  }
}
