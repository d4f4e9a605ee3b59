import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api'
import { listValue } from '@duckdb/node-api'
import type { DashboardFilters } from '@shared/api'
import type { CostGrouping } from '@shared/cost-return'
import { UserFacingError, messageOf } from '../errors'
import { MODEL_SCHEMA } from './duckdb-schema'
import type { CostCreditRow, DailyCostRow, RuleBasedModel } from './warehouse'

/**
 * The Cost & return view's SQL against the embedded warehouse (and the app's in-memory copy): sums
 * of agg_cost_and_return at one lookback, which is spend full-outer-joined to credit per group.
 */

/** Rows of agg_cost_and_return that hold at the filters' lookback, events and dates (a CTE body). */
const FILTERED_COST = `
    select *
    from ${MODEL_SCHEMA}.agg_cost_and_return
    where $lookback between min_lookback_days and max_lookback_days
      and (conversion_event_name is null or list_contains($events, conversion_event_name))
      and ($from_date is null or report_date >= cast($from_date as date))
      and ($to_date is null or report_date <= cast($to_date as date))`

function filterValues(filters: DashboardFilters): Record<string, DuckDBValue> {
  return {
    lookback: filters.lookbackDays,
    events: listValue([...filters.conversionEvents]),
    from_date: filters.fromDate ?? null,
    to_date: filters.toDate ?? null,
  }
}

/** Credit and cost per rule-based model and channel (or source/medium/campaign) at the filters' lookback. */
export async function queryCostCredits(
  connection: DuckDBConnection,
  filters: DashboardFilters,
  by: CostGrouping,
): Promise<CostCreditRow[]> {
  const keys = by === 'channel' ? 'channel' : 'channel, source, medium, campaign'
  const sql = `
    with cost as (${FILTERED_COST})
    select attribution_model as model, ${keys},
      sum(credit_micros)::bigint as credit_micros,
      sum(revenue_cents)::bigint as revenue_cents,
      (sum(cost_usd) * 100)::bigint as cost_cents
    from cost
    group by all
    order by model, ${keys}`
  return (await readCostMart(connection, sql, filterValues(filters))).map(costRowFrom)
}

/** Credit and cost per day of the given rule-based models, for one channel or all. */
export async function queryDailyCost(
  connection: DuckDBConnection,
  filters: DashboardFilters,
  models: readonly RuleBasedModel[],
  channel: string | null,
): Promise<DailyCostRow[]> {
  const sql = `
    with cost as (${FILTERED_COST})
    select strftime(report_date, '%Y-%m-%d') as date, attribution_model as model,
      sum(credit_micros)::bigint as credit_micros,
      sum(revenue_cents)::bigint as revenue_cents,
      (sum(cost_usd) * 100)::bigint as cost_cents
    from cost
    where list_contains($models, attribution_model)
      and ($channel is null or channel = $channel)
    group by all
    order by date, model`
  const rows = await readCostMart(connection, sql, { ...filterValues(filters), models: listValue([...models]), channel })
  return rows.map((row) => ({ date: String(row.date), ...costRowFrom(row) }))
}

/** A row of either query in whole units (DuckDB's JSON rows give BIGINT as strings). */
export function costRowFrom(row: Record<string, unknown>): CostCreditRow {
  const text = (key: string) => (row[key] === undefined || row[key] === null ? undefined : String(row[key]))
  return {
    model: String(row.model) as RuleBasedModel,
    channel: text('channel') ?? '',
    ...(text('source') !== undefined ? { source: text('source'), medium: text('medium'), campaign: text('campaign') } : {}),
    creditMicros: BigInt(String(row.credit_micros ?? 0)),
    revenueCents: BigInt(String(row.revenue_cents ?? 0)),
    costCents: BigInt(String(row.cost_cents ?? 0)),
  }
}

async function readCostMart(connection: DuckDBConnection, sql: string, values: Record<string, DuckDBValue>) {
  try {
    return (await connection.runAndReadAll(sql, values)).getRowObjectsJson()
  } catch (error) {
    if (/does not exist/i.test(messageOf(error)) && /agg_cost_and_return/i.test(messageOf(error))) {
      throw new UserFacingError('The cost mart has not been built in this warehouse yet. Run `attribution build` first.')
    }
    throw error
  }
}
