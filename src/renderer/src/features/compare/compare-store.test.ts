import type { ComparisonResult } from '@shared/api'
import type { Result } from '@shared/attribution'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { provideApi } from '@renderer/api'
import { createFakeApi } from '@renderer/api/fake-api'
import { COMPARISON_ROWS, FLOWS } from '@renderer/testing/test-rows'
import { useCompareStore } from './compare-store'

const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase' as const] }
const PAIR = ['first_click', 'last_click'] as const
const COMPARISON: ComparisonResult = {
  models: ['first_click', 'last_click'],
  rows: COMPARISON_ROWS,
  flows_available: true,
  flows: FLOWS,
  totals: { conversions: 20, revenue_usd: '200.25' },
  moved_conversions: 4,
  moved_share: 0.2,
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
    await store.load(FILTERS, PAIR)
    expect(compare).toHaveBeenCalledWith({ ...FILTERS, models: ['first_click', 'last_click'] })
    expect(store.rows.map((row) => row.channel)).toEqual(['direct', 'email', 'paid_social'])
    expect(store.columnTotals.b_conversions).toBe(20)
    expect(store.topMovingFlows.map((flow) => [flow.a_channel, flow.b_channel])).toEqual([['paid_social', 'direct']])
  })

  it('asks for the chosen pair and lists no moves when a model has no per-conversion flows', async () => {
    const unavailable: ComparisonResult = { ...COMPARISON, models: ['linear', 'data_driven'], flows: [], flows_available: false }
    const compare = vi.fn(async () => ({ ok: true as const, value: unavailable }))
    provideApi(createFakeApi({ attribution: { compare } }))
    const store = useCompareStore()
    await store.load(FILTERS, ['linear', 'data_driven'])
    expect(compare).toHaveBeenCalledWith({ ...FILTERS, models: ['linear', 'data_driven'] })
    expect(store.topMovingFlows).toEqual([])
    expect(store.rows).toHaveLength(COMPARISON_ROWS.length)
  })

  it('keeps the last answer while reloading and shows errors without losing it', async () => {
    const pending = deferred<Result<ComparisonResult>>()
    const answers = [Promise.resolve({ ok: true as const, value: COMPARISON }), pending.promise]
    provideApi(createFakeApi({ attribution: { compare: () => answers.shift() ?? pending.promise } }))
    const store = useCompareStore()
    await store.load(FILTERS, PAIR)
    const reload = store.load(FILTERS, PAIR)
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
    await store.load(FILTERS, PAIR)
    const reload = store.load(FILTERS, PAIR, { isBackground: true })
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
    const first = store.load(FILTERS, PAIR)
    await store.load({ ...FILTERS, lookbackDays: 30 }, PAIR)
    slow.resolve({ ok: true, value: COMPARISON })
    await first
    expect(store.result?.moved_share).toBe(0.5)
  })

  it('reports a transport that throws as an error', async () => {
    provideApi(createFakeApi({ attribution: { compare: async () => Promise.reject(new Error('IPC died')) } }))
    const store = useCompareStore()
    await store.load(FILTERS, PAIR)
    expect(store.error).toContain('IPC died')
    expect(store.isLoading).toBe(false)
  })
})
