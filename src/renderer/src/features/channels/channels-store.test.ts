import type { ReportResult } from '@shared/attribution'
import { modelGroupingProblem } from '@shared/attribution'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { provideApi } from '@renderer/api'
import { createFakeApi } from '@renderer/api/fake-api'
import { CHANNEL_REPORT_ROWS } from '@renderer/testing/test-rows'
import { useChannelsStore } from './channels-store'

const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase' as const] }
const REPORT: ReportResult = {
  model: 'data_driven',
  lookback_days: 14,
  conversion_events: ['purchase'],
  by: 'channel',
  rows: CHANNEL_REPORT_ROWS,
  totals: { conversions: 13, revenue_usd: '490.00' },
}

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => provideApi(undefined))

describe('useChannelsStore', () => {
  it('asks for any model by channel, and drills into a channel under per-conversion models', async () => {
    const breakdown = vi.fn(async () => ({ ok: true as const, value: REPORT }))
    provideApi(createFakeApi({ attribution: { breakdown } }))
    const store = useChannelsStore()
    store.model = 'time_decay'
    await store.load(FILTERS)
    expect(breakdown).toHaveBeenLastCalledWith({ ...FILTERS, model: 'time_decay', by: 'channel' })
    expect(store.drillProblem).toBeUndefined()
    store.drillInto('email')
    await store.load(FILTERS)
    expect(breakdown).toHaveBeenLastCalledWith({ ...FILTERS, model: 'time_decay', by: 'source_medium', channel: 'email' })
  })

  it('keeps data-driven at the channel level, saying why in the words of the shared rule', async () => {
    const breakdown = vi.fn(async () => ({ ok: true as const, value: REPORT }))
    provideApi(createFakeApi({ attribution: { breakdown } }))
    const store = useChannelsStore()
    store.model = 'data_driven'
    await store.load(FILTERS)
    expect(breakdown).toHaveBeenLastCalledWith({ ...FILTERS, model: 'data_driven', by: 'channel' })
    expect(store.drillProblem).toBe(modelGroupingProblem('data_driven', 'channel', 'email'))
    expect(store.drillProblem).toContain('cannot drill')
    store.drillInto('email')
    expect(store.channel).toBeUndefined()
    expect(store.levelProblem).toBeUndefined()
  })

  it('sends no request when data-driven is chosen inside a channel, and shows the level again at the top', async () => {
    const breakdown = vi.fn(async () => ({ ok: true as const, value: REPORT }))
    provideApi(createFakeApi({ attribution: { breakdown } }))
    const store = useChannelsStore()
    store.drillInto('email')
    store.model = 'data_driven'
    await store.load(FILTERS)
    expect(breakdown).not.toHaveBeenCalled()
    expect(store.levelProblem).toBe(store.drillProblem)
    store.drillUp()
    expect(store.levelProblem).toBeUndefined()
    await store.load(FILTERS)
    expect(breakdown).toHaveBeenCalledTimes(1)
  })
})
