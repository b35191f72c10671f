import { Agent, request as httpRequest } from 'node:http'
import { performance } from 'node:perf_hooks'

/** One HTTP request. */
export interface HttpRequest {
  /** Method, such as `GET`. */
  readonly method: string
  /** Path and query, such as `/v1/model-configs/chat_deep/active`. */
  readonly path: string
  /** Request headers. */
  readonly headers?: Readonly<Record<string, string>>
  /** Body, sent as is. */
  readonly body?: string | Buffer
  /** Give up (and count as hung) after this many milliseconds. @default the client's */
  readonly timeoutMs?: number
}

/** The answer to one {@link HttpRequest}. */
export interface HttpResponse {
  /** Status code. */
  readonly status: number
  /** Response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** Body as UTF-8 text. */
  readonly body: string
  /** Time from sending to the last byte, in milliseconds. */
  readonly ms: number
  /** When the request was sent (`performance.now()`). */
  readonly startedAt: number
  /** When the answer was complete (`performance.now()`). */
  readonly endedAt: number
}

/** Raised when a request got no complete answer in time. */
class HttpTimeoutError extends Error {
  /** Stable code. */
  readonly code = 'E_HTTP_TIMEOUT'

  /** `request` is `METHOD path`; `timeoutMs` the deadline that passed. */
  constructor(
    readonly request: string,
    readonly timeoutMs: number,
  ) {
    super(`${request}: no answer within ${timeoutMs} ms`)
    this.name = 'HttpTimeoutError'
  }
}

/** A keep-alive HTTP/1.1 client of one base URL, measuring every request. */
export class HttpClient {
  readonly #host: string
  readonly #port: number
  readonly #agent: Agent
  readonly #timeoutMs: number

  /** `baseUrl` is `http://host:port`; `maxSockets` bounds the connections. */
  constructor(
    baseUrl: string,
    options: { maxSockets?: number; timeoutMs?: number } = {},
  ) {
    const url = new URL(baseUrl)
    this.#host = url.hostname
    this.#port = Number(url.port)
    this.#agent = new Agent({
      keepAlive: true,
      maxSockets: options.maxSockets ?? 64,
    })
    this.#timeoutMs = options.timeoutMs ?? 30_000
  }

  /** Sends one request and resolves its answer; rejects on a network error or {@link HttpTimeoutError}. */
  send(req: HttpRequest): Promise<HttpResponse> {
    const timeoutMs = req.timeoutMs ?? this.#timeoutMs
    const startedAt = performance.now()
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...req.headers }
      if (req.body !== undefined)
        headers['content-length'] = Buffer.byteLength(req.body)
      const outgoing = httpRequest(
        {
          host: this.#host,
          port: this.#port,
          method: req.method,
          path: req.path,
          headers,
          agent: this.#agent,
        },
        (incoming) => {
          const chunks: Buffer[] = []
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
          incoming.on('error', reject)
          incoming.on('end', () => {
            clearTimeout(timer)
            const endedAt = performance.now()
            resolve({
              status: incoming.statusCode ?? 0,
              headers: incoming.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              ms: endedAt - startedAt,
              startedAt,
              endedAt,
            })
          })
        },
      )
      const timer = setTimeout(() => {
        outgoing.destroy(
          new HttpTimeoutError(`${req.method} ${req.path}`, timeoutMs),
        )
      }, timeoutMs)
      outgoing.on('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      outgoing.end(req.body)
    })
  }

  /** Sends a request with a JSON body (and the content type). */
  json(
    method: string,
    path: string,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<HttpResponse> {
    return this.send({
      method,
      path,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
  }

  /** GET and parse the JSON body (throws unless the status is 200). */
  async getJson<T>(path: string): Promise<T> {
    const response = await this.send({ method: 'GET', path })
    if (response.status !== 200) {
      throw new Error(`GET ${path}: ${response.status} ${response.body}`)
    }
    return JSON.parse(response.body) as T
  }

  /** Closes the idle keep-alive connections. */
  close(): void {
    this.#agent.destroy()
  }
}
