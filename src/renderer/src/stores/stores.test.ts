import type { ComparisonResult, FeedEvent, TrendsResult, WarehouseStatus } from '@shared/api'
import type { ReportResult, Result } from '@shared/attribution'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { provideApi } from '../api'
import { createFakeApi } from '../api/fake-api'
import { COMPARISON_ROWS, FLOWS, TRENDS_BY_CHANNEL } from '../charts/test-rows'
import { useChannelsStore } from './channels'
import { useCompareStore } from './compare'
import { useDataVersionStore } from './data-version'
import { ARRIVAL_HIGHLIGHT_MS, useFeedStore } from './feed'
import { TREND_DAYS, TREND_MAX_DAYS, useTrendsStore } from './trends'
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
  it('asks for channels under both models, lists both for the difference and the chosen model by channel', async () => {
    const trends = vi.fn(async () => ({ ok: true as const, value: TRENDS_BY_CHANNEL satisfies TrendsResult }))
    provideApi(createFakeApi({ attribution: { trends } }))
    const store = useTrendsStore()
    await store.load(FILTERS)
    expect(trends).toHaveBeenLastCalledWith({ ...FILTERS, days: TREND_DAYS, byChannel: true })
    expect(store.visiblePoints).toHaveLength(TRENDS_BY_CHANNEL.points.length)
    store.isByChannel = true
    store.model = 'last_click'
    expect(store.visiblePoints.map((point) => [point.date, point.channel])).toEqual([
      ['2026-11-01', 'direct'],
      ['2026-11-01', 'email'],
      ['2026-11-02', 'direct'],
    ])
  })

  it('asks for up to the longest window when a start date is set', async () => {
    const trends = vi.fn(async () => ({ ok: true as const, value: TRENDS_BY_CHANNEL satisfies TrendsResult }))
    provideApi(createFakeApi({ attribution: { trends } }))
    await useTrendsStore().load({ ...FILTERS, fromDate: '2026-11-01', toDate: '2026-11-02' })
    expect(trends).toHaveBeenLastCalledWith({ ...FILTERS, fromDate: '2026-11-01', toDate: '2026-11-02', days: TREND_MAX_DAYS, byChannel: true })
  })
})
