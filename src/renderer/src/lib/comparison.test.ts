import { sumAmounts } from '@shared/money'
import { describe, expect, it } from 'vitest'
import { COMPARISON_ROWS, FLOWS, LINEAR_VS_LAST_FLOWS, LINEAR_VS_LAST_ROWS } from '../testing/test-rows'
import { comparisonColumnTotals, movingFlows, roundCredit, withDifferences } from './comparison'

describe('withDifferences', () => {
  it('adds b-minus-a differences, exact to the cent', () => {
    const rows = withDifferences(COMPARISON_ROWS)
    const direct = rows.find((row) => row.channel === 'direct')
    expect(direct?.conversions_delta).toBe(4)
    expect(direct?.revenue_delta_usd).toBe('40.50')
    const social = rows.find((row) => row.channel === 'paid_social')
    expect(social?.conversions_delta).toBe(-4)
    expect(social?.revenue_delta_usd).toBe('-40.50')
  })

  it('orders by model b conversions, then by name', () => {
    expect(withDifferences(COMPARISON_ROWS).map((row) => row.channel)).toEqual(['direct', 'email', 'paid_social'])
  })

  it('keeps fractional differences to the 6 decimals credit comes in', () => {
    const rows = withDifferences(LINEAR_VS_LAST_ROWS)
    const byChannel = Object.fromEntries(rows.map((row) => [row.channel, row.conversions_delta]))
    // Each channel's difference, re-derived from the rows: last click minus linear.
    for (const row of LINEAR_VS_LAST_ROWS) expect(byChannel[row.channel]).toBe(roundCredit(row.b_conversions - row.a_conversions))
    expect(byChannel.email).toBe(-0.666666)
    expect(byChannel.direct).toBe(1.166666)
    expect(byChannel.paid_search).toBe(-0.5)
  })
})

describe('comparisonColumnTotals', () => {
  it('sums every column exactly', () => {
    expect(comparisonColumnTotals(COMPARISON_ROWS)).toEqual({
      a_conversions: COMPARISON_ROWS.reduce((sum, row) => sum + row.a_conversions, 0),
      a_revenue_usd: sumAmounts(COMPARISON_ROWS.map((row) => row.a_revenue_usd)),
      b_conversions: COMPARISON_ROWS.reduce((sum, row) => sum + row.b_conversions, 0),
      b_revenue_usd: sumAmounts(COMPARISON_ROWS.map((row) => row.b_revenue_usd)),
    })
  })

  it('sums shared credit back to whole conversions without float noise', () => {
    // Linear credits 0.333333 + 0.333333 + 0.333334 to a three-session journey: the column adds up to whole conversions again.
    const totals = comparisonColumnTotals(LINEAR_VS_LAST_ROWS)
    expect(totals.a_conversions).toBe(3)
    expect(totals.b_conversions).toBe(3)
  })

  it('sums 0.10 ten times to exactly 1.00', () => {
    const rows = Array.from({ length: 10 }, () => ({ ...COMPARISON_ROWS[0]!, a_revenue_usd: '0.10' }))
    expect(comparisonColumnTotals(rows).a_revenue_usd).toBe('1.00')
  })
})

describe('movingFlows', () => {
  it('keeps flows between different channels, biggest first', () => {
    expect(movingFlows(FLOWS)).toEqual(FLOWS.filter((flow) => flow.a_channel !== flow.b_channel))
  })

  it('orders several moving flows by conversions, biggest first, and leaves out flows that keep their channel', () => {
    const flow = (a: string, b: string, conversions: number) => ({
      a_channel: a,
      b_channel: b,
      conversions,
      revenue_usd: `${conversions}.00`,
    })
    const flows = [
      flow('email', 'direct', 2),
      flow('direct', 'direct', 50),
      flow('paid_search', 'email', 7),
      flow('referral', 'direct', 0),
      flow('direct', 'email', 3),
    ]
    expect(movingFlows(flows).map((each) => `${each.a_channel}>${each.b_channel}`)).toEqual([
      'paid_search>email',
      'direct>email',
      'email>direct',
      'referral>direct',
    ])
  })

  it('orders fractional flows of shared credit', () => {
    expect(movingFlows(LINEAR_VS_LAST_FLOWS).map((each) => [each.a_channel, each.b_channel, each.conversions])).toEqual([
      ['email', 'direct', 0.666666],
      ['paid_search', 'direct', 0.5],
    ])
  })
})
