import { describe, expect, it } from 'vitest'
import { createRng } from '../generator/rng'
import type { DailyTrendRows } from '../warehouse/warehouse'
import { lastDays, trendsFromDailyRows } from './dashboard'

/** The models trends draw when none are named. */
const TRENDS_MODELS = ['first_click', 'last_click'] as const

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
      for (const model of TRENDS_MODELS) {
        for (const channel of channels) {
          if (rng.chance(0.4))
            rows.push({
              date,
              model,
              channel,
              conversions: rng.int(1, 9),
              revenue_usd: `${rng.int(0, 999)}.${String(rng.int(0, 99)).padStart(2, '0')}`,
            })
        }
      }
    }
    const result = trendsFromDailyRows({ toDate, rows }, days, true)
    expect(result.from_date).toBe(dates[0])
    expect(result.points).toHaveLength(days * TRENDS_MODELS.length * channels.length)
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
