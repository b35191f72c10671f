import { connect } from 'node:net'
import { type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUTH, startTestApp, type TestApp } from './helpers.js'

interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/** Sends bytes as they are and reads the answer until the server closes or the body is complete. */
function raw(port: number, request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let data = ''
    const parse = (): RawAnswer | undefined => {
      const end = data.indexOf('\r\n\r\n')
      if (end < 0) return undefined
      const [statusLine = '', ...lines] = data.slice(0, end).split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).toLowerCase()] = line
          .slice(colon + 1)
          .trim()
      }
      const body = data.slice(end + 4)
      if (Buffer.byteLength(body) < Number(headers['content-length'] ?? 0))
        return undefined
      return { status: Number(statusLine.split(' ')[1]), headers, body }
    }
    socket.setTimeout(5000, () => {
      socket.destroy()
      reject(new Error(`no answer: ${JSON.stringify(data)}`))
    })
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1')
      const answer = parse()
      if (answer !== undefined) {
        socket.destroy()
        resolve(answer)
      }
    })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      const answer = parse()
      if (answer === undefined)
        reject(new Error(`closed without an answer: ${JSON.stringify(data)}`))
      else resolve(answer)
    })
    socket.on('connect', () => socket.write(request, 'latin1'))
  })
}

function expectProblem(answer: RawAnswer, status: number): void {
  expect(answer.status, answer.body).toBe(status)
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/)
  const body = JSON.parse(answer.body) as Record<string, unknown>
  expect(body).toMatchObject({
    status,
    code: 'E_BAD_REQUEST',
    type: 'urn:duckkit:problem:bad-request',
    requestId: answer.headers['x-request-id'],
  })
  expect(typeof body.detail).toBe('string')
  expect(answer.body).not.toMatch(/\n\s+at /)
}

describe('protocol errors over a real socket', () => {
  let t: TestApp
  let port: number
  beforeAll(async () => {
    t = await startTestApp()
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    port = (t.app.server.address() as AddressInfo).port
  })
  afterAll(() => t.close())

  it.each([
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400],
    [
      'a header line without a colon',
      'GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      400,
    ],
    [
      'both Content-Length and Transfer-Encoding',
      'PUT /v1/model-configs/a/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello',
      400,
    ],
    [
      'headers over 16 KiB',
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
    ['an HTTP/1.1 request without Host', 'GET /health HTTP/1.1\r\n\r\n', 400],
    [
      'a path that does not percent-decode',
      'GET /v1/model-configs/chat_deep%ZZ HTTP/1.1\r\nHost: x\r\n\r\n',
      400,
    ],
    [
      'a path parameter over 100 characters',
      `GET /v1/model-configs/${'a'.repeat(150)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      414,
    ],
  ])('answers %s with a problem document', async (_name, request, status) => {
    expectProblem(await raw(port, request), status)
  })

  it('reads and discards a refused body of up to 16 MiB, so the 413 is not lost to a reset and the connection serves the next request', async () => {
    const body = 'x'.repeat(2 * 1024 * 1024)
    const put = (length: number) =>
      `PUT /v1/model-configs/chat_deep/1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH.authorization}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`
    const answers = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port })
      let data = ''
      socket.setTimeout(5000, () => {
        socket.destroy()
        reject(new Error(`timed out: ${data.slice(0, 300)}`))
      })
      socket.on('data', (chunk: Buffer) => {
        data += chunk.toString('latin1')
        if (/HTTP\/1\.1 200[\s\S]*"status":"ok"/.test(data)) {
          socket.destroy()
          resolve(data)
        }
      })
      socket.on('error', reject)
      socket.on('connect', () => {
        socket.write(put(body.length) + body)
        socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
      })
    })
    expect(answers).toMatch(/^HTTP\/1\.1 413 /)
    expect(answers.split('\r\n\r\n')[0]).not.toMatch(/connection: close/i)
    expect(answers).toContain('"code":"E_PAYLOAD_TOO_LARGE"')

    const huge = await raw(port, put(64 * 1024 * 1024))
    expect(huge.status).toBe(413)
    expect(huge.headers.connection).toBe('close')
  })

  it('still serves HTTP/1.0 requests without Host', async () => {
    const answer = await raw(port, 'GET /health HTTP/1.0\r\n\r\n')
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok' })
  })
})
