import type { ComparisonResult, FeedEvent, TrendsResult, WarehouseStatus } from '@shared/api'
import type { ReportResult, Result } from '@shared/attribution'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { provideApi } from '../api'
import { createFakeApi } from '../api/fake-api'
import { COMPARISON_ROWS, FLOWS, TRENDS_BY_CHANNEL, TRENDS_BY_MODEL } from '../charts/test-rows'
import { useChannelsStore } from './channels'
import { useCompareStore } from './compare'
import { useDataVersionStore } from './data-version'
import { ARRIVAL_HIGHLIGHT_MS, useFeedStore } from './feed'
import { TREND_DAYS, useTrendsStore } from './trends'
import { useWarehouseStore } from './warehouse'

const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase' as const] }
const COMPARISON: ComparisonResult = {
  rows: COMPARISON_ROWS,
  flows: FLOWS,
  totals: { conversions: 20, revenue_usd: '200.25' },
  moved_conversions: 4,
  moved_share: 0.2,
}
const STATUS: WarehouseStatus = {
  kind: 'embedded',
  location: '/tmp/warehouse.duckdb',
  events: 0,
  intradayEvents: 0,
  hasModels: false,
  newestEventAt: null,
  modelsBuiltAt: null,
  firstConversionDate: null,
  lastConversionDate: null,
}

/** A promise the test resolves by hand, to hold a request in flight. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined
  const promise = new Promise<T>((done) => (resolve = done))
  return { promise, resolve }
}

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => provideApi(undefined))

describe('useCompareStore', () => {
  it('derives table rows, column totals and the biggest moves from the answer', async () => {
    const compare = vi.fn(async () => ({ ok: true as const, value: COMPARISON }))
    provideApi(createFakeApi({ attribution: { compare } }))
    const store = useCompareStore()
    await store.load(FILTERS)
    expect(compare).toHaveBeenCalledWith(FILTERS)
    expect(store.rows.map((row) => row.channel)).toEqual(['direct', 'email', 'paid_social'])
    expect(store.columnTotals.last_click_conversions).toBe(20)
    expect(store.topMovingFlows.map((flow) => flow.first_click_channel)).toEqual(['paid_social'])
  })

  it('keeps the last answer while reloading and shows errors without losing it', async () => {
    const pending = deferred<Result<ComparisonResult>>()
    const answers = [Promise.resolve({ ok: true as const, value: COMPARISON }), pending.promise]
    provideApi(createFakeApi({ attribution: { compare: () => answers.shift() ?? pending.promise } }))
    const store = useCompareStore()
    await store.load(FILTERS)
    const reload = store.load(FILTERS)
    expect(store.isLoading).toBe(true)
    expect(store.result).toBe(COMPARISON)
    pending.resolve({ ok: false, error: 'The marts are locked.' })
    await reload
    expect(store.isLoading).toBe(false)
    expect(store.error).toBe('The marts are locked.')
  })

  it('reloads in the background without the loading state and keeps the last answer when that fails', async () => {
    const pending = deferred<Result<ComparisonResult>>()
    const answers = [Promise.resolve({ ok: true as const, value: COMPARISON }), pending.promise]
    provideApi(createFakeApi({ attribution: { compare: () => answers.shift() ?? pending.promise } }))
    const store = useCompareStore()
    await store.load(FILTERS)
    const reload = store.load(FILTERS, { isBackground: true })
    expect(store.isLoading).toBe(false)
    pending.resolve({ ok: false, error: 'The warehouse is busy.' })
    await reload
    expect(store.result).toBe(COMPARISON)
    expect(store.error).toBeUndefined()
  })

  it('ignores an older answer that arrives after a newer one', async () => {
    const slow = deferred<Result<ComparisonResult>>()
    const newer = { ...COMPARISON, moved_share: 0.5 }
    const answers = [slow.promise, Promise.resolve({ ok: true as const, value: newer })]
    provideApi(createFakeApi({ attribution: { compare: () => answers.shift() ?? slow.promise } }))
    const store = useCompareStore()
    const first = store.load(FILTERS)
    await store.load({ ...FILTERS, lookbackDays: 30 })
    slow.resolve({ ok: true, value: COMPARISON })
    await first
    expect(store.result?.moved_share).toBe(0.5)
  })

  it('reports a transport that throws as an error', async () => {
    provideApi(createFakeApi({ attribution: { compare: async () => Promise.reject(new Error('IPC died')) } }))
    const store = useCompareStore()
    await store.load(FILTERS)
    expect(store.error).toContain('IPC died')
    expect(store.isLoading).toBe(false)
  })
})

describe('useTrendsStore', () => {
  it('asks for the last days, split by channel when chosen, and lists the chosen model only', async () => {
    const trends = vi.fn(async (request: { byChannel: boolean }) => ({
      ok: true as const,
      value: (request.byChannel ? TRENDS_BY_CHANNEL : TRENDS_BY_MODEL) satisfies TrendsResult,
    }))
    provideApi(createFakeApi({ attribution: { trends } }))
    const store = useTrendsStore()
    await store.load(FILTERS)
    expect(trends).toHaveBeenLastCalledWith({ ...FILTERS, days: TREND_DAYS, byChannel: false })
    expect(store.visiblePoints).toHaveLength(TRENDS_BY_MODEL.points.length)
    store.isByChannel = true
    store.model = 'last_click'
    await store.load(FILTERS)
    expect(trends).toHaveBeenLastCalledWith({ ...FILTERS, days: TREND_DAYS, byChannel: true })
    expect(store.visiblePoints.map((point) => [point.date, point.channel])).toEqual([
      ['2026-11-01', 'direct'],
      ['2026-11-01', 'email'],
      ['2026-11-02', 'direct'],
    ])
  })
})

describe('useChannelsStore', () => {
  it('asks per channel at the top and inside the channel after a drill, with a breadcrumb back', async () => {
    const report = (by: ReportResult['by']): ReportResult => ({
      model: 'last_click',
      lookback_days: 14,
      conversion_events: ['purchase'],
      by,
      rows: [],
      totals: { conversions: 0, revenue_usd: '0.00' },
    })
    const breakdown = vi.fn(async (request: { by: ReportResult['by'] }) => ({ ok: true as const, value: report(request.by) }))
    provideApi(createFakeApi({ attribution: { breakdown } }))
    const store = useChannelsStore()
    await store.load(FILTERS)
    expect(breakdown).toHaveBeenLastCalledWith({ ...FILTERS, model: 'last_click', by: 'channel' })
    store.drillInto('paid_search')
    store.drillBy = 'campaign'
    await store.load(FILTERS)
    expect(breakdown).toHaveBeenLastCalledWith({ ...FILTERS, model: 'last_click', by: 'campaign', channel: 'paid_search' })
    expect(store.breadcrumb.map((crumb) => crumb.label)).toEqual(['All channels', 'paid_search'])
    store.drillUp()
    expect(store.by).toBe('channel')
    expect(store.breadcrumb).toHaveLength(1)
  })
})

describe('useFeedStore', () => {
  const event = (key: string): FeedEvent => ({
    event_key: key,
    event_at: '2026-11-26T12:00:00Z',
    event_name: 'page_view',
    user_pseudo_id: 'u1',
    source: 'google',
    medium: 'organic',
    value_usd: null,
    is_intraday: true,
    delivery: null,
    first_click_channel: null,
    last_click_channel: null,
  })

  afterEach(() => vi.useRealTimers())

  it('marks events that arrived since the previous poll and keeps them highlighted for a few seconds', async () => {
    vi.useFakeTimers({ now: 0 })
    const answers = [[event('a')], [event('b'), event('a')], [event('c'), event('b'), event('a')]]
    provideApi(createFakeApi({ events: { recent: async () => ({ ok: true as const, value: answers.shift() ?? [event('c'), event('b')] }) } }))
    const store = useFeedStore()
    expect(store.isFirstLoad).toBe(true)
    await store.poll()
    expect(store.isFirstLoad).toBe(false)
    expect([...store.arrivedKeys]).toEqual([])
    expect(store.arrivedAtMs.get('a')).toBeUndefined()

    vi.setSystemTime(1_000)
    await store.poll()
    expect([...store.arrivedKeys]).toEqual(['b'])
    expect(store.arrivedAtMs.get('b')).toBe(1_000)

    vi.setSystemTime(2_000)
    await store.poll()
    expect([...store.arrivedKeys].sort()).toEqual(['b', 'c'])

    vi.setSystemTime(1_000 + ARRIVAL_HIGHLIGHT_MS)
    await store.poll()
    expect([...store.arrivedKeys]).toEqual(['c'])
    // An event that left the feed is forgotten.
    expect(store.arrivedAtMs.has('a')).toBe(false)
  })
})

describe('useWarehouseStore', () => {
  it('knows an empty warehouse, follows job progress and opens the dashboard when the job is done', async () => {
    const job = deferred<Result<WarehouseStatus>>()
    const fake = createFakeApi({
      warehouse: { status: async () => ({ ok: true, value: STATUS }), generateSample: () => job.promise },
    })
    provideApi(fake)
    const store = useWarehouseStore()
    const stop = store.listenToProgress()
    await store.refresh()
    expect(store.isEmpty).toBe(true)
    expect(store.isReady).toBe(false)

    const running = store.generateSample()
    expect(store.activeJob).toBe('generate')
    fake.emitProgress({ job: 'generate', phase: 'events', percent: 50, message: 'Half way' })
    expect(store.progress?.message).toBe('Half way')
    const ready = { ...STATUS, events: 1000, hasModels: true, modelsBuiltAt: '2026-11-26T12:00:00Z' }
    job.resolve({ ok: true, value: ready })
    await running
    expect(store.activeJob).toBeUndefined()
    expect(store.isReady).toBe(true)
    stop()
  })

  it('explains missing models and keeps a cancelled import quiet', async () => {
    provideApi(
      createFakeApi({
        warehouse: {
          status: async () => ({ ok: true, value: { ...STATUS, events: 10 } }),
          chooseAndImport: async () => ({ ok: true, value: null }),
        },
      }),
    )
    const store = useWarehouseStore()
    await store.refresh()
    expect(store.isMissingModels).toBe(true)
    await store.chooseAndImport()
    expect(store.jobError).toBeUndefined()
    expect(store.status?.events).toBe(10)
  })

  it('tells the views to reload when the models were built again', async () => {
    const answers = [STATUS, { ...STATUS, events: 10, hasModels: true, modelsBuiltAt: '2026-11-26T12:00:00Z' }]
    answers.push({ ...answers[1]!, modelsBuiltAt: '2026-11-26T13:00:00Z' })
    provideApi(createFakeApi({ warehouse: { status: async () => ({ ok: true, value: answers.shift() ?? STATUS }) } }))
    const store = useWarehouseStore()
    const dataVersion = useDataVersionStore()
    await store.refresh()
    await store.refresh()
    expect(dataVersion.version).toBe(1)
    await store.refresh()
    expect(dataVersion.version).toBe(2)
  })

  it('shows why an import failed', async () => {
    const message = 'The browser preview cannot open files: use `npx attribution import FILE...`.'
    provideApi(createFakeApi({ warehouse: { chooseAndImport: async () => ({ ok: false, error: message }) } }))
    const store = useWarehouseStore()
    await store.chooseAndImport()
    expect(store.jobError).toBe(message)
  })
})
