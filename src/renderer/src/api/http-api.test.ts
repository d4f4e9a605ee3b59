import { API_CHANNELS, type CompareRequest, type JobProgress, type MartsChanged } from '@shared/api'
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

  /** An event source whose events the test plays by name, as EventSource dispatches them. */
  function playedSource() {
    const handlers = new Map<string, Array<(event: MessageEvent) => void>>()
    const source: EventSourceLike = {
      addEventListener: (type, listener) => handlers.set(type, [...(handlers.get(type) ?? []), listener]),
      close: vi.fn(),
    }
    const play = (type: string, data: string) => {
      for (const handler of handlers.get(type) ?? []) handler(new MessageEvent(type, { data }))
    }
    return { source, play, openEventSource: vi.fn(() => source) }
  }

  it('delivers job:progress events from one shared event stream and closes it after the last listener', () => {
    const { source, play, openEventSource } = playedSource()
    const api = createHttpApi({ fetch: async () => json({ ok: true, value: null }), openEventSource })
    const seenA: JobProgress[] = []
    const seenB: JobProgress[] = []
    const stopA = api.onJobProgress((progress) => seenA.push(progress))
    const stopB = api.onJobProgress((progress) => seenB.push(progress))
    expect(openEventSource).toHaveBeenCalledTimes(1)
    expect(openEventSource).toHaveBeenCalledWith('/api/events')

    const progress: JobProgress = { job: 'generate', phase: 'events', percent: 40, message: 'Writing events' }
    play('job:progress', JSON.stringify(progress))
    play('job:progress', 'not json')
    play('job:progress', '{"job":"nope"}')
    expect(seenA).toEqual([progress])
    expect(seenB).toEqual([progress])

    stopA()
    expect(source.close).not.toHaveBeenCalled()
    stopB()
    expect(source.close).toHaveBeenCalledTimes(1)
  })

  it('delivers marts:changed to its own listeners over the same stream, which stays open while either kind listens', () => {
    const { source, play, openEventSource } = playedSource()
    const api = createHttpApi({ fetch: async () => json({ ok: true, value: null }), openEventSource })
    const changes: MartsChanged[] = []
    const progress: JobProgress[] = []
    const stopChanges = api.onMartsChanged((change) => changes.push(change))
    const stopProgress = api.onJobProgress((each) => progress.push(each))
    expect(openEventSource).toHaveBeenCalledTimes(1)

    play('marts:changed', JSON.stringify({ changedAt: '2026-12-06T10:00:00.000Z' }))
    play('marts:changed', '{"changedAt":7}')
    play('job:progress', JSON.stringify({ changedAt: '2026-12-06T10:00:01.000Z' }))
    expect(changes).toEqual([{ changedAt: '2026-12-06T10:00:00.000Z' }])
    expect(progress).toEqual([])

    stopProgress()
    expect(source.close).not.toHaveBeenCalled()
    stopChanges()
    expect(source.close).toHaveBeenCalledTimes(1)
  })
})
