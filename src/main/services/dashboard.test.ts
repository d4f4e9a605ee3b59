import { describe, expect, it } from 'vitest'
import { ATTRIBUTION_MODELS } from '../../shared/attribution'
import type { ChannelFlow } from '../../shared/api'
import { createRng } from '../generator/rng'
import type { DailyTrendRows } from '../warehouse/warehouse'
import { comparisonFromFlows, lastDays, trendsFromDailyRows } from './dashboard'

const flow = (first: string, last: string, conversions: number, revenue_usd: string): ChannelFlow => ({
  first_click_channel: first,
  last_click_channel: last,
  conversions,
  revenue_usd,
})

/** Whole cents as an amount string, written out independently of the code under test. */
function usd(cents: number): string {
  const sign = cents < 0 ? '-' : ''
  const magnitude = Math.abs(cents)
  return `${sign}${Math.floor(magnitude / 100)}.${String(magnitude % 100).padStart(2, '0')}`
}

describe('comparisonFromFlows', () => {
  // organic_search -> email 3 ($30.10), email -> email 2 ($20.05), direct -> organic_search 1 ($9.99),
  // organic_search -> organic_search 4 ($0.01): 10 conversions, of which 3 + 1 = 4 change channel.
  const FLOWS = [
    flow('organic_search', 'email', 3, '30.10'),
    flow('email', 'email', 2, '20.05'),
    flow('direct', 'organic_search', 1, '9.99'),
    flow('organic_search', 'organic_search', 4, '0.01'),
  ]

  it('credits each flow to its first channel under first click and its last channel under last click', () => {
    expect(comparisonFromFlows(FLOWS).rows).toEqual([
      // first: 3 + 4 = 7 ($30.10 + $0.01); last: 1 + 4 = 5 ($9.99 + $0.01)
      { channel: 'organic_search', first_click_conversions: 7, first_click_revenue_usd: '30.11', last_click_conversions: 5, last_click_revenue_usd: '10.00' },
      // first: 2 ($20.05); last: 3 + 2 = 5 ($30.10 + $20.05)
      { channel: 'email', first_click_conversions: 2, first_click_revenue_usd: '20.05', last_click_conversions: 5, last_click_revenue_usd: '50.15' },
      // first: 1 ($9.99); last: none
      { channel: 'direct', first_click_conversions: 1, first_click_revenue_usd: '9.99', last_click_conversions: 0, last_click_revenue_usd: '0.00' },
    ])
  })

  it('totals every flow once and counts the conversions whose channel changes as moved', () => {
    const result = comparisonFromFlows(FLOWS)
    expect(result.totals).toEqual({ conversions: 3 + 2 + 1 + 4, revenue_usd: '60.15' })
    expect(result.moved_conversions).toBe(3 + 1)
    expect(result.moved_share).toBe(4 / 10)
    expect(result.flows).toEqual(FLOWS)
  })

  it('answers zeros, not NaN, when there are no conversions', () => {
    const empty = comparisonFromFlows([])
    expect(empty).toEqual({ rows: [], flows: [], totals: { conversions: 0, revenue_usd: '0.00' }, moved_conversions: 0, moved_share: 0 })
    const zeroFlow = comparisonFromFlows([flow('email', 'direct', 0, '0.00')])
    expect(zeroFlow.moved_conversions).toBe(0)
    expect(zeroFlow.moved_share).toBe(0)
    expect(zeroFlow.totals).toEqual({ conversions: 0, revenue_usd: '0.00' })
  })

  it('gives a share of exactly 1 when every conversion moves', () => {
    const result = comparisonFromFlows([flow('email', 'direct', 2, '10.00'), flow('direct', 'paid_search', 5, '7.50'), flow('paid_search', 'email', 1, '1.00')])
    expect(result.moved_conversions).toBe(2 + 5 + 1)
    expect(result.moved_share).toBe(1)
  })

  it('moves nothing when every flow keeps its channel, and both models agree on every row', () => {
    const result = comparisonFromFlows([flow('email', 'email', 2, '10.00'), flow('direct', 'direct', 5, '7.50')])
    expect(result.moved_conversions).toBe(0)
    expect(result.moved_share).toBe(0)
    for (const row of result.rows) {
      expect(row.last_click_conversions).toBe(row.first_click_conversions)
      expect(row.last_click_revenue_usd).toBe(row.first_click_revenue_usd)
    }
  })

  it('sums revenue to the cent from decimal strings, where floating point would drift', () => {
    const tenDimes = Array.from({ length: 10 }, (_, index) => flow(index % 2 === 0 ? 'email' : 'direct', 'direct', 1, '0.10'))
    expect(tenDimes.map((each) => Number(each.revenue_usd)).reduce((a, b) => a + b, 0)).not.toBe(1)
    const result = comparisonFromFlows(tenDimes)
    expect(result.totals.revenue_usd).toBe('1.00')
    const direct = result.rows.find((row) => row.channel === 'direct')
    expect(direct?.last_click_revenue_usd).toBe('1.00')
    expect(direct?.first_click_revenue_usd).toBe('0.50')

    // One decimal, no decimals, and an amount beyond a double's exact cents: 2^53 / 100 = 90071992547409.92.
    const mixed = comparisonFromFlows([flow('email', 'email', 1, '0.5'), flow('email', 'email', 1, '12'), flow('email', 'email', 1, '90071992547409.93')])
    expect(mixed.totals.revenue_usd).toBe('90071992547422.43')
  })

  it('orders channels by both models’ conversions together, then by name', () => {
    // Conversions under both models: a 1 + 1 = 2, b 1 + 1 = 2, c 1 + 1 = 2, d 3 + 3 = 6.
    const result = comparisonFromFlows([
      flow('b_channel', 'b_channel', 1, '1.00'),
      flow('a_channel', 'c_channel', 1, '1.00'),
      flow('c_channel', 'a_channel', 1, '1.00'),
      flow('d_channel', 'd_channel', 3, '3.00'),
    ])
    expect(result.rows.map((row) => row.channel)).toEqual(['d_channel', 'a_channel', 'b_channel', 'c_channel'])
  })

  it('agrees with a direct count over generated flows', () => {
    const channels = ['direct', 'email', 'organic_search', 'paid_search', 'paid_social', 'referral']
    const rng = createRng(20_260_501)
    for (let round = 0; round < 20; round++) {
      const generated = Array.from({ length: rng.int(0, 25) }, () => ({
        first: rng.pick(channels),
        last: rng.pick(channels),
        conversions: rng.int(0, 40),
        cents: rng.int(0, 5_000_000),
      }))
      const result = comparisonFromFlows(generated.map((each) => flow(each.first, each.last, each.conversions, usd(each.cents))))

      const sum = (items: typeof generated, value: (each: (typeof generated)[number]) => number) => items.reduce((total, each) => total + value(each), 0)
      const total = sum(generated, (each) => each.conversions)
      const moved = sum(
        generated.filter((each) => each.first !== each.last),
        (each) => each.conversions,
      )
      expect(result.totals).toEqual({ conversions: total, revenue_usd: usd(sum(generated, (each) => each.cents)) })
      expect(result.moved_conversions).toBe(moved)
      expect(result.moved_share).toBe(total === 0 ? 0 : moved / total)

      const seen = channels.filter((channel) => generated.some((each) => each.first === channel || each.last === channel))
      expect(result.rows.map((row) => row.channel).sort()).toEqual(seen)
      for (const row of result.rows) {
        const asFirst = generated.filter((each) => each.first === row.channel)
        const asLast = generated.filter((each) => each.last === row.channel)
        expect(row).toEqual({
          channel: row.channel,
          first_click_conversions: sum(asFirst, (each) => each.conversions),
          first_click_revenue_usd: usd(sum(asFirst, (each) => each.cents)),
          last_click_conversions: sum(asLast, (each) => each.conversions),
          last_click_revenue_usd: usd(sum(asLast, (each) => each.cents)),
        })
      }
      // Each model credits every conversion exactly once.
      expect(result.rows.reduce((acc, row) => acc + row.first_click_conversions, 0)).toBe(total)
      expect(result.rows.reduce((acc, row) => acc + row.last_click_conversions, 0)).toBe(total)
      const both = (row: (typeof result.rows)[number]) => row.first_click_conversions + row.last_click_conversions
      for (let index = 1; index < result.rows.length; index++) {
        const [before, after] = [result.rows[index - 1]!, result.rows[index]!]
        expect(both(before) > both(after) || (both(before) === both(after) && before.channel < after.channel)).toBe(true)
      }
    }
  })
})

describe('lastDays', () => {
  it('counts back across month, leap-day and year ends, oldest first', () => {
    expect(lastDays('2024-03-02', 3)).toEqual(['2024-02-29', '2024-03-01', '2024-03-02'])
    expect(lastDays('2025-01-01', 2)).toEqual(['2024-12-31', '2025-01-01'])
    expect(lastDays('2026-11-03', 1)).toEqual(['2026-11-03'])
  })
})

describe('trendsFromDailyRows', () => {
  it('answers an empty range when the warehouse has no conversions', () => {
    expect(trendsFromDailyRows({ toDate: null, rows: [] }, 14, false)).toEqual({ from_date: '', to_date: '', points: [] })
    expect(trendsFromDailyRows({ toDate: null, rows: [] }, 14, true)).toEqual({ from_date: '', to_date: '', points: [] })
  })

  it('fills days without conversions with zeros, per day then model', () => {
    const daily: DailyTrendRows = {
      toDate: '2024-03-02',
      rows: [
        { date: '2024-03-01', model: 'first_click', conversions: 2, revenue_usd: '20.50' },
        { date: '2024-03-02', model: 'last_click', conversions: 1, revenue_usd: '5.00' },
      ],
    }
    expect(trendsFromDailyRows(daily, 3, false)).toEqual({
      from_date: '2024-02-29',
      to_date: '2024-03-02',
      points: [
        { date: '2024-02-29', model: 'first_click', conversions: 0, revenue_usd: '0.00' },
        { date: '2024-02-29', model: 'last_click', conversions: 0, revenue_usd: '0.00' },
        { date: '2024-03-01', model: 'first_click', conversions: 2, revenue_usd: '20.50' },
        { date: '2024-03-01', model: 'last_click', conversions: 0, revenue_usd: '0.00' },
        { date: '2024-03-02', model: 'first_click', conversions: 0, revenue_usd: '0.00' },
        { date: '2024-03-02', model: 'last_click', conversions: 1, revenue_usd: '5.00' },
      ],
    })
  })

  it('gives every channel a point on every day and model, channels in name order', () => {
    const daily: DailyTrendRows = {
      toDate: '2026-11-02',
      rows: [
        { date: '2026-11-02', model: 'last_click', channel: 'email', conversions: 1, revenue_usd: '10.00' },
        { date: '2026-11-01', model: 'first_click', channel: 'direct', conversions: 4, revenue_usd: '40.00' },
      ],
    }
    const { points } = trendsFromDailyRows(daily, 2, true)
    expect(points.map((point) => `${point.date} ${point.model} ${point.channel}`)).toEqual([
      '2026-11-01 first_click direct',
      '2026-11-01 first_click email',
      '2026-11-01 last_click direct',
      '2026-11-01 last_click email',
      '2026-11-02 first_click direct',
      '2026-11-02 first_click email',
      '2026-11-02 last_click direct',
      '2026-11-02 last_click email',
    ])
    expect(points.filter((point) => point.conversions > 0)).toEqual([
      { date: '2026-11-01', model: 'first_click', channel: 'direct', conversions: 4, revenue_usd: '40.00' },
      { date: '2026-11-02', model: 'last_click', channel: 'email', conversions: 1, revenue_usd: '10.00' },
    ])
  })

  it('leaves out rows older than the range', () => {
    const daily: DailyTrendRows = {
      toDate: '2026-11-02',
      rows: [
        { date: '2026-10-01', model: 'first_click', conversions: 9, revenue_usd: '90.00' },
        { date: '2026-11-02', model: 'first_click', conversions: 1, revenue_usd: '1.00' },
      ],
    }
    const result = trendsFromDailyRows(daily, 2, false)
    expect(result.from_date).toBe('2026-11-01')
    expect(result.points.reduce((sum, point) => sum + point.conversions, 0)).toBe(1)
  })

  it('shows a chosen date range as chosen: from its start date to its end date', () => {
    const daily: DailyTrendRows = {
      toDate: '2020-12-12',
      rows: [
        { date: '2020-12-01', model: 'first_click', conversions: 2, revenue_usd: '2.00' },
        { date: '2020-12-12', model: 'first_click', conversions: 1, revenue_usd: '1.00' },
      ],
    }
    const result = trendsFromDailyRows(daily, 90, false, { fromDate: '2020-12-01', toDate: '2020-12-14' })
    expect([result.from_date, result.to_date]).toEqual(['2020-12-01', '2020-12-14'])
    expect(new Set(result.points.map((point) => point.date)).size).toBe(14)
    expect(result.points.reduce((sum, point) => sum + point.conversions, 0)).toBe(3)
  })

  it('keeps at most `days` days of a longer range, ending at its end date', () => {
    const daily: DailyTrendRows = { toDate: '2020-12-31', rows: [] }
    const result = trendsFromDailyRows(daily, 14, false, { fromDate: '2020-01-01', toDate: '2020-12-31' })
    expect([result.from_date, result.to_date]).toEqual(['2020-12-18', '2020-12-31'])
  })

  it('agrees with a direct lookup over generated days with gaps', () => {
    const rng = createRng(7_031)
    const channels = ['direct', 'email', 'referral']
    const toDate = '2026-03-30'
    // Calendar days stepped back with Date.setUTCDate, independently of lastDays' millisecond arithmetic.
    const calendar = (days: number): string[] => {
      const dates: string[] = []
      const cursor = new Date(`${toDate}T12:00:00Z`)
      for (let index = 0; index < days; index++) {
        dates.unshift(cursor.toISOString().slice(0, 10))
        cursor.setUTCDate(cursor.getUTCDate() - 1)
      }
      return dates
    }
    const days = 30
    const dates = calendar(days)
    const rows: DailyTrendRows['rows'] = []
    for (const date of dates) {
      for (const model of ATTRIBUTION_MODELS) {
        for (const channel of channels) {
          if (rng.chance(0.4)) rows.push({ date, model, channel, conversions: rng.int(1, 9), revenue_usd: `${rng.int(0, 999)}.${String(rng.int(0, 99)).padStart(2, '0')}` })
        }
      }
    }
    const result = trendsFromDailyRows({ toDate, rows }, days, true)
    expect(result.from_date).toBe(dates[0])
    expect(result.points).toHaveLength(days * ATTRIBUTION_MODELS.length * channels.length)
    expect([...new Set(result.points.map((point) => point.date))]).toEqual(dates)
    for (const point of result.points) {
      const row = rows.find((each) => each.date === point.date && each.model === point.model && each.channel === point.channel)
      expect(point).toEqual({
        date: point.date,
        model: point.model,
        channel: point.channel,
        conversions: row?.conversions ?? 0,
        revenue_usd: row?.revenue_usd ?? '0.00',
      })
    }
    expect(result.points.filter((point) => point.conversions > 0)).toHaveLength(rows.length)
  })
})
