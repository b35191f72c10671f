import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { type FastifyInstance } from 'fastify'

/** Where the page ships: `public/dashboard.html` beside `dist/`. */
const PAGE_URL = new URL('../../public/dashboard.html', import.meta.url)

/**
 * Registers `/dashboard`: one self-contained HTML page (inline script and
 * style, no CDN) that polls the statistics every second and draws small SVG
 * charts. Its Content-Security-Policy allows only its own inline code, by
 * hash, and requests to this origin.
 */
export function dashboardRoute(app: FastifyInstance): void {
  const html = readFileSync(PAGE_URL, 'utf8')
  const hashes = (tag: string) =>
    [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map(
      (match) =>
        `'sha256-${createHash('sha256')
          .update(match[1] ?? '')
          .digest('base64')}'`,
    )
  const csp = [
    "default-src 'none'",
    `script-src ${hashes('script').join(' ')}`,
    `style-src ${hashes('style').join(' ')}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
  app.get(
    '/dashboard',
    {
      schema: {
        operationId: 'dashboard',
        summary: 'Live dashboard of pool, transactions, cache and breakers',
        tags: ['dashboard'],
        response: {
          200: {
            description: 'A self-contained HTML page.',
            content: { 'text/html': { schema: { type: 'string' } } },
          },
        },
      },
    },
    (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', csp)
        .header('x-content-type-options', 'nosniff')
        .send(html),
  )
}
