import { createTempDatabase } from '@duckkit/test-utils'
import { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { pino } from 'pino'
import { expect } from 'vitest'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { createServices } from '../src/container.js'
import { type Lifecycle } from '../src/routes/health.js'
import { type Services } from '../src/services.js'

/** The admin token of every test app. */
const TOKEN = 'test-token-0123456789abcdef'

/** Authorization header with {@link TOKEN}. */
export const AUTH = { authorization: `Bearer ${TOKEN}` }

/** A test application over a fresh temporary database. */
export interface TestApp {
  readonly app: FastifyInstance
  readonly services: Services
  readonly lifecycle: Lifecycle
  /** Closes the app, disposes the services and removes the database. */
  close(): Promise<void>
}

/** Options of {@link startTestApp}: extra environment variables and app switches. */
export interface TestAppOptions {
  readonly env?: Readonly<Record<string, string>>
  readonly chaos?: boolean
  readonly bodyLimitBytes?: number
}

/** Starts services on a temporary database file and builds the app (not listening). */
export async function startTestApp(
  options: TestAppOptions = {},
): Promise<TestApp> {
  const db = createTempDatabase()
  const config = loadConfig({
    DUCKDB_PATH: db.path,
    LOG_LEVEL: 'silent',
    ...options.env,
  })
  const logger = pino({ level: 'silent' })
  const services = await createServices(config, logger)
  const lifecycle: Lifecycle = { shuttingDown: false }
  const app = await buildApp({
    services,
    adminToken: TOKEN,
    chaos: options.chaos ?? false,
    ...(options.bodyLimitBytes === undefined
      ? {}
      : { bodyLimitBytes: options.bodyLimitBytes }),
    logger,
    lifecycle,
  })
  await app.ready()
  return {
    app,
    services,
    lifecycle,
    close: async () => {
      await app.close()
      await services.dispose()
      db.remove()
    },
  }
}

/** Asserts an RFC 9457 problem answer with the given status and code, and returns its body. */
export function expectProblem(
  response: LightMyRequestResponse,
  status: number,
  code: string,
): Record<string, unknown> {
  expect(response.statusCode, response.body).toBe(status)
  expect(response.headers['content-type']).toMatch(
    /^application\/problem\+json/,
  )
  const body = response.json<Record<string, unknown>>()
  expect(body).toMatchObject({
    status,
    code,
    type: expect.stringMatching(/^urn:duckkit:problem:/) as unknown,
  })
  expect(typeof body.title).toBe('string')
  expect(typeof body.detail).toBe('string')
  expect(body.requestId).toBe(response.headers['x-request-id'])
  expect(response.body).not.toMatch(/\n\s+at /)
  return body
}
