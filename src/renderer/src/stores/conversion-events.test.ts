import type { ConversionEventInfo } from '@shared/attribution'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { provideApi } from '../api'
import { createFakeApi } from '../api/fake-api'
import { useConversionEventsStore } from './conversion-events'
import { useFiltersStore } from './filters'

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => provideApi(undefined))

const LISTED: ConversionEventInfo[] = [
  { name: 'page_view', events: 900, modelled: false },
  { name: 'view_item', events: 400, modelled: false },
  { name: 'add_to_cart', events: 60, modelled: true },
  { name: 'purchase', events: 20, modelled: true },
]

describe('useConversionEventsStore', () => {
  it('switches among modelled events at once, without a build', async () => {
    const modelEvents = vi.fn()
    provideApi(createFakeApi({ attribution: { conversionEvents: async () => ({ ok: true, value: LISTED }), modelEvents } }))
    const store = useConversionEventsStore()
    await store.load()
    expect(store.modelled.map((info) => info.name)).toEqual(['add_to_cart', 'purchase'])
    expect(store.unmodelled.map((info) => info.name)).toEqual(['page_view', 'view_item'])
    await store.choose('add_to_cart')
    expect(useFiltersStore().conversionEvents).toEqual(['add_to_cart', 'purchase'])
    expect(modelEvents).not.toHaveBeenCalled()
  })

  it('models a new event first, with the build progress, then counts it', async () => {
    const api = createFakeApi({
      attribution: {
        conversionEvents: async () => ({ ok: true, value: LISTED }),
        modelEvents: async ({ events }) => {
          api.emitProgress({ job: 'build', phase: 'dbt', percent: 50, message: 'dbt 5 of 10' })
          expect(store.modelling).toEqual(['view_item'])
          expect(store.progress?.message).toBe('dbt 5 of 10')
          return { ok: true, value: LISTED.map((info) => (events.includes(info.name) ? { ...info, modelled: true } : info)) }
        },
      },
    })
    provideApi(api)
    const store = useConversionEventsStore()
    await store.load()
    await store.choose('view_item')
    expect(store.modelling).toEqual([])
    expect(store.modelled.map((info) => info.name)).toEqual(['view_item', 'add_to_cart', 'purchase'])
    expect(useFiltersStore().conversionEvents).toEqual(['purchase', 'view_item'])
  })

  it('keeps the choice and shows why when modelling fails', async () => {
    provideApi(
      createFakeApi({
        attribution: {
          conversionEvents: async () => ({ ok: true, value: LISTED }),
          modelEvents: async () => ({ ok: false, error: 'dbt build failed: out of memory' }),
        },
      }),
    )
    const store = useConversionEventsStore()
    await store.load()
    await store.choose('page_view')
    expect(store.modelError).toBe('dbt build failed: out of memory')
    expect(useFiltersStore().conversionEvents).toEqual(['purchase'])
  })
})
