import { createServer, type Server, type Socket, connect } from 'node:net'

/** A TCP proxy in front of Redis that a test can cut and restore. */
export interface TcpProxy {
  /** Port the proxy listens on. */
  readonly port: number
  /** Destroys every connection and refuses new ones until `restore`. */
  cut(): void
  /** Accepts connections again. */
  restore(): void
  /** Stops the proxy. */
  close(): Promise<void>
}

/** Starts a proxy on a free port that forwards to `host:port`. */
export async function startProxy(
  host: string,
  port: number,
): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let open = true
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy()
      return
    }
    const upstream = connect(port, host)
    sockets.add(client)
    sockets.add(upstream)
    const drop = (): void => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', drop)
    upstream.on('error', drop)
    client.on('close', drop)
    upstream.on('close', drop)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string')
    throw new Error('no port')
  return {
    port: address.port,
    cut() {
      open = false
      for (const socket of sockets) socket.destroy()
      sockets.clear()
    },
    restore() {
      open = true
    },
    close() {
      open = false
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
