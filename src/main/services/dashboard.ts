import type { AttributionModel } from '@shared/attribution'
import type { TrendPoint, TrendsResult } from '@shared/api'
import type { DailyTrendRows } from '../warehouse/warehouse'

/**
 * Fills the days (and channels) without conversions with zeros, so charts show gaps as zero. The window
 * ends at the range's `toDate` (else the newest conversion) and starts at its `fromDate` when that is
 * within `days` of the end, so a chosen range is shown as chosen.
 */
export function trendsFromDailyRows(
  daily: DailyTrendRows,
  days: number,
  byChannel: boolean,
  range: { fromDate?: string; toDate?: string } = {},
  models: readonly AttributionModel[] = ['first_click', 'last_click'],
): TrendsResult {
  if (!daily.toDate) return { from_date: '', to_date: '', points: [] }
  const dates = shownDays(daily.toDate, days, range)
  const toDate = range.toDate ?? daily.toDate
  const channels = byChannel ? [...new Set(daily.rows.map((row) => row.channel ?? ''))].sort() : [undefined]
  const found = new Map(daily.rows.map((row) => [`${row.date}|${row.model}|${row.channel ?? ''}`, row]))
  const points: TrendPoint[] = []
  for (const date of dates) {
    for (const model of models) {
      for (const channel of channels) {
        const row = found.get(`${date}|${model}|${channel ?? ''}`)
        points.push({
          date,
          model,
          ...(channel === undefined ? {} : { channel }),
          conversions: row?.conversions ?? 0,
          revenue_usd: row?.revenue_usd ?? '0.00',
        })
      }
    }
  }
  return { from_date: dates[0] ?? toDate, to_date: toDate, points }
}

/** The days a trend shows, oldest first: `days` days ending at the range's end (else `newestDate`), none before its start. */
export function shownDays(newestDate: string, days: number, range: { fromDate?: string; toDate?: string } = {}): string[] {
  return lastDays(range.toDate ?? newestDate, days).filter((date) => !range.fromDate || date >= range.fromDate)
}

/** The `days` calendar days ending at `toDate`, oldest first. */
export function lastDays(toDate: string, days: number): string[] {
  const end = Date.parse(`${toDate}T00:00:00Z`)
  return Array.from({ length: days }, (_, index) => new Date(end - (days - 1 - index) * 86_400_000).toISOString().slice(0, 10))
}
