import { LOOKBACK_DEFAULT_DAYS, LOOKBACK_MAX_DAYS, LOOKBACK_MIN_DAYS } from '@shared/attribution'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LOOKBACK_DEBOUNCE_MS, clampLookback, useFiltersStore } from './filters'

describe('useFiltersStore', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('starts with the defaults', () => {
    const filters = useFiltersStore()
    expect(filters.dashboardFilters).toEqual({ lookbackDays: LOOKBACK_DEFAULT_DAYS, conversionEvents: ['purchase'] })
  })

  it('shows a new lookback at once but applies it only after the debounce', () => {
    const filters = useFiltersStore()
    filters.setLookback(30)
    filters.setLookback(31)
    expect(filters.lookbackInput).toBe(31)
    expect(filters.dashboardFilters.lookbackDays).toBe(LOOKBACK_DEFAULT_DAYS)
    vi.advanceTimersByTime(LOOKBACK_DEBOUNCE_MS)
    expect(filters.dashboardFilters.lookbackDays).toBe(31)
  })

  it('clamps the lookback into the supported window', () => {
    expect(clampLookback(0)).toBe(LOOKBACK_MIN_DAYS)
    expect(clampLookback(500)).toBe(LOOKBACK_MAX_DAYS)
    expect(clampLookback(7.6)).toBe(8)
    expect(clampLookback(Number.NaN)).toBe(LOOKBACK_DEFAULT_DAYS)
  })

  it('toggles conversion events in contract order and keeps at least one', () => {
    const filters = useFiltersStore()
    filters.toggleConversionEvent('add_to_cart')
    filters.toggleConversionEvent('begin_checkout')
    expect(filters.conversionEvents).toEqual(['purchase', 'begin_checkout', 'add_to_cart'])
    filters.toggleConversionEvent('purchase')
    filters.toggleConversionEvent('begin_checkout')
    expect(filters.conversionEvents).toEqual(['add_to_cart'])
    filters.toggleConversionEvent('add_to_cart')
    expect(filters.conversionEvents).toEqual(['add_to_cart'])
  })

  it('sends the date range only when set, and flags a reversed one', () => {
    const filters = useFiltersStore()
    filters.setDateRange('2026-11-10', '')
    expect(filters.dashboardFilters).toMatchObject({ fromDate: '2026-11-10' })
    expect(filters.dashboardFilters).not.toHaveProperty('toDate')
    filters.setDateRange('2026-11-10', '2026-11-01')
    expect(filters.dateRangeProblem).toBeDefined()
  })
})
