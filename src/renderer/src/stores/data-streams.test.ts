import type { StreamInfo } from '@shared/api'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { provideApi } from '../api'
import { createFakeApi } from '../api/fake-api'
import { useDataStreamsStore } from './data-streams'
import { useFiltersStore } from './filters'

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => provideApi(undefined))

const WEB: StreamInfo = { streamId: '2100450278', platform: 'WEB', events: 900 }
const IOS: StreamInfo = { streamId: '3600000002', platform: 'IOS', events: 40 }

describe('useDataStreamsStore', () => {
  it("offers a choice with two streams, and the chosen stream goes into every view's filters", async () => {
    provideApi(createFakeApi({ attribution: { streams: async () => ({ ok: true, value: [WEB, IOS] }) } }))
    const store = useDataStreamsStore()
    const filters = useFiltersStore()
    await store.load()
    expect(store.canChoose).toBe(true)
    expect(filters.dashboardFilters.streamId).toBeUndefined()
    filters.setStream(IOS.streamId)
    expect(filters.dashboardFilters).toMatchObject({ streamId: IOS.streamId })
    expect(store.label(IOS.streamId)).toBe('3600000002 (IOS)')
  })

  it('goes back to all streams when the chosen one is gone, or is the only one left', async () => {
    let answer: StreamInfo[] = [WEB, IOS]
    provideApi(createFakeApi({ attribution: { streams: async () => ({ ok: true, value: answer }) } }))
    const store = useDataStreamsStore()
    const filters = useFiltersStore()
    await store.load()
    filters.setStream(IOS.streamId)
    answer = [WEB, { ...IOS, streamId: '3600000003' }]
    await store.load()
    expect(filters.streamId).toBe('')
    filters.setStream(WEB.streamId)
    answer = [WEB]
    await store.load()
    expect([store.canChoose, filters.streamId]).toEqual([false, ''])
  })
})
