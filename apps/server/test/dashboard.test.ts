import { existsSync } from 'node:fs'
import { type AddressInfo } from 'node:net'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUTH, startTestApp, type TestApp } from './helpers.js'

const CHROMIUM = '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
if (!available && process.env.CI === 'true') {
  throw new Error(
    `${CHROMIUM} is required under CI=true (apt-get install chromium)`,
  )
}

describe.skipIf(!available)('the dashboard in headless Chromium', () => {
  let t: TestApp
  let base: string
  let browser: Browser
  beforeAll(async () => {
    t = await startTestApp()
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  /** Opens a page that records console errors and every request that leaves this origin. */
  async function open(
    path: string,
  ): Promise<{ page: Page; errors: string[]; foreign: string[] }> {
    const page = await browser.newPage()
    const errors: string[] = []
    const foreign: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('request', (request) => {
      const url = request.url()
      if (!url.startsWith(base) && !url.startsWith('data:')) foreign.push(url)
    })
    await page.goto(`${base}${path}`)
    return { page, errors, foreign }
  }

  /** Waits until the page has refreshed its figures `n` times (the page counts in `data-updates`). */
  const waitForUpdates = (page: Page, n: number) =>
    expect
      .poll(
        async () =>
          Number(await page.locator('body').getAttribute('data-updates')),
        {
          timeout: 10_000,
          interval: 100,
        },
      )
      .toBeGreaterThanOrEqual(n)

  const figure = async (page: Page, name: string) =>
    Number(await page.locator(`[data-metric="${name}"]`).first().textContent())

  it('shows live figures and charts that change under load', async () => {
    const { page, errors, foreign } = await open('/dashboard')
    await waitForUpdates(page, 2)
    expect(await page.locator('#status').textContent()).toMatch(/^live/)
    expect(await figure(page, 'pool.max')).toBeGreaterThan(0)
    expect(await page.locator('[data-breaker="duckdb"]').textContent()).toBe(
      'closed',
    )
    const before = {
      hits: await figure(page, 'cache.hits'),
      committed: await figure(page, 'tx.committed'),
      acquired: await figure(page, 'pool.acquired'),
    }

    // Load: cached reads and a few writes, through the real HTTP server.
    const load = async () => {
      for (let round = 0; round < 5; round += 1) {
        await fetch(`${base}/v1/model-configs/chat_deep/active`).then((r) =>
          r.text(),
        )
        await Promise.all(
          Array.from({ length: 20 }, () =>
            fetch(`${base}/v1/model-configs/chat_deep/active`).then((r) =>
              r.text(),
            ),
          ),
        )
        const write = await fetch(
          `${base}/v1/model-configs/dashboard_load/${round + 1}`,
          {
            method: 'PUT',
            headers: { ...AUTH, 'content-type': 'application/json' },
            body: JSON.stringify({
              modelId: `m${round}`,
              modelName: 'M',
              provider: 'p',
            }),
          },
        )
        expect(write.status).toBe(200)
      }
    }
    await load()
    await expect
      .poll(() => figure(page, 'tx.committed'), {
        timeout: 10_000,
        interval: 100,
      })
      .toBeGreaterThanOrEqual(before.committed + 5)
    await load()
    const updates = Number(
      await page.locator('body').getAttribute('data-updates'),
    )
    await waitForUpdates(page, updates + 1)

    expect(await figure(page, 'cache.hits')).toBeGreaterThanOrEqual(
      before.hits + 100,
    )
    expect(await figure(page, 'tx.committed')).toBeGreaterThanOrEqual(
      before.committed + 10,
    )
    expect(await figure(page, 'pool.acquired')).toBeGreaterThan(before.acquired)

    // The charts hold one point per second and show the load as a rise above the baseline.
    for (const chart of ['cache', 'tx', 'pool']) {
      const points = await page
        .locator(`[data-chart="${chart}"] polyline`)
        .getAttribute('points')
      const ys = (points ?? '')
        .trim()
        .split(' ')
        .map((point) => Number(point.split(',')[1]))
      expect(ys.length, chart).toBeGreaterThanOrEqual(2)
      expect(Math.min(...ys), chart).toBeLessThan(38)
    }
    expect(errors).toEqual([])
    expect(foreign).toEqual([])
    await page.close()
  })

  it('/docs renders the API in swagger-ui without leaving the origin', async () => {
    const { page, errors, foreign } = await open('/docs')
    await page.locator('.opblock').first().waitFor({ timeout: 15_000 })
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20)
    expect(await page.locator('.info .title').textContent()).toContain(
      'DuckKit',
    )
    expect(foreign).toEqual([])
    expect(errors).toEqual([])
    await page.close()
  })
})
