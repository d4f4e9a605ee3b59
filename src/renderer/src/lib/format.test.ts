import { describe, expect, it } from 'vitest'
import {
  formatAge,
  formatDateRange,
  formatDateTime,
  formatInteger,
  formatRelativeTime,
  formatShare,
  formatSignedInteger,
  formatSignedUsd,
  formatUsd,
  formatUsdShort,
  formatUsdWithCents,
  shortenPath,
} from './format'

describe('money formatting', () => {
  it('adds a dollar sign, thousands separators and two decimals', () => {
    expect(formatUsd('1234.5')).toBe('$1,234.50')
    expect(formatUsd('0')).toBe('$0.00')
    expect(formatUsd('1234567.89')).toBe('$1,234,567.89')
    expect(formatUsd('999.99')).toBe('$999.99')
  })

  it('keeps cents exact for amounts floats cannot hold', () => {
    expect(formatUsd('90071992547409.93')).toBe('$90,071,992,547,409.93')
  })

  it('puts the sign before the dollar sign', () => {
    expect(formatUsd('-1234.50')).toBe('-$1,234.50')
    expect(formatSignedUsd('12')).toBe('+$12.00')
    expect(formatSignedUsd('-0.5')).toBe('-$0.50')
    expect(formatSignedUsd('0.00')).toBe('$0.00')
  })

  it('rounds raw event values with more decimals for display, and shows non-amounts as they are', () => {
    expect(formatUsd('12.345')).toBe('$12.35')
    expect(formatUsd('n/a')).toBe('n/a')
  })

  it('abbreviates axis amounts', () => {
    expect(formatUsdShort(950)).toBe('$950')
    expect(formatUsdShort(12_300)).toBe('$12.3k')
    expect(formatUsdShort(2_000_000)).toBe('$2M')
  })
})

describe('number formatting', () => {
  it('formats counts and signed differences', () => {
    expect(formatInteger(1234567)).toBe('1,234,567')
    expect(formatSignedInteger(12)).toBe('+12')
    expect(formatSignedInteger(-1200)).toBe('-1,200')
    expect(formatSignedInteger(0)).toBe('0')
  })

  it('formats shares as percentages', () => {
    expect(formatShare(0.1234)).toBe('12.3%')
    expect(formatShare(0)).toBe('0.0%')
    expect(formatShare(1)).toBe('100.0%')
  })
})

describe('time formatting', () => {
  const now = Date.parse('2026-11-26T12:00:00Z')
  it('says how long ago', () => {
    expect(formatRelativeTime('2026-11-26T11:59:40Z', now)).toBe('just now')
    expect(formatRelativeTime('2026-11-26T11:58:00Z', now)).toBe('2 min ago')
    expect(formatRelativeTime('2026-11-26T09:00:00Z', now)).toBe('3 h ago')
    expect(formatRelativeTime('2026-11-25T12:00:00Z', now)).toBe('1 day ago')
    expect(formatRelativeTime('2026-11-21T12:00:00Z', now)).toBe('5 days ago')
    expect(formatRelativeTime(null, now)).toBe('never')
    expect(formatRelativeTime('garbage', now)).toBe('unknown')
  })

  it('counts seconds for the first minute of live freshness', () => {
    const now = Date.parse('2026-11-26T12:00:00Z')
    expect(formatAge('2026-11-26T12:00:00.400Z', now)).toBe('just now')
    expect(formatAge('2026-11-26T11:59:59.500Z', now)).toBe('just now')
    expect(formatAge('2026-11-26T11:59:57Z', now)).toBe('3 s ago')
    expect(formatAge('2026-11-26T11:59:01Z', now)).toBe('59 s ago')
    expect(formatAge('2026-11-26T11:58:00Z', now)).toBe('2 min ago')
    expect(formatAge(null, now)).toBe('never')
  })

  it('formats timestamps sortably', () => {
    expect(formatDateTime('2026-11-26T12:34:56Z')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    expect(formatDateTime('garbage')).toBe('garbage')
  })
})

describe('shortenPath', () => {
  it('keeps short locations and cuts long paths to their last segments', () => {
    expect(shortenPath('my-project.analytics_123')).toBe('my-project.analytics_123')
    expect(shortenPath('/home/analyst/.config/realtime-attribution/warehouse.duckdb')).toBe('…/warehouse.duckdb')
    expect(shortenPath('/home/analyst/.config/app/warehouse.duckdb')).toBe('…/.config/app/warehouse.duckdb')
    expect(shortenPath('C:\\Users\\ana\\AppData\\Roaming\\app\\warehouse.duckdb')).toBe('…/Roaming/app/warehouse.duckdb')
  })
})

describe('axis and title formatting', () => {
  it('shows cents for small axis amounts, so ticks 0.25 apart read differently', () => {
    expect([0, 0.25, 0.5, 1].map(formatUsdWithCents)).toEqual(['$0.00', '$0.25', '$0.50', '$1.00'])
    expect(formatUsdWithCents(-1.5)).toBe('-$1.50')
  })

  it('names a date range by its days, with the year once when both ends share it', () => {
    expect(formatDateRange('2020-12-01', '2020-12-14')).toBe('1 Dec – 14 Dec 2020')
    expect(formatDateRange('2020-12-28', '2021-01-03')).toBe('28 Dec 2020 – 3 Jan 2021')
    expect(formatDateRange('2020-12-01', '2020-12-01')).toBe('1 Dec 2020')
  })
})
