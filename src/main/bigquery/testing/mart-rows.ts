/** Test data: rows of the marts the app reads, generated from a seed so every expected number can be re-derived. */
import { createRng } from '../../generator/rng'
import type { BigQueryField } from '../ga4-bigquery-schema'

/** One row of `fct_attribution_credits` (the columns the app reads, plus identity). */
export interface CreditRow {
  conversion_id: string
  conversion_event_name: string
  attribution_model: string
  min_lookback_days: number
  max_lookback_days: number
  conversion_date: string
  revenue_usd: string
  source: string
  medium: string
  campaign: string
  channel: string
}

/** The BigQuery schema dbt gives `fct_attribution_credits` for those columns. */
export const CREDITS_SCHEMA: BigQueryField[] = [
  { name: 'conversion_id', type: 'STRING', mode: 'NULLABLE' },
  { name: 'conversion_event_name', type: 'STRING', mode: 'NULLABLE' },
  { name: 'attribution_model', type: 'STRING', mode: 'NULLABLE' },
  { name: 'min_lookback_days', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'max_lookback_days', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'conversion_date', type: 'DATE', mode: 'NULLABLE' },
  { name: 'revenue_usd', type: 'NUMERIC', mode: 'NULLABLE' },
  { name: 'source', type: 'STRING', mode: 'NULLABLE' },
  { name: 'medium', type: 'STRING', mode: 'NULLABLE' },
  { name: 'campaign', type: 'STRING', mode: 'NULLABLE' },
  { name: 'channel', type: 'STRING', mode: 'NULLABLE' },
]

/** `rpt_build_info` as dbt builds it. */
export const BUILD_INFO_SCHEMA: BigQueryField[] = [
  { name: 'built_at', type: 'TIMESTAMP', mode: 'NULLABLE' },
  { name: 'lookback_days', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'invocation_id', type: 'STRING', mode: 'NULLABLE' },
]

const SOURCES = [
  ['google', 'organic', '(organic)', 'Organic Search'],
  ['google', 'cpc', 'winter_sale', 'Paid Search'],
  ['newsletter', 'email', 'jan_news', 'Email'],
  ['(direct)', '(none)', '(direct)', 'Direct'],
  ['facebook.com', 'referral', '(referral)', 'Organic Social'],
] as const
const EVENTS = ['purchase', 'begin_checkout', 'add_to_cart'] as const

/**
 * Conversions over `days` days ending 2021-01-31, each with first- and last-click credits whose
 * lookback ranges partition 1..90 as dbt's do (a closer session takes over below a random cut).
 */
export function generateCreditRows(seed: number, conversions: number, days = 20): CreditRow[] {
  const rng = createRng(seed)
  const rows: CreditRow[] = []
  const pick = <T>(items: readonly T[]): T => items[rng.int(0, items.length - 1)] as T
  for (let index = 0; index < conversions; index++) {
    const day = new Date(Date.UTC(2021, 0, 31 - rng.int(0, days - 1))).toISOString().slice(0, 10)
    const cents = rng.int(0, 30_000)
    const base = {
      conversion_id: `conv-${String(index).padStart(4, '0')}`,
      conversion_event_name: pick(EVENTS),
      conversion_date: day,
      revenue_usd: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
    }
    for (const model of ['first_click', 'last_click']) {
      const cut = rng.int(1, 89)
      const near = pick(SOURCES)
      const far = pick(SOURCES)
      rows.push({ ...base, attribution_model: model, min_lookback_days: 1, max_lookback_days: cut, source: near[0], medium: near[1], campaign: near[2], channel: near[3] })
      rows.push({ ...base, attribution_model: model, min_lookback_days: cut + 1, max_lookback_days: 90, source: far[0], medium: far[1], campaign: far[2], channel: far[3] })
    }
  }
  return rows
}
