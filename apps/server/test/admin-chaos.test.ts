import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUTH, expectProblem, startTestApp, type TestApp } from './helpers.js'

describe('/admin/chaos', () => {
  it('does not exist unless DUCKKIT_CHAOS=1', async () => {
    const t = await startTestApp({ chaos: false })
    try {
      const response = await t.app.inject({
        method: 'POST',
        url: '/admin/chaos',
        headers: AUTH,
        payload: { rate: 1, kinds: ['io'], durationMs: 1000 },
      })
      expectProblem(response, 404, 'E_ROUTE_NOT_FOUND')
      expect(t.services.chaos.enabled).toBe(false)
    } finally {
      await t.close()
    }
  })

  describe('with chaos enabled', () => {
    let t: TestApp
    beforeAll(async () => {
      t = await startTestApp({ chaos: true })
    })
    afterAll(() => t.close())
    const chaos = (
      method: 'GET' | 'POST' | 'DELETE',
      payload?: object,
      headers = AUTH,
    ) =>
      t.app.inject({
        method,
        url: '/admin/chaos',
        headers,
        ...(payload === undefined ? {} : { payload }),
      })

    it('needs the bearer token', async () => {
      expectProblem(
        await chaos('GET', undefined, {} as typeof AUTH),
        401,
        'E_UNAUTHORIZED',
      )
      expectProblem(
        await chaos(
          'POST',
          { rate: 1, kinds: ['io'], durationMs: 1000 },
          {} as typeof AUTH,
        ),
        401,
        'E_UNAUTHORIZED',
      )
      expect(t.services.chaos.enabled).toBe(false)
    })

    it('rejects bad settings', async () => {
      for (const body of [
        { rate: 2, kinds: ['io'], durationMs: 1000 },
        { rate: 0.5, kinds: ['meteor'], durationMs: 1000 },
        { rate: 0.5, kinds: [], durationMs: 1000 },
        { rate: 0.5, kinds: ['io'] },
        { rate: 0.5, kinds: ['io'], durationMs: 1000, latencyMs: [50, 10] },
        { rate: 0.5, kinds: ['io'], durationMs: 1000, extra: 1 },
      ]) {
        expectProblem(await chaos('POST', body), 400, 'E_VALIDATION')
      }
      expect(t.services.chaos.enabled).toBe(false)
    })

    it('turns injection on for a duration, shows it, and turns it off', async () => {
      const settings = {
        rate: 1,
        kinds: ['latency'],
        latencyMs: 1,
        durationMs: 60_000,
        seed: 7,
      }
      const on = await chaos('POST', settings)
      expect(on.statusCode).toBe(200)
      const state = on.json<{
        enabled: boolean
        until: string
        settings: object
        seed: number
      }>()
      expect(state).toMatchObject({ enabled: true, settings, seed: 7 })
      expect(Date.parse(state.until) - Date.now()).toBeGreaterThan(50_000)
      expect(t.services.chaos.enabled).toBe(true)

      const write = await t.app.inject({
        method: 'PUT',
        url: '/v1/model-configs/chat_deep/1',
        headers: AUTH,
        payload: { modelId: 'm', modelName: 'M', provider: 'p' },
      })
      expect(write.statusCode).toBe(200)
      const shown = (await chaos('GET')).json<{
        enabled: boolean
        injected: number
        byKind: Record<string, number>
      }>()
      expect(shown.enabled).toBe(true)
      expect(shown.injected).toBeGreaterThan(0)
      expect(shown.byKind.latency).toBe(shown.injected)
      const resilience = await t.app.inject({
        method: 'GET',
        url: '/stats/resilience',
      })
      expect(resilience.json()).toMatchObject({
        chaos: { enabled: true, injected: shown.injected },
      })

      const off = await chaos('DELETE')
      expect(off.json()).toMatchObject({ enabled: false, until: null })
      expect(t.services.chaos.enabled).toBe(false)
    })
  })
})
