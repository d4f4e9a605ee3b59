import { type DuckDBConnection, type DuckDBValue, listValue } from '@duckdb/node-api'
import { GROUPING_KEYS, type ReportRequest, type ReportResult, type ReportRow } from '../../shared/attribution'
import { sumAmounts } from '../../shared/money'
import { UserFacingError, messageOf } from '../errors'
import { MODEL_SCHEMA, RAW_SCHEMA } from './duckdb-schema'

/**
 * The app's SQL against the embedded warehouse, all in one place and all with bound parameters.
 * It reads the marts dbt builds; the attribution rules themselves live in dbt.
 */

/** Conversions and revenue per group at any lookback, from the lookback-range mart. */
export async function queryReport(connection: DuckDBConnection, request: ReportRequest): Promise<ReportResult> {
  const keys = GROUPING_KEYS[request.by]
  const keyList = keys.join(', ')
  const sql = `
    select ${keyList},
      count(*)::integer as conversions,
      cast(sum(revenue_usd) as varchar) as revenue_usd
    from ${MODEL_SCHEMA}.fct_attribution_credits
    where attribution_model = $model
      and $lookback between min_lookback_days and max_lookback_days
      and list_contains($events, conversion_event_name)
      and ($from_date is null or conversion_date >= cast($from_date as date))
      and ($to_date is null or conversion_date <= cast($to_date as date))
    group by ${keyList}
    order by sum(revenue_usd) desc, conversions desc, ${keyList}`
  const reader = await runMartQuery(connection, sql, {
    model: request.model,
    lookback: request.lookbackDays,
    events: listValue([...request.conversionEvents]),
    from_date: request.fromDate ?? null,
    to_date: request.toDate ?? null,
  })
  const rows = reader.getRowObjectsJson().map((row): ReportRow => {
    const out: ReportRow = { conversions: Number(row.conversions), revenue_usd: String(row.revenue_usd ?? '0.00') }
    for (const key of keys) out[key] = String(row[key])
    return out
  })
  return {
    model: request.model,
    lookback_days: request.lookbackDays,
    conversion_events: [...request.conversionEvents],
    by: request.by,
    rows,
    totals: {
      conversions: rows.reduce((total, row) => total + row.conversions, 0),
      revenue_usd: sumAmounts(rows.map((row) => row.revenue_usd)),
    },
  }
}

/** Row counts of the raw tables, to show what is stored and to prove a failed import changed nothing. */
export async function queryRawCounts(connection: DuckDBConnection): Promise<{ events: number; intradayEvents: number; importedFiles: number }> {
  const reader = await connection.runAndReadAll(`
    select
      (select count(*) from ${RAW_SCHEMA}.events)::bigint as events,
      (select count(*) from ${RAW_SCHEMA}.events_intraday)::bigint as intraday_events,
      (select count(*) from ${RAW_SCHEMA}.import_log)::bigint as imported_files`)
  const row = reader.getRowObjectsJson()[0] ?? {}
  return { events: Number(row.events), intradayEvents: Number(row.intraday_events), importedFiles: Number(row.imported_files) }
}

async function runMartQuery(connection: DuckDBConnection, sql: string, values: Record<string, DuckDBValue>) {
  try {
    return await connection.runAndReadAll(sql, values)
  } catch (error) {
    const message = messageOf(error)
    if (/does not exist/i.test(message) && /fct_|agg_|attribution/i.test(message)) {
      throw new UserFacingError('The attribution models have not been built in this warehouse yet. Run `attribution build` first.')
    }
    throw error
  }
}
