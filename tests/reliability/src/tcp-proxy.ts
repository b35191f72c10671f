import {
  createConnection,
  createServer,
  type Server,
  type Socket,
} from 'node:net'

/**
 * What the proxy does with traffic: forward it, reset every connection (as a
 * crashed or restarting server does), or stall it (as a partitioned network
 * does: bytes wait in the socket buffers and flow again once it heals).
 */
export type ProxyMode = 'forward' | 'reset' | 'blackhole'

/** Counters of a {@link TcpProxy}. */
export interface ProxyStats {
  /** Connections accepted. */
  readonly accepted: number
  /** Connections reset by `reset` mode. */
  readonly reset: number
  /** Bytes forwarded client to server. */
  readonly bytesUp: number
  /** Bytes forwarded server to client. */
  readonly bytesDown: number
}

interface Pair {
  readonly client: Socket
  upstream: Socket | undefined
}

/** A loopback TCP proxy in front of one server, which a test can cut and restore. */
export class TcpProxy {
  readonly #target: { host: string; port: number }
  readonly #server: Server
  readonly #pairs = new Set<Pair>()
  #mode: ProxyMode = 'forward'
  #accepted = 0
  #reset = 0
  #bytesUp = 0
  #bytesDown = 0

  private constructor(target: { host: string; port: number }) {
    this.#target = target
    this.#server = createServer((client) => this.#accept(client))
  }

  /** Starts a proxy to `host:port` on a free loopback port. */
  static async start(host: string, port: number): Promise<TcpProxy> {
    const proxy = new TcpProxy({ host, port })
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject)
      proxy.#server.listen(0, '127.0.0.1', () => resolve())
    })
    return proxy
  }

  /** The port the proxy listens on. */
  get port(): number {
    const address = this.#server.address()
    return typeof address === 'object' && address !== null ? address.port : 0
  }

  /** The current mode. */
  get mode(): ProxyMode {
    return this.#mode
  }

  /** Counters so far. */
  stats(): ProxyStats {
    return {
      accepted: this.#accepted,
      reset: this.#reset,
      bytesUp: this.#bytesUp,
      bytesDown: this.#bytesDown,
    }
  }

  /**
   * Switches the mode. `reset` destroys every open connection at once and
   * every new one on arrival; `blackhole` stops reading from both sides of
   * every connection (new ones are accepted and not connected upstream), so
   * nothing is answered; `forward` connects and resumes them.
   */
  setMode(mode: ProxyMode): void {
    this.#mode = mode
    for (const pair of [...this.#pairs]) {
      if (mode === 'reset') {
        this.#destroy(pair)
      } else if (mode === 'blackhole') {
        pair.client.pause()
        pair.upstream?.pause()
      } else {
        if (pair.upstream === undefined) this.#connect(pair)
        pair.client.resume()
        pair.upstream?.resume()
      }
    }
  }

  /** Stops listening and destroys every connection. */
  async close(): Promise<void> {
    for (const pair of this.#pairs) this.#destroy(pair)
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #accept(client: Socket): void {
    this.#accepted += 1
    client.on('error', () => undefined)
    const pair: Pair = { client, upstream: undefined }
    if (this.#mode === 'reset') {
      this.#reset += 1
      client.resetAndDestroy()
      return
    }
    this.#pairs.add(pair)
    client.on('close', () => this.#destroy(pair))
    if (this.#mode === 'blackhole') {
      // Connected upstream only once the network heals.
      client.pause()
      return
    }
    this.#connect(pair)
  }

  #connect(pair: Pair): void {
    const upstream = createConnection(this.#target)
    pair.upstream = upstream
    upstream.on('error', () => this.#destroy(pair))
    upstream.on('close', () => this.#destroy(pair))
    pair.client.on('data', (chunk: Buffer) => {
      this.#bytesUp += chunk.length
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      this.#bytesDown += chunk.length
      pair.client.write(chunk)
    })
  }

  #destroy(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return
    if (this.#mode === 'reset') {
      this.#reset += 1
      if (!pair.client.destroyed) pair.client.resetAndDestroy()
    } else {
      pair.client.destroy()
    }
    pair.upstream?.destroy()
  }
}
