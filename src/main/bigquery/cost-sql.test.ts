import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DashboardFilters } from '@shared/api'
import { formatCents } from '@shared/money'
import { DUCKDB_DIALECT, runMart } from '../warehouse/duckdb-queries'
import { costCreditsQuery, dailyCostQuery } from '../warehouse/mart-sql'
import { MODEL_SCHEMA } from '../warehouse/duckdb-schema'
import type { CostCreditRow, RuleBasedModel } from '../warehouse/warehouse'
import { BigQueryWarehouse } from './bigquery-warehouse'
import type { BigQueryField } from './ga4-bigquery-schema'
import { BigQueryStandIn } from './testing/bigquery-standin'
import { RULE_BASED_MODELS, generateMarts } from './testing/mart-rows'

// The Cost & return queries on BigQuery (the real client against the loopback stand-in) give the
// embedded warehouse's answers on the same agg_cost_and_return rows, made from generated credits.

const PROJECT = 'acme-analytics'
const COST_SCHEMA: BigQueryField[] = [
  { name: 'attribution_model', type: 'STRING', mode: 'NULLABLE' },
  { name: 'min_lookback_days', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'max_lookback_days', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'report_date', type: 'DATE', mode: 'NULLABLE' },
  { name: 'conversion_event_name', type: 'STRING', mode: 'NULLABLE' },
  { name: 'source', type: 'STRING', mode: 'NULLABLE' },
  { name: 'medium', type: 'STRING', mode: 'NULLABLE' },
  { name: 'campaign', type: 'STRING', mode: 'NULLABLE' },
  { name: 'channel', type: 'STRING', mode: 'NULLABLE' },
  { name: 'credit_micros', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'revenue_cents', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'cost_usd', type: 'NUMERIC', mode: 'NULLABLE' },
]

/** agg_cost_and_return as dbt builds it: the credits summed per group and range, and spend rows per model. */
function costRows(): { rows: Array<Record<string, string | number | null>>; spendCents: bigint } {
  const groups = new Map<string, Record<string, string | number | null>>()
  for (const credit of generateMarts(11, 120).credits) {
    const keys = {
      attribution_model: credit.attribution_model,
      min_lookback_days: credit.min_lookback_days,
      max_lookback_days: credit.max_lookback_days,
      report_date: credit.conversion_date,
      conversion_event_name: credit.conversion_event_name,
      source: credit.source,
      medium: credit.medium,
      campaign: credit.campaign,
      channel: credit.channel,
    }
    const key = JSON.stringify(keys)
    const found = groups.get(key) ?? { ...keys, credit_micros: 0, revenue_cents: 0, cost_usd: '0.00' }
    found.credit_micros = Number(found.credit_micros) + credit.credit_micros
    found.revenue_cents = Number(found.revenue_cents) + credit.credited_revenue_cents
    groups.set(key, found)
  }
  // Spend on the paid campaign every day of the window (January 2021), and on a campaign nobody converted through.
  let spendCents = 0n
  const spend: Array<Record<string, string | number | null>> = []
  for (let day = 1; day <= 31; day++) {
    const date = `2021-01-${String(day).padStart(2, '0')}`
    for (const [source, medium, campaign, channel, cents] of [
      ['google', 'cpc', 'winter_sale', 'Paid Search', 1000 + day * 37],
      ['bing', 'cpc', 'no_takers', 'Paid Search', 250 + day],
    ] as const) {
      spendCents += BigInt(cents)
      for (const model of RULE_BASED_MODELS) {
        spend.push({
          attribution_model: model,
          min_lookback_days: 1,
          max_lookback_days: 90,
          report_date: date,
          conversion_event_name: null,
          source,
          medium,
          campaign,
          channel,
          credit_micros: 0,
          revenue_cents: 0,
          cost_usd: formatCents(BigInt(cents)),
        })
      }
    }
  }
  return { rows: [...groups.values(), ...spend], spendCents }
}

const { rows: COST_ROWS, spendCents: SPEND_CENTS } = costRows()
let standIn: BigQueryStandIn
let warehouse: BigQueryWarehouse
let embedded: DuckDBInstance

beforeAll(async () => {
  standIn = await BigQueryStandIn.start()
  warehouse = new BigQueryWarehouse({
    settings: {
      projectId: PROJECT,
      ga4Dataset: 'analytics_123456',
      martsDataset: 'attribution_marts',
      location: 'US',
      maximumBytesBilled: 1024 ** 3,
      dbtMaximumBytesBilled: 10 * 1024 ** 3,
      credentialMode: 'adc',
    },
    credentials: { mode: 'adc' },
    transport: standIn.transport(),
    maxRetries: 0,
  })
  const [marts] = await warehouse.bigQuery().createDataset('attribution_marts', { location: 'US' })
  const [table] = await marts.createTable('agg_cost_and_return', { schema: { fields: COST_SCHEMA } })
  await table.insert(COST_ROWS)
  embedded = await DuckDBInstance.create(':memory:')
  const connection = await embedded.connect()
  await connection.run(`create schema ${MODEL_SCHEMA}`)
  await connection.run(`create table ${MODEL_SCHEMA}.agg_cost_and_return (attribution_model varchar, min_lookback_days bigint, max_lookback_days bigint,
    report_date date, conversion_event_name varchar, source varchar, medium varchar, campaign varchar, channel varchar,
    credit_micros bigint, revenue_cents bigint, cost_usd decimal(18, 2))`)
  await connection.run(
    `insert into ${MODEL_SCHEMA}.agg_cost_and_return by name
    select unnest(json_transform($rows::json, '[{"attribution_model":"VARCHAR","min_lookback_days":"BIGINT","max_lookback_days":"BIGINT","report_date":"DATE",
      "conversion_event_name":"VARCHAR","source":"VARCHAR","medium":"VARCHAR","campaign":"VARCHAR","channel":"VARCHAR","credit_micros":"BIGINT",
      "revenue_cents":"BIGINT","cost_usd":"DECIMAL(18,2)"}]'), recursive := true)`,
    { rows: JSON.stringify(COST_ROWS) },
  )
  connection.closeSync()
}, 60_000)

afterAll(async () => {
  await standIn?.close()
  embedded?.closeSync()
})

const FILTER_CASES: DashboardFilters[] = [
  { lookbackDays: 14, conversionEvents: ['purchase'] },
  { lookbackDays: 1, conversionEvents: ['purchase', 'add_to_cart'] },
  { lookbackDays: 90, conversionEvents: ['purchase', 'begin_checkout', 'add_to_cart'], fromDate: '2021-01-20', toDate: '2021-01-28' },
]

async function onEmbedded<T>(work: (connection: Awaited<ReturnType<DuckDBInstance['connect']>>) => Promise<T>): Promise<T> {
  const connection = await embedded.connect()
  try {
    return await work(connection)
  } finally {
    connection.closeSync()
  }
}

const sortRows = (rows: CostCreditRow[]) =>
  [...rows].sort((a, b) =>
    JSON.stringify([a.model, a.channel, a.source, a.campaign]).localeCompare(JSON.stringify([b.model, b.channel, b.source, b.campaign])),
  )

describe('Cost & return SQL on BigQuery', () => {
  it.each(FILTER_CASES.flatMap((filters) => (['channel', 'campaign'] as const).map((by) => ({ filters, by }))))(
    'credit and cost per group match the embedded warehouse (%o)',
    async ({ filters, by }) => {
      const rows = await warehouse.costCredits(filters, by)
      expect(sortRows(rows)).toEqual(
        sortRows(await onEmbedded((connection) => runMart(connection, costCreditsQuery(DUCKDB_DIALECT, filters, by)))),
      )
      // Every model carries all the spend of the dates asked.
      const cost = rows.filter((row) => row.model === 'linear').reduce((total, row) => total + row.costCents, 0n)
      if (!filters.fromDate) expect(cost).toBe(SPEND_CENTS)
      expect(rows.some((row) => row.campaign === 'no_takers' && row.creditMicros === 0n && row.costCents > 0n)).toBe(by === 'campaign')
    },
  )

  it.each([
    { models: ['first_click', 'last_click'] as RuleBasedModel[], channel: 'Paid Search' },
    { models: ['linear', 'time_decay'] as RuleBasedModel[], channel: null },
  ])('daily credit and cost match the embedded warehouse (%o)', async ({ models, channel }) => {
    const filters = FILTER_CASES[0] as DashboardFilters
    const days = await warehouse.dailyCost(filters, models, channel)
    expect(days).toEqual(await onEmbedded((connection) => runMart(connection, dailyCostQuery(DUCKDB_DIALECT, filters, models, channel))))
    expect(new Set(days.map((day) => day.date)).size).toBe(31)
  })
})
