import { describe, expect, it } from 'vitest'
import { TRENDS_BY_CHANNEL } from '../charts/test-rows'
import { formatDateRange } from '../lib/format'
import { TREND_DAYS, TREND_MAX_DAYS, trendDaysFor, trendsHeading } from './trends'

const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase' as const] }
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
