import { describe, expect, it } from 'vitest'
import { STALE_AFTER_MS, dataFreshness, formatDayMonthYear } from './freshness'
import { formatRelativeTime } from './format'

const NEWEST = '2021-01-19T12:00:00Z'
const at = Date.parse(NEWEST)

describe('dataFreshness', () => {
  it('is fresh, counting time, within two days of the newest event', () => {
    expect(dataFreshness(NEWEST, at + 5 * 60_000, formatRelativeTime)).toEqual({ state: 'fresh', text: 'data as of 5 min ago' })
    expect(dataFreshness(NEWEST, at + STALE_AFTER_MS, formatRelativeTime).state).toBe('fresh')
  })

  it('is stale after that, and then names the date instead of counting days', () => {
    const stale = dataFreshness(NEWEST, at + 2142 * 24 * 3_600_000, formatRelativeTime)
    expect(stale).toEqual({ state: 'stale', text: `data as of ${formatDayMonthYear(NEWEST)}` })
    expect(stale.text).toMatch(/^data as of (18|19|20) Jan 2021$/)
  })

  it('says when the newest event time is unknown', () => {
    expect(dataFreshness(null, at, formatRelativeTime)).toEqual({ state: 'none', text: 'newest event unknown' })
  })
})
