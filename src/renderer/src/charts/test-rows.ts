import type { ChannelFlow, ComparisonRow, TrendsResult } from '@shared/api'
import type { ReportRow } from '@shared/attribution'

// Shared inputs for the chart tests: small, readable rows whose expected outputs the tests derive from them.

/** Three channels where last click moves credit from paid_social to direct. */
export const COMPARISON_ROWS: ComparisonRow[] = [
  { channel: 'direct', first_click_conversions: 10, first_click_revenue_usd: '100.00', last_click_conversions: 14, last_click_revenue_usd: '140.50' },
  { channel: 'paid_social', first_click_conversions: 6, first_click_revenue_usd: '60.25', last_click_conversions: 2, last_click_revenue_usd: '19.75' },
  { channel: 'email', first_click_conversions: 4, first_click_revenue_usd: '40.00', last_click_conversions: 4, last_click_revenue_usd: '40.00' },
]

/** Flows matching COMPARISON_ROWS: 4 conversions move from paid_social to direct. */
export const FLOWS: ChannelFlow[] = [
  { first_click_channel: 'direct', last_click_channel: 'direct', conversions: 10, revenue_usd: '100.00' },
  { first_click_channel: 'paid_social', last_click_channel: 'direct', conversions: 4, revenue_usd: '40.50' },
  { first_click_channel: 'paid_social', last_click_channel: 'paid_social', conversions: 2, revenue_usd: '19.75' },
  { first_click_channel: 'email', last_click_channel: 'email', conversions: 4, revenue_usd: '40.00' },
]

/** Two days by channel for both models. */
export const TRENDS_BY_CHANNEL: TrendsResult = {
  from_date: '2026-11-01',
  to_date: '2026-11-02',
  points: [
    { date: '2026-11-01', model: 'last_click', channel: 'email', conversions: 1, revenue_usd: '10.00' },
    { date: '2026-11-01', model: 'last_click', channel: 'direct', conversions: 4, revenue_usd: '40.00' },
    { date: '2026-11-02', model: 'last_click', channel: 'direct', conversions: 2, revenue_usd: '20.00' },
    { date: '2026-11-01', model: 'first_click', channel: 'paid_search', conversions: 5, revenue_usd: '50.00' },
  ],
}

/** Two days by channel where the models agree on each day's total: on day 1 last click moves 2 conversions from paid_social to direct; day 2 agrees. */
export const TRENDS_MOVED: TrendsResult = {
  from_date: '2026-11-01',
  to_date: '2026-11-02',
  points: [
    { date: '2026-11-01', model: 'first_click', channel: 'paid_social', conversions: 3, revenue_usd: '0.30' },
    { date: '2026-11-01', model: 'first_click', channel: 'direct', conversions: 1, revenue_usd: '0.10' },
    { date: '2026-11-01', model: 'last_click', channel: 'paid_social', conversions: 1, revenue_usd: '0.10' },
    { date: '2026-11-01', model: 'last_click', channel: 'direct', conversions: 3, revenue_usd: '0.30' },
    { date: '2026-11-02', model: 'first_click', channel: 'email', conversions: 2, revenue_usd: '0.00' },
    { date: '2026-11-02', model: 'last_click', channel: 'email', conversions: 2, revenue_usd: '0.00' },
  ],
}

/** A channel-level report. */
export const CHANNEL_REPORT_ROWS: ReportRow[] = [
  { channel: 'email', conversions: 4, revenue_usd: '400.00' },
  { channel: 'direct', conversions: 9, revenue_usd: '90.00' },
]
