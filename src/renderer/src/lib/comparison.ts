import type { ChannelFlow, ComparisonRow } from '@shared/api'
import { formatCents, parseCents, sumAmounts } from '@shared/money'

/** A comparison row with what changes from first click to last click. */
export interface ComparisonTableRow extends ComparisonRow {
  /** Last-click minus first-click conversions: positive when last click credits the channel more. */
  conversions_delta: number
  revenue_delta_usd: string
}

/** Adds exact per-channel differences and orders channels by last-click conversions, then name. */
export function withDifferences(rows: readonly ComparisonRow[]): ComparisonTableRow[] {
  return rows
    .map((row) => ({
      ...row,
      conversions_delta: row.last_click_conversions - row.first_click_conversions,
      revenue_delta_usd: formatCents(parseCents(row.last_click_revenue_usd) - parseCents(row.first_click_revenue_usd)),
    }))
    .sort((a, b) => b.last_click_conversions - a.last_click_conversions || a.channel.localeCompare(b.channel))
}

/** Column sums of a comparison table, summed exactly. */
export interface ComparisonColumnTotals {
  first_click_conversions: number
  first_click_revenue_usd: string
  last_click_conversions: number
  last_click_revenue_usd: string
}

/** Sums each column of the comparison; money through cents so the footer matches the CLI to the cent. */
export function comparisonColumnTotals(rows: readonly ComparisonRow[]): ComparisonColumnTotals {
  return {
    first_click_conversions: rows.reduce((sum, row) => sum + row.first_click_conversions, 0),
    first_click_revenue_usd: sumAmounts(rows.map((row) => row.first_click_revenue_usd)),
    last_click_conversions: rows.reduce((sum, row) => sum + row.last_click_conversions, 0),
    last_click_revenue_usd: sumAmounts(rows.map((row) => row.last_click_revenue_usd)),
  }
}

/** Flows between two different channels, biggest first: the conversions the two models disagree on. */
export function movingFlows(flows: readonly ChannelFlow[]): ChannelFlow[] {
  return flows
    .filter((flow) => flow.first_click_channel !== flow.last_click_channel)
    .sort((a, b) => b.conversions - a.conversions)
}
