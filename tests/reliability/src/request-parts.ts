/** One header line: name and value, sent as they are. */
export type Header = readonly [string, string]

/** A request, before it is assembled into bytes. */
export interface RequestParts {
  /** Method token (anything, even invalid). */
  readonly method: string
  /** Request target (path and query), as sent. */
  readonly target: string
  /** Header lines, in order. */
  readonly headers: readonly Header[]
  /** Body, if any. */
  readonly body?: string | Buffer
  /** Leave out `Host` (HTTP/1.1 requires it). */
  readonly noHost?: boolean
  /** Leave out `Content-Length` (the headers then carry their own framing). */
  readonly noLength?: boolean
  /** Protocol version. @default 'HTTP/1.1' */
  readonly version?: string
}

/** The `Content-Type` header of a JSON body. */
export const JSON_TYPE: Header = ['Content-Type', 'application/json']

/** Assembles a request byte for byte: request line, `Host`, the headers, `Content-Length`, the body. */
export function assembleRequest(parts: RequestParts, host: string): Buffer {
  const body =
    parts.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(parts.body)
        ? parts.body
        : Buffer.from(parts.body, 'utf8')
  const headers: Header[] = []
  if (parts.noHost !== true) headers.push(['Host', host])
  headers.push(...parts.headers)
  if (parts.noLength !== true && (body.length > 0 || parts.body !== undefined))
    headers.push(['Content-Length', String(body.length)])
  const head =
    `${parts.method} ${parts.target} ${parts.version ?? 'HTTP/1.1'}\r\n` +
    headers.map(([name, value]) => `${name}: ${value}\r\n`).join('') +
    '\r\n'
  return Buffer.concat([Buffer.from(head, 'latin1'), body])
}
