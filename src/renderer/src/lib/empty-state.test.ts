import { LOOKBACK_MAX_DAYS } from '@shared/attribution'
import { describe, expect, it } from 'vitest'
import { emptyHint, isZeroRevenue } from './empty-state'

describe('emptyHint', () => {
  it('suggests only what can still add conversions', () => {
    expect(emptyHint({ lookbackDays: 14, conversionEvents: ['purchase'] }, 3)).toBe('Try a longer lookback or more conversion events.')
    expect(emptyHint({ lookbackDays: LOOKBACK_MAX_DAYS, conversionEvents: ['purchase'], fromDate: '2021-01-01' }, 3)).toBe(
      'Try more conversion events or a wider date range.',
    )
    expect(emptyHint({ lookbackDays: 14, conversionEvents: ['purchase', 'begin_checkout', 'add_to_cart'], toDate: '2021-01-01' }, 3)).toBe(
      'Try a longer lookback or a wider date range.',
    )
  })

  it('says the warehouse has nothing when no filter change can help', () => {
    expect(emptyHint({ lookbackDays: LOOKBACK_MAX_DAYS, conversionEvents: ['purchase', 'begin_checkout', 'add_to_cart'] }, 3)).toBe(
      'No conversion in the warehouse matches: import or stream events, then refresh.',
    )
  })
})

describe('isZeroRevenue', () => {
  it('is true only for a revenue chart whose amounts are all 0', () => {
    expect(isZeroRevenue('revenue', ['0.00', 0])).toBe(true)
    expect(isZeroRevenue('revenue', ['0.00', '1.50'])).toBe(false)
    expect(isZeroRevenue('conversions', ['0.00'])).toBe(false)
    expect(isZeroRevenue('revenue', [])).toBe(false)
  })
})
