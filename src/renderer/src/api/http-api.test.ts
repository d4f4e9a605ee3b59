import { API_CHANNELS, type CompareRequest, type JobProgress } from '@shared/api'
import { describe, expect, it, vi } from 'vitest'
import { type EventSourceLike, UNREACHABLE_MESSAGE, createHttpApi } from './http-api'

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('createHttpApi', () => {
  it('posts the request as JSON to /api/<channel> and returns the Result', async () => {
    const fetch = vi.fn(async () => json({ ok: true, value: { rows: [] } }))
    const api = createHttpApi({ fetch, baseUrl: 'http://bridge' })
    const request: CompareRequest = { lookbackDays: 14, conversionEvents: ['purchase'], models: ['first_click', 'linear'] }
    const result = await api.attribution.compare(request)
    expect(result).toEqual({ ok: true, value: { rows: [] } })
    expect(fetch).toHaveBeenCalledWith('http://bridge/api/attribution:compare', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    })
  })

  it('passes error Results through', async () => {
    const api = createHttpApi({ fetch: async () => json({ ok: false, error: 'Use npx attribution import.' }) })
    expect(await api.warehouse.chooseAndImport({})).toEqual({ ok: false, error: 'Use npx attribution import.' })
  })

  it('turns network failures, other statuses and malformed answers into an unreachable error', async () => {
    const failing = createHttpApi({ fetch: async () => Promise.reject(new TypeError('Failed to fetch')) })
    expect(await failing.warehouse.status({})).toEqual({ ok: false, error: UNREACHABLE_MESSAGE })

    const broken = createHttpApi({ fetch: async () => json({ ok: true, value: 1 }, 502) })
    const status = await broken.warehouse.status({})
    expect(status.ok).toBe(false)
    if (!status.ok) expect(status.error).toContain('HTTP 502')

    const html = createHttpApi({ fetch: async () => new Response('<html>', { status: 200 }) })
    expect((await html.events.recent({ limit: 5 })).ok).toBe(false)

    const shapeless = createHttpApi({ fetch: async () => json({ rows: [] }) })
    expect((await shapeless.events.recent({ limit: 5 })).ok).toBe(false)
  })

  it('exposes one method per channel', () => {
    const api = createHttpApi({ fetch: async () => json({ ok: true, value: null }) })
    expect(Object.keys(api.attribution).sort()).toEqual([
      'breakdown',
      'compare',
      'conversionEvents',
      'modelComparison',
      'modelEvents',
      'models',
      'paths',
      'periodComparison',
      'streams',
      'trends',
    ])
    expect(Object.keys(api.warehouse).sort()).toEqual(['chooseAndImport', 'chooseFiles', 'generateSample', 'importFiles', 'status'])
    expect(Object.keys(api.events)).toEqual(['recent'])
    expect(Object.keys(api.shell)).toEqual(['openExternal'])
    expect(Object.keys(api.stream).sort()).toEqual(['burst', 'deadLetters', 'start', 'status', 'stop'])
    expect(Object.keys(api.refresh)).toEqual(['cancel'])
    expect(Object.keys(api.settings).sort()).toEqual(['get', 'save', 'testConnection'])
    expect(Object.keys(api.credentials).sort()).toEqual(['chooseKeyFile', 'clear'])
  })

  it('covers every channel of the contract', () => {
    const api = createHttpApi({ fetch: async () => json({ ok: true, value: null }) }) as unknown as Record<string, Record<string, unknown>>
    for (const channel of API_CHANNELS) {
      const [domain = '', verb = ''] = channel.split(':')
      expect(typeof api[domain]?.[verb], channel).toBe('function')
    }
  })

  it('posts settings and credential requests to their own channels', async () => {
    const fetch = vi.fn(async () => json({ ok: true, value: null }))
    const api = createHttpApi({ fetch })
    await api.credentials.chooseKeyFile({ persistence: 'session' })
    await api.stream.deadLetters({})
    expect(fetch.mock.calls.map((call) => (call as unknown[])[0])).toEqual(['/api/credentials:chooseKeyFile', '/api/stream:deadLetters'])
  })

  it('delivers job:progress events from one shared event stream and closes it after the last listener', () => {
    const handlers: Array<(event: MessageEvent) => void> = []
    const source: EventSourceLike = { addEventListener: (_type, listener) => handlers.push(listener), close: vi.fn() }
    const openEventSource = vi.fn(() => source)
    const api = createHttpApi({ fetch: async () => json({ ok: true, value: null }), openEventSource })
    const seenA: JobProgress[] = []
    const seenB: JobProgress[] = []
    const stopA = api.onJobProgress((progress) => seenA.push(progress))
    const stopB = api.onJobProgress((progress) => seenB.push(progress))
    expect(openEventSource).toHaveBeenCalledTimes(1)
    expect(openEventSource).toHaveBeenCalledWith('/api/events')

    const progress: JobProgress = { job: 'generate', phase: 'events', percent: 40, message: 'Writing events' }
    for (const handler of handlers) handler(new MessageEvent('job:progress', { data: JSON.stringify(progress) }))
    for (const handler of handlers) handler(new MessageEvent('job:progress', { data: 'not json' }))
    for (const handler of handlers) handler(new MessageEvent('job:progress', { data: '{"job":"nope"}' }))
    expect(seenA).toEqual([progress])
    expect(seenB).toEqual([progress])

    stopA()
    expect(source.close).not.toHaveBeenCalled()
    stopB()
    expect(source.close).toHaveBeenCalledTimes(1)
  })
})
