import type { ChannelFlow, ComparisonRow, ModelComparisonResult, PathsResult, TrendsResult } from '@shared/api'
import type { ReportRow } from '@shared/attribution'

// Shared inputs for the chart, lib and store tests: small, readable rows whose expected outputs the tests derive from them.

/** Three channels where model b (last click) moves credit from paid_social to direct compared with model a (first click). */
export const COMPARISON_ROWS: ComparisonRow[] = [
  { channel: 'direct', a_conversions: 10, a_revenue_usd: '100.00', b_conversions: 14, b_revenue_usd: '140.50' },
  { channel: 'paid_social', a_conversions: 6, a_revenue_usd: '60.25', b_conversions: 2, b_revenue_usd: '19.75' },
  { channel: 'email', a_conversions: 4, a_revenue_usd: '40.00', b_conversions: 4, b_revenue_usd: '40.00' },
]

/** Flows matching COMPARISON_ROWS: 4 conversions move from paid_social to direct. */
export const FLOWS: ChannelFlow[] = [
  { a_channel: 'direct', b_channel: 'direct', conversions: 10, revenue_usd: '100.00' },
  { a_channel: 'paid_social', b_channel: 'direct', conversions: 4, revenue_usd: '40.50' },
  { a_channel: 'paid_social', b_channel: 'paid_social', conversions: 2, revenue_usd: '19.75' },
  { a_channel: 'email', b_channel: 'email', conversions: 4, revenue_usd: '40.00' },
]

/*
 * Linear (a) vs last click (b) over three journeys, credit to 6 decimals as the marts give it:
 *   1. email, email, direct ($30): linear 0.333333 + 0.333333 to email ($20.00), 0.333334 to direct ($10.00); last click direct.
 *   2. paid_search, direct ($10): linear 0.5 each ($5.00 each); last click direct.
 *   3. email ($60): both models credit email.
 * A flow is credit_a × credit_b per conversion; last click gives 1 to one channel, so each flow is the linear share.
 */
export const LINEAR_VS_LAST_ROWS: ComparisonRow[] = [
  { channel: 'email', a_conversions: 1.666666, a_revenue_usd: '80.00', b_conversions: 1, b_revenue_usd: '60.00' },
  { channel: 'direct', a_conversions: 0.833334, a_revenue_usd: '15.00', b_conversions: 2, b_revenue_usd: '40.00' },
  { channel: 'paid_search', a_conversions: 0.5, a_revenue_usd: '5.00', b_conversions: 0, b_revenue_usd: '0.00' },
]

/** Flows matching LINEAR_VS_LAST_ROWS. */
export const LINEAR_VS_LAST_FLOWS: ChannelFlow[] = [
  { a_channel: 'email', b_channel: 'direct', conversions: 0.666666, revenue_usd: '20.00' },
  { a_channel: 'direct', b_channel: 'direct', conversions: 0.833334, revenue_usd: '15.00' },
  { a_channel: 'paid_search', b_channel: 'direct', conversions: 0.5, revenue_usd: '5.00' },
  { a_channel: 'email', b_channel: 'email', conversions: 1, revenue_usd: '60.00' },
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

/** A cell for every model, from the few a test cares about; the rest credit nothing. */
function cells(given: Partial<Record<string, [number, string]>>): ModelComparisonResult['rows'][number]['cells'] {
  const cell = (model: string) => ({ conversions: given[model]?.[0] ?? 0, revenue_usd: given[model]?.[1] ?? '0.00' })
  return {
    first_click: cell('first_click'),
    last_click: cell('last_click'),
    last_non_direct: cell('last_non_direct'),
    linear: cell('linear'),
    position_based: cell('position_based'),
    time_decay: cell('time_decay'),
    data_driven: cell('data_driven'),
  }
}

/**
 * The three journeys of LINEAR_VS_LAST_ROWS under first click, last click and linear, plus a fourth journey
 * (referral, direct; $5): referral gets first click and half of linear but nothing from last click, so its
 * change vs last click is undefined.
 */
export const MODEL_COMPARISON: ModelComparisonResult = {
  models: ['first_click', 'last_click', 'linear'],
  by: 'channel',
  rows: [
    { channel: 'email', cells: cells({ first_click: [2, '90.00'], last_click: [1, '60.00'], linear: [1.666666, '80.00'] }) },
    { channel: 'direct', cells: cells({ last_click: [3, '45.00'], linear: [1.333334, '17.50'] }) },
    { channel: 'paid_search', cells: cells({ first_click: [1, '10.00'], linear: [0.5, '5.00'] }) },
    { channel: 'referral', cells: cells({ first_click: [1, '5.00'], linear: [0.5, '2.50'] }) },
  ],
  totals: { conversions: 4, revenue_usd: '105.00' },
}

/** Three paths under position based (the empty one has no touch to credit), and two more paths not listed. */
export const PATHS: PathsResult = {
  model: 'position_based',
  by: 'channel',
  offset: 0,
  paths: [
    {
      channels: ['email', 'direct', 'direct', 'direct'],
      conversions: 6,
      revenue_usd: '300.00',
      avg_touches: 4,
      avg_days_to_conversion: 3.5,
      credit: { early: 0.4, middle: 0.2, late: 0.4 },
    },
    {
      channels: ['direct'],
      conversions: 3,
      revenue_usd: '90.00',
      avg_touches: 1,
      avg_days_to_conversion: 0,
      credit: { early: 0, middle: 0, late: 1 },
    },
    {
      channels: [],
      conversions: 1,
      revenue_usd: '25.00',
      avg_touches: 0,
      avg_days_to_conversion: 0,
      credit: { early: 0, middle: 0, late: 0 },
    },
  ],
  total_paths: 5,
  other: { conversions: 2, revenue_usd: '40.00' },
  totals: { conversions: 12, revenue_usd: '455.00' },
  matching: { paths: 5, conversions: 12, revenue_usd: '455.00' },
}
