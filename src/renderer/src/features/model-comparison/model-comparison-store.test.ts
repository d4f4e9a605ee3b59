import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { provideApi } from '@renderer/api'
import { createFakeApi } from '@renderer/api/fake-api'
import { MODEL_COMPARISON } from '@renderer/testing/test-rows'
import { useModelComparisonStore } from './model-comparison-store'

const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase' as const] }

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => provideApi(undefined))

describe('useModelComparisonStore', () => {
  it('asks with the filters and derives rows, changes vs last click and totals', async () => {
    const modelComparison = vi.fn(async () => ({ ok: true as const, value: MODEL_COMPARISON }))
    provideApi(createFakeApi({ attribution: { modelComparison } }))
    const store = useModelComparisonStore()
    await store.load(FILTERS)
    expect(modelComparison).toHaveBeenCalledWith(FILTERS)
    expect(store.rows.map((row) => row.channel)).toEqual(['direct', 'email', 'paid_search', 'referral'])
    // Email: first click 2 vs last click 1.
    expect(store.rows[1]?.cells.first_click.conversions_change).toBe(1)
    expect(store.totals?.linear.conversions).toBe(4)
  })

  it('shows only the models the answer has, in registry order, and keeps at least one column', async () => {
    provideApi(createFakeApi({ attribution: { modelComparison: async () => ({ ok: true as const, value: MODEL_COMPARISON }) } }))
    const store = useModelComparisonStore()
    await store.load(FILTERS)
    expect(store.columns).toEqual(['first_click', 'last_click', 'linear'])
    store.toggleModel('first_click')
    store.toggleModel('linear')
    expect(store.columns).toEqual(['last_click'])
    store.toggleModel('last_click')
    expect(store.columns).toEqual(['last_click'])
    store.toggleModel('linear')
    store.toggleModel('first_click')
    expect(store.columns).toEqual(['first_click', 'last_click', 'linear'])
  })
})

describe('dimension and baseline', () => {
  it('asks by the chosen dimension and measures changes against the chosen baseline', async () => {
    const modelComparison = vi.fn(async () => ({ ok: true as const, value: MODEL_COMPARISON }))
    provideApi(createFakeApi({ attribution: { modelComparison } }))
    const store = useModelComparisonStore()
    store.by = 'campaign'
    await store.load(FILTERS)
    expect(modelComparison).toHaveBeenLastCalledWith({ ...FILTERS, by: 'campaign' })
    store.chosenBaseline = 'first_click'
    // Biggest under first click first; email has 2 under first click and 1 under last click: -50%.
    expect(store.rows.map((row) => row.channel)).toEqual(['email', 'paid_search', 'referral', 'direct'])
    expect(store.rows[0]?.cells.last_click.conversions_change).toBe(-0.5)
    expect(store.rows[0]?.cells.first_click.conversions_change).toBe(0)
    // A baseline the answer lacks (data-driven by campaign) falls back to last click.
    store.chosenBaseline = 'data_driven'
    expect(store.baseline).toBe('last_click')
  })
})
