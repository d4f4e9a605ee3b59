import type { TrendsResult } from '@shared/api'
import type { Result } from '@shared/attribution'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { provideApi } from '@renderer/api'
import { createFakeApi } from '@renderer/api/fake-api'
import { TRENDS_BY_CHANNEL } from '@renderer/testing/test-rows'
import { formatDateRange } from '@renderer/lib/format'
import { TREND_DAYS, TREND_MAX_DAYS, trendDaysFor, trendsHeading, useTrendsStore } from './trends-store'

const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase' as const] }
const PAIR = ['first_click', 'last_click'] as const
/** A promise the test resolves by hand, to hold a request in flight. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined
  const promise = new Promise<T>((done) => (resolve = done))
  return { promise, resolve }
}

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => provideApi(undefined))
const answered = (from_date: string, to_date: string) => ({ ...TRENDS_BY_CHANNEL, from_date, to_date })

describe('trendsHeading', () => {
  it('says "last days of data" without a date range, naming the days in the note', () => {
    expect(trendsHeading(answered('2020-12-01', '2020-12-14'), FILTERS)).toEqual({
      title: `Last ${TREND_DAYS} days of data`,
      note: formatDateRange('2020-12-01', '2020-12-14'),
    })
  })

  it('titles a chosen range by the days shown', () => {
    const filters = { ...FILTERS, fromDate: '2020-12-01', toDate: '2020-12-14' }
    expect(trendsHeading(answered('2020-12-01', '2020-12-14'), filters)).toEqual({ title: '1 Dec – 14 Dec 2020' })
  })

  it('names an empty chosen range by its dates, not "Chosen dates"', () => {
    expect(trendsHeading(undefined, { ...FILTERS, fromDate: '2020-12-01', toDate: '2020-12-14' }).title).toBe('1 Dec – 14 Dec 2020')
    expect(trendsHeading(undefined, { ...FILTERS, fromDate: '2020-12-01' }).title).toBe('From 1 Dec 2020')
    expect(trendsHeading(undefined, { ...FILTERS, toDate: '2020-12-14' }).title).toBe('Up to 14 Dec 2020')
  })

  it('says when a long range was cut to its newest days', () => {
    const filters = { ...FILTERS, fromDate: '2020-01-01', toDate: '2020-12-31' }
    const heading = trendsHeading(answered('2020-10-03', '2020-12-31'), filters)
    expect(heading.title).toBe('3 Oct – 31 Dec 2020')
    expect(heading.note).toContain(`at most ${TREND_MAX_DAYS} days`)
  })
})

describe('trendDaysFor', () => {
  it('asks for the default window without a start date and the longest one with it', () => {
    expect(trendDaysFor(FILTERS)).toBe(TREND_DAYS)
    expect(trendDaysFor({ ...FILTERS, toDate: '2020-12-14' })).toBe(TREND_DAYS)
    expect(trendDaysFor({ ...FILTERS, fromDate: '2020-12-01' })).toBe(TREND_MAX_DAYS)
  })
})

describe('useTrendsStore', () => {
  it('asks for channels under both models, lists both for the difference and the chosen model by channel', async () => {
    const trends = vi.fn(async () => ({ ok: true as const, value: TRENDS_BY_CHANNEL satisfies TrendsResult }))
    provideApi(createFakeApi({ attribution: { trends } }))
    const store = useTrendsStore()
    await store.load(FILTERS, PAIR)
    expect(trends).toHaveBeenLastCalledWith({ ...FILTERS, models: ['first_click', 'last_click'], days: TREND_DAYS, byChannel: true })
    expect(store.visiblePoints.map((point) => [point.date, point.model, point.channel])).toEqual([
      ['2026-11-01', 'first_click', 'paid_search'],
      ['2026-11-01', 'last_click', 'direct'],
      ['2026-11-01', 'last_click', 'email'],
      ['2026-11-02', 'last_click', 'direct'],
    ])
    store.isByChannel = true
    expect(store.model).toBe('last_click')
    expect(store.visiblePoints.map((point) => [point.date, point.channel])).toEqual([
      ['2026-11-01', 'direct'],
      ['2026-11-01', 'email'],
      ['2026-11-02', 'direct'],
    ])
    store.channelSide = 'a'
    expect(store.model).toBe('first_click')
    expect(store.visiblePoints.map((point) => point.channel)).toEqual(['paid_search'])
  })

  it('lists model b after model a whatever their names, and asks once for a model compared with itself', async () => {
    const trends = vi.fn(async () => ({ ok: true as const, value: TRENDS_BY_CHANNEL satisfies TrendsResult }))
    provideApi(createFakeApi({ attribution: { trends } }))
    const store = useTrendsStore()
    await store.load(FILTERS, ['last_click', 'first_click'])
    expect(store.visiblePoints.slice(0, 2).map((point) => point.model)).toEqual(['last_click', 'last_click'])
    expect(store.visiblePoints.at(-1)?.model).toBe('last_click')
    expect(store.visiblePoints.findIndex((point) => point.model === 'first_click')).toBe(2)
    await store.load(FILTERS, ['linear', 'linear'])
    expect(trends).toHaveBeenLastCalledWith({ ...FILTERS, models: ['linear'], days: TREND_DAYS, byChannel: true })
  })

  it('reads the shown answer with the pair it was asked for until the new pair answers', async () => {
    const slow = deferred<Result<TrendsResult>>()
    const answers = [Promise.resolve({ ok: true as const, value: TRENDS_BY_CHANNEL }), slow.promise]
    provideApi(createFakeApi({ attribution: { trends: () => answers.shift() ?? slow.promise } }))
    const store = useTrendsStore()
    await store.load(FILTERS, PAIR)
    const pending = store.load(FILTERS, ['linear', 'time_decay'])
    expect(store.models).toEqual(['first_click', 'last_click'])
    slow.resolve({ ok: true, value: { ...TRENDS_BY_CHANNEL, points: [] } })
    await pending
    expect(store.models).toEqual(['linear', 'time_decay'])
    expect(store.model).toBe('time_decay')
  })

  it('asks for up to the longest window when a start date is set', async () => {
    const trends = vi.fn(async () => ({ ok: true as const, value: TRENDS_BY_CHANNEL satisfies TrendsResult }))
    provideApi(createFakeApi({ attribution: { trends } }))
    await useTrendsStore().load({ ...FILTERS, fromDate: '2026-11-01', toDate: '2026-11-02' }, PAIR)
    expect(trends).toHaveBeenLastCalledWith({
      ...FILTERS,
      fromDate: '2026-11-01',
      toDate: '2026-11-02',
      models: ['first_click', 'last_click'],
      days: TREND_MAX_DAYS,
      byChannel: true,
    })
  })
})
