import type { AttributionModel } from '../../shared/attribution'
import { ATTRIBUTION_MODELS } from '../../shared/attribution'
import type { ChannelFlow, ComparisonResult, ComparisonRow, TrendPoint, TrendsResult } from '../../shared/api'
import { formatCents, parseCents } from '../../shared/money'
import type { DailyTrendRows } from '../warehouse/warehouse'

/** Builds the first-vs-last comparison from channel flows: both models' totals per channel, exactly. */
export function comparisonFromFlows(flows: ChannelFlow[]): ComparisonResult {
  const byChannel = new Map<string, { first: number; firstCents: bigint; last: number; lastCents: bigint }>()
  const entry = (channel: string) => {
    let found = byChannel.get(channel)
    if (!found) {
      found = { first: 0, firstCents: 0n, last: 0, lastCents: 0n }
      byChannel.set(channel, found)
    }
    return found
  }
  let conversions = 0
  let cents = 0n
  let moved = 0
  for (const flow of flows) {
    const flowCents = parseCents(flow.revenue_usd)
    const first = entry(flow.first_click_channel)
    first.first += flow.conversions
    first.firstCents += flowCents
    const last = entry(flow.last_click_channel)
    last.last += flow.conversions
    last.lastCents += flowCents
    conversions += flow.conversions
    cents += flowCents
    if (flow.first_click_channel !== flow.last_click_channel) moved += flow.conversions
  }
  const rows: ComparisonRow[] = [...byChannel.entries()]
    .map(([channel, totals]) => ({
      channel,
      first_click_conversions: totals.first,
      first_click_revenue_usd: formatCents(totals.firstCents),
      last_click_conversions: totals.last,
      last_click_revenue_usd: formatCents(totals.lastCents),
    }))
    .sort((a, b) => b.first_click_conversions + b.last_click_conversions - (a.first_click_conversions + a.last_click_conversions) || a.channel.localeCompare(b.channel))
  return {
    rows,
    flows,
    totals: { conversions, revenue_usd: formatCents(cents) },
    moved_conversions: moved,
    moved_share: conversions === 0 ? 0 : moved / conversions,
  }
}

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
): TrendsResult {
  if (!daily.toDate) return { from_date: '', to_date: '', points: [] }
  const toDate = range.toDate ?? daily.toDate
  const dates = lastDays(toDate, days).filter((date) => !range.fromDate || date >= range.fromDate)
  const channels = byChannel ? [...new Set(daily.rows.map((row) => row.channel ?? ''))].sort() : [undefined]
  const found = new Map(daily.rows.map((row) => [`${row.date}|${row.model}|${row.channel ?? ''}`, row]))
  const points: TrendPoint[] = []
  for (const date of dates) {
    for (const model of ATTRIBUTION_MODELS) {
      for (const channel of channels) {
        const row = found.get(`${date}|${model}|${channel ?? ''}`)
        points.push({
          date,
          model: model as AttributionModel,
          ...(channel === undefined ? {} : { channel }),
          conversions: row?.conversions ?? 0,
          revenue_usd: row?.revenue_usd ?? '0.00',
        })
      }
    }
  }
  return { from_date: dates[0] ?? toDate, to_date: toDate, points }
}

/** The `days` calendar days ending at `toDate`, oldest first. */
export function lastDays(toDate: string, days: number): string[] {
  const end = Date.parse(`${toDate}T00:00:00Z`)
  return Array.from({ length: days }, (_, index) => new Date(end - (days - 1 - index) * 86_400_000).toISOString().slice(0, 10))
}
