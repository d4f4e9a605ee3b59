import { sumAmounts } from '@shared/money'
import { describe, expect, it } from 'vitest'
import { COMPARISON_ROWS, FLOWS } from '../charts/test-rows'
import { comparisonColumnTotals, movingFlows, withDifferences } from './comparison'

describe('withDifferences', () => {
  it('adds last-minus-first differences, exact to the cent', () => {
    const rows = withDifferences(COMPARISON_ROWS)
    const direct = rows.find((row) => row.channel === 'direct')
    expect(direct?.conversions_delta).toBe(4)
    expect(direct?.revenue_delta_usd).toBe('40.50')
    const social = rows.find((row) => row.channel === 'paid_social')
    expect(social?.conversions_delta).toBe(-4)
    expect(social?.revenue_delta_usd).toBe('-40.50')
  })

  it('orders by last-click conversions, then by name', () => {
    expect(withDifferences(COMPARISON_ROWS).map((row) => row.channel)).toEqual(['direct', 'email', 'paid_social'])
  })
})

describe('comparisonColumnTotals', () => {
  it('sums every column exactly', () => {
    expect(comparisonColumnTotals(COMPARISON_ROWS)).toEqual({
      first_click_conversions: COMPARISON_ROWS.reduce((sum, row) => sum + row.first_click_conversions, 0),
      first_click_revenue_usd: sumAmounts(COMPARISON_ROWS.map((row) => row.first_click_revenue_usd)),
      last_click_conversions: COMPARISON_ROWS.reduce((sum, row) => sum + row.last_click_conversions, 0),
      last_click_revenue_usd: sumAmounts(COMPARISON_ROWS.map((row) => row.last_click_revenue_usd)),
    })
  })

  it('sums 0.10 ten times to exactly 1.00', () => {
    const rows = Array.from({ length: 10 }, () => ({ ...COMPARISON_ROWS[0]!, first_click_revenue_usd: '0.10' }))
    expect(comparisonColumnTotals(rows).first_click_revenue_usd).toBe('1.00')
  })
})

describe('movingFlows', () => {
  it('keeps flows between different channels, biggest first', () => {
    expect(movingFlows(FLOWS)).toEqual(FLOWS.filter((flow) => flow.first_click_channel !== flow.last_click_channel))
  })

  it('orders several moving flows by conversions, biggest first, and leaves out flows that keep their channel', () => {
    const flow = (first: string, last: string, conversions: number) => ({ first_click_channel: first, last_click_channel: last, conversions, revenue_usd: `${conversions}.00` })
    const flows = [flow('email', 'direct', 2), flow('direct', 'direct', 50), flow('paid_search', 'email', 7), flow('referral', 'direct', 0), flow('direct', 'email', 3)]
    expect(movingFlows(flows).map((each) => `${each.first_click_channel}>${each.last_click_channel}`)).toEqual([
      'paid_search>email',
      'direct>email',
      'email>direct',
      'referral>direct',
    ])
  })
})
