import { LOOKBACK_DEFAULT_DAYS, LOOKBACK_MAX_DAYS, LOOKBACK_MIN_DAYS } from '@shared/attribution'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_MODEL_PAIR, LOOKBACK_DEBOUNCE_MS, clampLookback, commitLookbackText, useFiltersStore } from './filters'

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

  it('toggles conversion events (any GA4 event name) in name order and keeps at least one', () => {
    const filters = useFiltersStore()
    filters.toggleConversionEvent('add_to_cart')
    filters.toggleConversionEvent('begin_checkout')
    expect(filters.conversionEvents).toEqual(['add_to_cart', 'begin_checkout', 'purchase'])
    filters.toggleConversionEvent('purchase')
    filters.toggleConversionEvent('begin_checkout')
    expect(filters.conversionEvents).toEqual(['add_to_cart'])
    filters.toggleConversionEvent('add_to_cart')
    expect(filters.conversionEvents).toEqual(['add_to_cart'])
    filters.toggleConversionEvent('generate_lead')
    expect(filters.conversionEvents).toEqual(['add_to_cart', 'generate_lead'])
  })

  it('sends the date range only when set, and flags a reversed one without sending it', () => {
    const filters = useFiltersStore()
    filters.setDateRange('2026-11-10', '')
    expect(filters.dashboardFilters).toMatchObject({ fromDate: '2026-11-10' })
    expect(filters.dashboardFilters).not.toHaveProperty('toDate')
    const before = filters.dashboardFilters
    filters.setDateRange('2026-11-10', '2026-11-01')
    expect(filters.dateRangeProblem).toBeDefined()
    // The same object: no view reloads, so the only message is the one at the date control.
    expect(filters.dashboardFilters).toBe(before)
    filters.setDateRange('2026-11-01', '2026-11-10')
    expect(filters.dateRangeProblem).toBeUndefined()
    expect(filters.dashboardFilters).toMatchObject({ fromDate: '2026-11-01', toDate: '2026-11-10' })
  })

  it('keeps one model pair, first click vs last click by default, set side by side or swapped', () => {
    const filters = useFiltersStore()
    expect(DEFAULT_MODEL_PAIR).toEqual(['first_click', 'last_click'])
    expect(filters.modelPair).toEqual(DEFAULT_MODEL_PAIR)
    filters.setPairModel(0, 'linear')
    filters.setPairModel(1, 'data_driven')
    expect(filters.modelPair).toEqual(['linear', 'data_driven'])
    filters.swapModelPair()
    expect(filters.modelPair).toEqual(['data_driven', 'linear'])
    // The pair is not a filter: changing it leaves the filters every view sends alone.
    expect(filters.dashboardFilters).toEqual({ lookbackDays: LOOKBACK_DEFAULT_DAYS, conversionEvents: ['purchase'] })
  })

  it('reads typed lookback text on commit, keeping leading zeros and saying when it clamps', () => {
    expect(commitLookbackText('07', 14)).toEqual({ days: 7 })
    expect(commitLookbackText(String(LOOKBACK_MAX_DAYS + 30), 14)).toEqual({
      days: LOOKBACK_MAX_DAYS,
      problem: `${LOOKBACK_MIN_DAYS}–${LOOKBACK_MAX_DAYS} whole days: set to ${LOOKBACK_MAX_DAYS}`,
    })
    expect(commitLookbackText('0', 14)).toMatchObject({
      days: LOOKBACK_MIN_DAYS,
      problem: expect.stringContaining(`set to ${LOOKBACK_MIN_DAYS}`),
    })
    expect(commitLookbackText('7.6', 14)).toMatchObject({ days: 8, problem: expect.stringContaining('set to 8') })
    expect(commitLookbackText('', 14)).toMatchObject({ days: 14, problem: expect.stringContaining('kept 14') })
  })
})
