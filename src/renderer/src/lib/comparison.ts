import type { ChannelFlow, ComparisonRow } from '@shared/api'
import { formatCents, parseCents, sumAmounts } from '@shared/money'

/** Credit sums and differences to the 6 decimals credit comes in, so float noise never shows as a change. */
export function roundCredit(value: number): number {
  return Math.round(value * 1e6) / 1e6 + 0
}

/** A comparison row with what changes from model a to model b. */
export interface ComparisonTableRow extends ComparisonRow {
  /** Model b minus model a conversions: positive when b credits the channel more. */
  conversions_delta: number
  revenue_delta_usd: string
}

/** Adds exact per-channel differences (b minus a) and orders channels by model b's conversions, then name. */
export function withDifferences(rows: readonly ComparisonRow[]): ComparisonTableRow[] {
  return rows
    .map((row) => ({
      ...row,
      conversions_delta: roundCredit(row.b_conversions - row.a_conversions),
      revenue_delta_usd: formatCents(parseCents(row.b_revenue_usd) - parseCents(row.a_revenue_usd)),
    }))
    .sort((a, b) => b.b_conversions - a.b_conversions || a.channel.localeCompare(b.channel))
}

/** Column sums of a comparison table. */
export interface ComparisonColumnTotals {
  a_conversions: number
  a_revenue_usd: string
  b_conversions: number
  b_revenue_usd: string
}

/** Sums each column of the comparison; money through cents so the footer matches the CLI to the cent. */
export function comparisonColumnTotals(rows: readonly ComparisonRow[]): ComparisonColumnTotals {
  return {
    a_conversions: roundCredit(rows.reduce((sum, row) => sum + row.a_conversions, 0)),
    a_revenue_usd: sumAmounts(rows.map((row) => row.a_revenue_usd)),
    b_conversions: roundCredit(rows.reduce((sum, row) => sum + row.b_conversions, 0)),
    b_revenue_usd: sumAmounts(rows.map((row) => row.b_revenue_usd)),
  }
}

/** Flows between two different channels, biggest first: the credit the two models give to different channels. */
export function movingFlows(flows: readonly ChannelFlow[]): ChannelFlow[] {
  return flows.filter((flow) => flow.a_channel !== flow.b_channel).sort((a, b) => b.conversions - a.conversions)
}
