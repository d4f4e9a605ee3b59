import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { provideApi } from '@renderer/api'
import { createFakeApi } from '@renderer/api/fake-api'
import { PATHS } from '@renderer/testing/test-rows'
import { PATHS_LIMIT, usePathsStore } from './paths-store'

const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase' as const] }

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => provideApi(undefined))

describe('usePathsStore', () => {
  it('asks for the top paths under last click by default, then under the chosen model', async () => {
    const paths = vi.fn(async () => ({ ok: true as const, value: PATHS }))
    provideApi(createFakeApi({ attribution: { paths } }))
    const store = usePathsStore()
    await store.load(FILTERS)
    expect(paths).toHaveBeenLastCalledWith({ ...FILTERS, model: 'last_click', limit: PATHS_LIMIT })
    expect(PATHS_LIMIT).toBe(20)
    store.model = 'position_based'
    await store.load(FILTERS)
    expect(paths).toHaveBeenLastCalledWith({ ...FILTERS, model: 'position_based', limit: PATHS_LIMIT })
    expect(store.hasCreditSplit).toBe(true)
  })

  it('knows a data-driven answer has no early, middle and late split', async () => {
    const dataDriven = { ...PATHS, model: 'data_driven' as const, paths: PATHS.paths.map((path) => ({ ...path, credit: null })) }
    provideApi(createFakeApi({ attribution: { paths: async () => ({ ok: true as const, value: dataDriven }) } }))
    const store = usePathsStore()
    store.model = 'data_driven'
    await store.load(FILTERS)
    expect(store.hasCreditSplit).toBe(false)
  })
})

describe('paging, order and filter', () => {
  it('asks for the page, the dimension, the order and the filter, and counts the pages of matching paths', async () => {
    const answer = { ...PATHS, matching: { paths: 45, conversions: 10, revenue_usd: '400.00' } }
    const paths = vi.fn(async () => ({ ok: true as const, value: answer }))
    provideApi(createFakeApi({ attribution: { paths } }))
    const store = usePathsStore()
    store.by = 'source_medium'
    store.sortBy('revenue')
    store.sortBy('revenue')
    store.match = 'startsWith'
    store.matchValue = ' google / cpc '
    store.minLength = 2
    await store.load(FILTERS)
    expect(store.pageCount).toBe(3)
    store.goToPage(7)
    expect(store.page).toBe(2)
    await store.load(FILTERS)
    expect(paths).toHaveBeenLastCalledWith({
      ...FILTERS,
      model: 'last_click',
      limit: PATHS_LIMIT,
      offset: 2 * PATHS_LIMIT,
      by: 'source_medium',
      sort: { column: 'revenue', direction: 'asc' },
      filter: { startsWith: 'google / cpc', minLength: 2 },
    })
    store.sortBy('path')
    expect(store.sort).toEqual({ column: 'path', direction: 'asc' })
  })
})
