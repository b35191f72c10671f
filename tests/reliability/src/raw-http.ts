import { connect } from 'node:net'
import { performance } from 'node:perf_hooks'
import { type HttpResponse } from './http-client.js'

/** Why a raw exchange produced no complete answer. */
class RawHttpError extends Error {
  /** Stable code: `E_RAW_TIMEOUT`, `E_RAW_CLOSED` (closed before a full answer) or `E_RAW_MALFORMED`. */
  readonly code: 'E_RAW_TIMEOUT' | 'E_RAW_CLOSED' | 'E_RAW_MALFORMED'

  /** `code` says what happened; `received` is what came back, if anything. */
  constructor(
    code: RawHttpError['code'],
    message: string,
    readonly received: string,
  ) {
    super(message)
    this.name = 'RawHttpError'
    this.code = code
  }
}

const HEAD_END = Buffer.from('\r\n\r\n')

/**
 * Sends `bytes` as they are over a new connection to `host:port` and parses
 * the first HTTP/1.1 answer (with `Content-Length`, chunked, or up to the
 * close; none for HEAD, 204 and 304). Nothing is validated on the way out,
 * so any malformed request can be sent.
 */
export function sendRaw(
  host: string,
  port: number,
  bytes: Buffer,
  options: { head?: boolean; timeoutMs?: number } = {},
): Promise<HttpResponse> {
  const startedAt = performance.now()
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port })
    let received = Buffer.alloc(0)
    let settled = false
    const finish = (error: Error | undefined, response?: HttpResponse) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      if (error !== undefined) reject(error)
      else if (response !== undefined) resolve(response)
    }
    const timer = setTimeout(() => {
      finish(
        new RawHttpError(
          'E_RAW_TIMEOUT',
          `no complete answer within ${options.timeoutMs ?? 10_000} ms`,
          received.toString('latin1').slice(0, 500),
        ),
      )
    }, options.timeoutMs ?? 10_000)
    const tryParse = (closed: boolean): void => {
      const parsed = parseResponse(received, options.head === true, closed)
      if (parsed === undefined) {
        if (closed) {
          finish(
            new RawHttpError(
              received.length === 0 ? 'E_RAW_CLOSED' : 'E_RAW_MALFORMED',
              received.length === 0
                ? 'the connection closed without an answer'
                : 'the connection closed before a complete answer',
              received.toString('latin1').slice(0, 500),
            ),
          )
        }
        return
      }
      const endedAt = performance.now()
      finish(undefined, {
        ...parsed,
        ms: endedAt - startedAt,
        startedAt,
        endedAt,
      })
    }
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      tryParse(false)
    })
    socket.on('end', () => tryParse(true))
    socket.on('close', () => tryParse(true))
    socket.on('error', () => tryParse(true))
    socket.on('connect', () => socket.write(bytes))
  })
}

/** The answer in `data` once it is complete, else undefined. */
function parseResponse(
  data: Buffer,
  head: boolean,
  closed: boolean,
): Pick<HttpResponse, 'status' | 'headers' | 'body'> | undefined {
  const end = data.indexOf(HEAD_END)
  if (end < 0) return undefined
  const lines = data.subarray(0, end).toString('latin1').split('\r\n')
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')
  if (match?.[1] === undefined) return undefined
  const status = Number(match[1])
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line
        .slice(colon + 1)
        .trim()
  }
  const rest = data.subarray(end + HEAD_END.length)
  if (head || status === 204 || status === 304)
    return { status, headers, body: '' }
  const length = headers['content-length']
  if (length !== undefined) {
    const n = Number(length)
    if (rest.length < n) return undefined
    return { status, headers, body: rest.subarray(0, n).toString('utf8') }
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const body = dechunk(rest)
    return body === undefined ? undefined : { status, headers, body }
  }
  return closed ? { status, headers, body: rest.toString('utf8') } : undefined
}

/** The body of a complete chunked encoding, else undefined. */
function dechunk(data: Buffer): string | undefined {
  const parts: Buffer[] = []
  let offset = 0
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset)
    if (lineEnd < 0) return undefined
    const size = Number.parseInt(
      data.subarray(offset, lineEnd).toString('latin1'),
      16,
    )
    if (Number.isNaN(size)) return undefined
    if (size === 0) return Buffer.concat(parts).toString('utf8')
    const start = lineEnd + 2
    if (data.length < start + size + 2) return undefined
    parts.push(data.subarray(start, start + size))
    offset = start + size + 2
  }
}
