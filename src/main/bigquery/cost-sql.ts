import type { DashboardFilters } from '@shared/api'
import type { CostGrouping } from '@shared/cost-return'
import type { RuleBasedModel } from '../warehouse/warehouse'
import { type BigQueryStatement, type DatasetRef, filterParams, tableRef } from './bigquery-sql'

/** The Cost & return view's SQL on BigQuery: the same columns as cost-queries.ts, named parameters only. */

/** The filters' parameters less the stream: spend is not kept per stream, so the view covers every stream. */
function costFilterParams(filters: DashboardFilters): Pick<BigQueryStatement, 'params' | 'types'> {
  const { params, types } = filterParams(filters)
  const withoutStream = <T extends Record<string, unknown>>(record: T) =>
    Object.fromEntries(Object.entries(record).filter(([key]) => key !== 'stream_id'))
  return { params: withoutStream(params), types: withoutStream(types ?? {}) } as Pick<BigQueryStatement, 'params' | 'types'>
}

function filteredCost(marts: DatasetRef): string {
  return `
    select *
    from ${tableRef(marts, 'agg_cost_and_return')}
    where @lookback between min_lookback_days and max_lookback_days
      and (conversion_event_name is null or conversion_event_name in unnest(@events))
      and (@from_date is null or report_date >= @from_date)
      and (@to_date is null or report_date <= @to_date)`
}

/** Credit and cost per rule-based model and channel (or source/medium/campaign). */
export function costCreditsStatement(marts: DatasetRef, filters: DashboardFilters, by: CostGrouping): BigQueryStatement {
  const keys = by === 'channel' ? 'channel' : 'channel, source, medium, campaign'
  return {
    sql: `
    with cost as (${filteredCost(marts)})
    select attribution_model as model, ${keys},
      sum(credit_micros) as credit_micros,
      sum(revenue_cents) as revenue_cents,
      cast(sum(cost_usd) * 100 as bigint) as cost_cents
    from cost
    group by model, ${keys}
    order by model, ${keys}`,
    ...costFilterParams(filters),
  }
}

/** Credit and cost per day of the given models, for one channel or all. */
export function dailyCostStatement(
  marts: DatasetRef,
  filters: DashboardFilters,
  models: readonly RuleBasedModel[],
  channel: string | null,
): BigQueryStatement {
  const base = costFilterParams(filters)
  return {
    sql: `
    with cost as (${filteredCost(marts)})
    select format_date('%Y-%m-%d', report_date) as date, attribution_model as model,
      sum(credit_micros) as credit_micros,
      sum(revenue_cents) as revenue_cents,
      cast(sum(cost_usd) * 100 as bigint) as cost_cents
    from cost
    where attribution_model in unnest(@models)
      and (@channel is null or channel = @channel)
    group by date, model
    order by date, model`,
    params: { ...base.params, models: [...models], channel },
    types: { ...base.types, models: ['STRING'], channel: 'STRING' },
  }
}
