import type { CostReturnResult } from '@shared/cost-return'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { provideApi } from '@renderer/api'
import { createFakeApi } from '@renderer/api/fake-api'
import { useCostReturnStore } from './cost-return-store'

const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase' as const] }
const RESULT: CostReturnResult = {
  lookback_days: 14,
  conversion_events: ['purchase'],
  by: 'campaign',
  baseline: 'last_click',
  models: ['last_click'],
  rows: [{ channel: 'Paid Search', source: 'google', medium: 'cpc', campaign: 'brand', cost_usd: '50.00', cells: {} }],
  totals: { cost_usd: '50.00', cells: {} },
  disagreements: [],
  trend: { models: ['last_click', 'first_click'], channel: null, days: [] },
}

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => provideApi(undefined))

describe('useCostReturnStore', () => {
  it('asks with the filters, grouping, baseline and trend models, and names campaign rows', async () => {
    const report = vi.fn(async () => ({ ok: true as const, value: RESULT }))
    provideApi(createFakeApi({ cost: { report } }))
    const store = useCostReturnStore()
    store.by = 'campaign'
    store.baseline = 'first_click'
    await store.load(FILTERS)
    expect(report).toHaveBeenCalledWith({ ...FILTERS, by: 'campaign', baseline: 'first_click', trendModels: ['last_click', 'first_click'] })
    expect(store.rows.map((row) => row.label)).toEqual(['google / cpc / brand'])
  })

  it('imports the chosen files with the edited mapping and keeps what the import said', async () => {
    const importSpend = vi.fn(async () => ({
      ok: true as const,
      value: [{ file: 'ads.csv', format: 'google_ads' as const, rows: 2, added: 2, changed: 0, unchanged: 0, costUsd: '10.00' }],
    }))
    provideApi(
      createFakeApi({
        warehouse: { chooseFiles: async () => ({ ok: true as const, value: [{ token: 't1', name: 'ads.csv' }] }) },
        cost: { importSpend },
      }),
    )
    const store = useCostReturnStore()
    store.mapping.google_ads = { source: 'google', medium: 'paid_search' }
    expect(await store.chooseAndImport()).toBe(true)
    expect(importSpend).toHaveBeenCalledWith({
      files: ['t1'],
      mapping: { google_ads: { source: 'google', medium: 'paid_search' }, meta_ads: { source: 'facebook', medium: 'paid' } },
    })
    expect(store.lastImport).toEqual({ files: [expect.objectContaining({ added: 2 })] })
  })

  it('says why when the dialog cannot open (the browser preview)', async () => {
    provideApi(
      createFakeApi({ warehouse: { chooseFiles: async () => ({ ok: false as const, error: 'The browser preview cannot open files' }) } }),
    )
    const store = useCostReturnStore()
    expect(await store.chooseAndImport()).toBe(false)
    expect(store.lastImport).toEqual({ error: 'The browser preview cannot open files' })
  })
})
