import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from './free-port.js'

/** Path of the built service entry point (`apps/server/dist/main.js`). */
const SERVICE_MAIN = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'apps',
  'server',
  'dist',
  'main.js',
)

/** How a service process is started. */
export interface ServiceOptions {
  /** DuckDB file of the service (`DUCKDB_PATH`). */
  readonly databasePath: string
  /** Bearer token of writes and `/admin/*` (`DUCKKIT_ADMIN_TOKEN`). */
  readonly token: string
  /** Further environment variables (`REDIS_URL`, `DUCKKIT_CHAOS`, pool settings, ...). */
  readonly env?: Readonly<Record<string, string>>
  /** How long to wait for `/health/ready` to answer 200, in milliseconds. */
  readonly readyTimeoutMs?: number
}

/** How a service process ended. */
export interface ServiceExit {
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null
  /** The signal that ended it, or null. */
  readonly signal: NodeJS.Signals | null
}

/** One parsed pino log line of the service. */
export type LogEntry = Readonly<Record<string, unknown>>

const MAX_OUTPUT = 1_000_000

/** A running `node apps/server/dist/main.js` on a loopback port, with its logs. */
export class ServiceProcess {
  /** Base URL, such as `http://127.0.0.1:41234`. */
  readonly url: string
  /** The bearer token the service accepts. */
  readonly token: string
  /** Resolves once the process ended. */
  readonly exited: Promise<ServiceExit>
  readonly #child: ChildProcess
  readonly #logs: LogEntry[] = []
  #output = ''
  #exit: ServiceExit | undefined

  private constructor(child: ChildProcess, url: string, token: string) {
    this.#child = child
    this.url = url
    this.token = token
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal }
        resolve(this.#exit)
      })
    })
    let pending = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString()
      this.#append(text)
      pending += text
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        if (!line.startsWith('{')) continue
        try {
          this.#logs.push(JSON.parse(line) as LogEntry)
        } catch {
          // Not JSON: kept in the raw output only.
        }
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => this.#append(chunk.toString()))
  }

  /** Starts the service on a free loopback port and waits until `/health/ready` answers 200. */
  static async start(options: ServiceOptions): Promise<ServiceProcess> {
    const port = await freePort()
    const child = spawn(process.execPath, [SERVICE_MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DUCKDB_PATH: options.databasePath,
        DUCKKIT_ADMIN_TOKEN: options.token,
        DUCKKIT_SHUTDOWN_TIMEOUT_MS: '5000',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const service = new ServiceProcess(
      child,
      `http://127.0.0.1:${port}`,
      options.token,
    )
    await service.#waitReady(options.readyTimeoutMs ?? 30_000)
    return service
  }

  /** Process id. */
  get pid(): number {
    return this.#child.pid ?? -1
  }

  /** How the process ended, or undefined while it runs. */
  get exit(): ServiceExit | undefined {
    return this.#exit
  }

  /** Every JSON log line so far. */
  logs(): readonly LogEntry[] {
    return this.#logs
  }

  /** Log lines at level error or above (pino level >= 50). */
  errorLogs(): readonly LogEntry[] {
    return this.#logs.filter(
      (entry) => typeof entry.level === 'number' && entry.level >= 50,
    )
  }

  /** The `request failed` lines of 500 answers (`E_INTERNAL`: an error the service did not map). */
  internalErrors(): readonly LogEntry[] {
    return this.#logs.filter(
      (entry) => entry.msg === 'request failed' && entry.code === 'E_INTERNAL',
    )
  }

  /** Raw standard output and error so far (the last megabyte). */
  output(): string {
    return this.#output
  }

  /** Resident set size of the process in bytes, from `/proc/<pid>/status`. */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8')
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    if (match?.[1] === undefined) throw new Error('VmRSS not found')
    return Number(match[1]) * 1024
  }

  /** Sends a signal and waits until the process ended. */
  async kill(signal: NodeJS.Signals): Promise<ServiceExit> {
    if (this.#exit !== undefined) return this.#exit
    this.#child.kill(signal)
    return this.exited
  }

  /** Stops gracefully (SIGTERM); after `timeoutMs` without exit, SIGKILL. */
  async stop(timeoutMs = 15_000): Promise<ServiceExit> {
    if (this.#exit !== undefined) return this.#exit
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs)
    try {
      return await this.kill('SIGTERM')
    } finally {
      clearTimeout(timer)
    }
  }

  #append(text: string): void {
    this.#output += text
    if (this.#output.length > MAX_OUTPUT)
      this.#output = this.#output.slice(-MAX_OUTPUT)
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (this.#exit !== undefined) {
        throw new Error(
          `the service exited (${JSON.stringify(this.#exit)}) before it was ready:\n${this.#output}`,
        )
      }
      try {
        const response = await fetch(`${this.url}/health/ready`, {
          signal: AbortSignal.timeout(1000),
        })
        await response.arrayBuffer()
        if (response.status === 200) return
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        this.#child.kill('SIGKILL')
        throw new Error(
          `the service was not ready within ${timeoutMs} ms:\n${this.#output}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
