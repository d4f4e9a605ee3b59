import { describe, expect, it } from 'vitest'
import {
  type CostReturnRow,
  costCell,
  costPerConversionCents,
  rankDisagreements,
  roasHundredths,
  validateCostReturnRequest,
} from './cost-return'

describe('cost per conversion and ROAS, worked by hand', () => {
  it('divides to the cent, half up', () => {
    // 30.00 / 1 conversion = 30.00; 10.00 / (1/3 conversion as 333,333 millionths) = 30.00003 -> 30.00.
    expect(costPerConversionCents(3000n, 1_000_000n)).toBe(3000n)
    expect(costPerConversionCents(1000n, 333_333n)).toBe(3000n)
    // 0.05 / 2 conversions = 0.025 -> 0.03 (half up).
    expect(costPerConversionCents(5n, 2_000_000n)).toBe(3n)
    expect(costPerConversionCents(2000n, 0n)).toBeNull()
    // No cost recorded (organic channels): unknown, not free.
    expect(costPerConversionCents(0n, 1_000_000n)).toBeNull()
  })

  it('gives ROAS to two decimals, and none where cost is 0', () => {
    // 50.00 / 30.00 = 1.666... -> 1.67; 50.00 / 50.00 = 1.00; 0 / 20.00 = 0.00.
    expect(roasHundredths(5000n, 3000n)).toBe(167n)
    expect(roasHundredths(5000n, 5000n)).toBe(100n)
    expect(roasHundredths(0n, 2000n)).toBe(0n)
    expect(roasHundredths(5000n, 0n)).toBeNull()
  })

  it('compares a cell with the baseline model', () => {
    // google / cpc / brand at lookback 7 (dbt unit test cost_joins_credit_by_day_and_campaign_at_every_lookback):
    // first click: 1 conversion, 50.00 revenue, 50.00 cost; last click (baseline): none of either.
    const firstClick = { creditMicros: 1_000_000n, revenueCents: 5000n, costCents: 5000n }
    const lastClick = { creditMicros: 0n, revenueCents: 0n, costCents: 5000n }
    expect(costCell(firstClick, lastClick)).toEqual({
      conversions: 1,
      revenue_usd: '50.00',
      cost_per_conversion_usd: '50.00',
      roas: '1.00',
      roas_change: '1.00',
      conversions_change: 1,
    })
    expect(costCell(lastClick, lastClick)).toEqual({
      conversions: 0,
      revenue_usd: '0.00',
      cost_per_conversion_usd: null,
      roas: '0.00',
      roas_change: '0.00',
      conversions_change: 0,
    })
  })
})

describe('where models disagree most', () => {
  const row = (channel: string, cost: string, roas: Record<string, string | null>): CostReturnRow => ({
    channel,
    cost_usd: cost,
    cells: Object.fromEntries(
      Object.entries(roas).map(([model, value]) => [
        model,
        { conversions: 0, revenue_usd: '0.00', cost_per_conversion_usd: null, roas: value, roas_change: null, conversions_change: 0 },
      ]),
    ),
  })

  it('ranks channels with cost by ROAS per model and lists the largest rank gaps', () => {
    // first click ranks A 1, B 2, C 3; last click ranks C 1, B 2, A 3: A and C move by 2, B by none.
    const rows = [
      row('A', '10.00', { first_click: '3.00', last_click: '0.50' }),
      row('B', '10.00', { first_click: '2.00', last_click: '1.00' }),
      row('C', '10.00', { first_click: '1.00', last_click: '4.00' }),
      row('Organic Search', '0.00', { first_click: null, last_click: null }),
    ]
    expect(rankDisagreements(rows, ['first_click', 'last_click'])).toEqual([
      { group: 'A', model_a: 'first_click', model_b: 'last_click', rank_a: 1, rank_b: 3, rank_difference: 2 },
      { group: 'C', model_a: 'first_click', model_b: 'last_click', rank_a: 3, rank_b: 1, rank_difference: 2 },
    ])
  })
})

describe('validating a cost & return request', () => {
  it('fills the defaults and refuses data_driven in the daily trend', () => {
    const ok = validateCostReturnRequest({ lookbackDays: 30, conversionEvents: ['purchase'] })
    expect(ok).toEqual({
      ok: true,
      value: {
        lookbackDays: 30,
        conversionEvents: ['purchase'],
        by: 'channel',
        baseline: 'last_click',
        trendModels: ['last_click', 'first_click'],
      },
    })
    const bad = validateCostReturnRequest({ lookbackDays: 30, conversionEvents: ['purchase'], trendModels: ['data_driven', 'linear'] })
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/rule-based/) })
    expect(validateCostReturnRequest({ lookbackDays: 91, conversionEvents: ['purchase'] })).toMatchObject({ ok: false })
    expect(validateCostReturnRequest({ lookbackDays: 7, conversionEvents: ['purchase'], by: 'day' })).toMatchObject({ ok: false })
  })
})
