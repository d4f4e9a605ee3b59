import { describe, expect, it } from 'vitest'
import {
  formatAge,
  formatDateRange,
  formatDateTime,
  formatConversions,
  formatConversionsPrecise,
  formatInteger,
  formatPercentChange,
  formatRelativeTime,
  formatShare,
  formatSignedConversions,
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

  it('shows whole credit as integers and shared credit with one decimal in tables', () => {
    expect(formatConversions(1234)).toBe('1,234')
    // Six-decimal credits summed in floats land a hair off the whole number.
    expect(formatConversions(0.1 + 0.2 + 0.7)).toBe('1')
    expect(formatConversions(2.999_999_9)).toBe('3')
    // 400 conversions of shared credit, each rounded to 6 decimals, sum a few millionths short of 400.
    expect(formatConversions(399.999_98)).toBe('400')
    expect(formatConversions(12.97)).toBe('13.0')
    expect(formatConversions(12.333_333)).toBe('12.3')
    expect(formatConversions(1234.55)).toBe('1,234.6')
    expect(formatConversions(0.020_833)).toBe('<0.1')
    expect(formatConversions(-0.000_000_1)).toBe('0')
  })

  it('shows shared credit to two decimals in tooltips', () => {
    expect(formatConversionsPrecise(12.333_333)).toBe('12.33')
    expect(formatConversionsPrecise(0.5)).toBe('0.5')
    expect(formatConversionsPrecise(7)).toBe('7')
    expect(formatConversionsPrecise(0.001)).toBe('<0.01')
    expect(formatConversionsPrecise(12.97)).toBe('12.97')
  })

  it('signs differences of credit', () => {
    expect(formatSignedConversions(3)).toBe('+3')
    expect(formatSignedConversions(-1.25)).toBe('-1.3')
    expect(formatSignedConversions(1.25, { isPrecise: true })).toBe('+1.25')
    expect(formatSignedConversions(0.1 + 0.2 - 0.3)).toBe('0')
  })

  it('formats a change vs a baseline as a signed percentage, and no baseline as a dash', () => {
    expect(formatPercentChange(0.125)).toBe('+12.5%')
    expect(formatPercentChange(-0.03)).toBe('-3.0%')
    expect(formatPercentChange(12.5)).toBe('+1,250.0%')
    expect(formatPercentChange(0.0004)).toBe('0.0%')
    expect(formatPercentChange(null)).toBe('—')
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
