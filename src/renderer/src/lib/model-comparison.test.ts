import { describe, expect, it } from 'vitest'
import { MODEL_COMPARISON } from '../testing/test-rows'
import { formatPercentChange } from './format'
import { BASELINE_MODEL, changeDirection, modelComparisonRows, modelComparisonTotals, percentChange } from './model-comparison'

const rowOf = (channel: string) => modelComparisonRows(MODEL_COMPARISON).find((row) => row.channel === channel)

describe('percentChange', () => {
  it('is the change relative to the baseline, and null without one', () => {
    expect(percentChange(15, 10)).toBe(0.5)
    expect(percentChange(5, 10)).toBe(-0.5)
    expect(percentChange(10, 10)).toBe(0)
    expect(percentChange(3, 0)).toBeNull()
    expect(percentChange(0, 0)).toBeNull()
  })
})

describe('changeDirection', () => {
  it('reads a change as shown to a tenth of a percent', () => {
    expect(changeDirection(0.125)).toBe('up')
    expect(changeDirection(-0.002)).toBe('down')
    // +0.04% shows as "0.0%", so it is not coloured as a rise.
    expect(changeDirection(0.0004)).toBe('flat')
    expect(changeDirection(null)).toBe('none')
  })
})

describe('modelComparisonRows', () => {
  it('orders channels by last-click conversions, then by name', () => {
    expect(modelComparisonRows(MODEL_COMPARISON).map((row) => row.channel)).toEqual(['direct', 'email', 'paid_search', 'referral'])
  })

  it('gives each model its change vs last click for conversions and revenue', () => {
    const email = rowOf('email')
    // First click: 2 vs last click's 1 conversion (+100%), $90 vs $60 (+50%).
    expect(email?.cells.first_click).toEqual({ conversions: 2, revenue_usd: '90.00', conversions_change: 1, revenue_change: 0.5 })
    // Linear: 1.666666 vs 1 (+66.7%), $80 vs $60 (+33.3%).
    expect(email?.cells.linear.conversions_change).toBeCloseTo(0.666666, 9)
    expect(formatPercentChange(email?.cells.linear.conversions_change ?? null)).toBe('+66.7%')
    expect(formatPercentChange(email?.cells.linear.revenue_change ?? null)).toBe('+33.3%')
    // Last click against itself is flat.
    expect(email?.cells[BASELINE_MODEL].conversions_change).toBe(0)
  })

  it("says a channel lost credit: direct gets no first click, and linear gives it 1.333334 of last click's 3", () => {
    const direct = rowOf('direct')
    expect(direct?.cells.first_click.conversions_change).toBe(-1)
    expect(formatPercentChange(direct?.cells.first_click.conversions_change ?? null)).toBe('-100.0%')
    expect(direct?.cells.linear.conversions_change).toBeCloseTo((1.333334 - 3) / 3, 9)
    expect(formatPercentChange(direct?.cells.linear.conversions_change ?? null)).toBe('-55.6%')
    expect(formatPercentChange(direct?.cells.linear.revenue_change ?? null)).toBe('-61.1%')
  })

  it('has no change where last click credits the channel nothing', () => {
    const referral = rowOf('referral')
    expect(referral?.cells.first_click.conversions).toBe(1)
    expect(referral?.cells.first_click.conversions_change).toBeNull()
    expect(referral?.cells.linear.revenue_change).toBeNull()
    expect(formatPercentChange(referral?.cells.linear.conversions_change ?? null)).toBe('—')
  })
})

describe('modelComparisonTotals', () => {
  it('sums each model to the whole conversions and exact revenue, so every model totals the same', () => {
    const totals = modelComparisonTotals(MODEL_COMPARISON)
    for (const model of MODEL_COMPARISON.models) {
      expect(totals[model].conversions).toBe(MODEL_COMPARISON.totals.conversions)
      expect(totals[model].revenue_usd).toBe(MODEL_COMPARISON.totals.revenue_usd)
      expect(totals[model].conversions_change).toBe(0)
    }
  })
})

describe('any baseline', () => {
  it('orders by the baseline and measures every other model against it, the baseline itself at 0', () => {
    const rows = modelComparisonRows(MODEL_COMPARISON, 'linear')
    expect(rows.map((row) => row.channel)).toEqual(['email', 'direct', 'paid_search', 'referral'])
    // Direct: last click 3 against linear 1.333334.
    expect(rows[1]?.cells.last_click.conversions_change).toBeCloseTo(3 / 1.333334 - 1, 9)
    expect(rows[1]?.cells.linear.conversions_change).toBe(0)
    const totals = modelComparisonTotals(MODEL_COMPARISON, 'first_click')
    expect(totals.first_click.conversions_change).toBe(0)
    expect(totals.linear.conversions_change).toBe(0)
  })
})
