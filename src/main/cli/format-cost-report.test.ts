import { describe, expect, it } from 'vitest'
import { type CostReturnResult, costCell } from '@shared/cost-return'
import { formatCostReport } from './format-cost-report'

// google / cpc / brand at lookback 7 from the dbt unit test cost_joins_credit_by_day_and_campaign_at_every_lookback.
const firstClick = { creditMicros: 1_000_000n, revenueCents: 5000n, costCents: 5000n }
const lastClick = { creditMicros: 0n, revenueCents: 0n, costCents: 5000n }
const RESULT: CostReturnResult = {
  lookback_days: 7,
  conversion_events: ['purchase'],
  by: 'channel',
  baseline: 'last_click',
  models: ['first_click', 'last_click'],
  rows: [
    {
      channel: 'Paid Search',
      cost_usd: '50.00',
      cells: { first_click: costCell(firstClick, lastClick), last_click: costCell(lastClick, lastClick) },
    },
    {
      channel: 'Email',
      cost_usd: '0.00',
      cells: {
        first_click: costCell(
          { creditMicros: 0n, revenueCents: 0n, costCents: 0n },
          { creditMicros: 1_000_000n, revenueCents: 5000n, costCents: 0n },
        ),
        last_click: costCell(
          { creditMicros: 1_000_000n, revenueCents: 5000n, costCents: 0n },
          { creditMicros: 1_000_000n, revenueCents: 5000n, costCents: 0n },
        ),
      },
    },
  ],
  totals: { cost_usd: '50.00', cells: {} },
  disagreements: [],
  trend: { models: ['last_click', 'first_click'], channel: 'Paid Search', days: [] },
}

describe('report --with-cost', () => {
  it('prints one CSV line per group and model, empty where there is no ROAS or cost per conversion', () => {
    expect(formatCostReport(RESULT, 'csv').split('\r\n')).toEqual([
      'channel,model,cost_usd,conversions,revenue_usd,cost_per_conversion_usd,roas,roas_difference_vs_last_click',
      'Paid Search,first_click,50.00,1,50.00,50.00,1.00,1.00',
      'Paid Search,last_click,50.00,0,0.00,,0.00,0.00',
      'Email,first_click,0.00,0,0.00,,,',
      'Email,last_click,0.00,1,50.00,,,',
      '',
    ])
  })

  it('shows "—" in the table, and JSON is the view\'s answer as it is', () => {
    const table = formatCostReport(RESULT, 'table')
    expect(table).toMatch(/^Cost & return, 7-day lookback, conversions: purchase; total cost 50\.00 USD/)
    expect(table.split('\n').find((line) => line.startsWith('Email') && line.includes('last_click'))).toMatch(/50\.00\s+—\s+—\s+—$/)
    expect(JSON.parse(formatCostReport(RESULT, 'json'))).toEqual(JSON.parse(JSON.stringify(RESULT)))
  })
})
