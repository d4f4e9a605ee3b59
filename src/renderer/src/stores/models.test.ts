import { type AttributionModelInfo, listAttributionModels } from '@shared/attribution'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { provideApi } from '../api'
import { createFakeApi } from '../api/fake-api'
import { useModelsStore } from './models'

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => provideApi(undefined))

describe('useModelsStore', () => {
  it('offers the shared registry before the API answers', () => {
    const store = useModelsStore()
    expect(store.models.map((model) => model.id)).toEqual([
      'first_click',
      'last_click',
      'last_non_direct',
      'linear',
      'position_based',
      'time_decay',
      'data_driven',
    ])
    expect(store.nameOf('position_based')).toBe('Position based')
    expect(store.infoOf('data_driven').perConversion).toBe(false)
  })

  it('takes names and descriptions from the API once it answered, and asks only once', async () => {
    const answered: AttributionModelInfo[] = listAttributionModels().map((model) =>
      model.id === 'linear' ? { ...model, name: 'Linear (equal)' } : model,
    )
    const models = vi.fn(async () => ({ ok: true as const, value: answered }))
    provideApi(createFakeApi({ attribution: { models } }))
    const store = useModelsStore()
    await store.load()
    await store.load()
    expect(models).toHaveBeenCalledTimes(1)
    expect(store.nameOf('linear')).toBe('Linear (equal)')
    expect(store.models).toHaveLength(7)
  })

  it('keeps the registry when the API cannot list the models', async () => {
    provideApi(createFakeApi({ attribution: { models: async () => ({ ok: false as const, error: 'The service is down.' }) } }))
    const store = useModelsStore()
    await store.load()
    expect(store.error).toBe('The service is down.')
    expect(store.nameOf('time_decay')).toBe('Time decay')
  })
})
