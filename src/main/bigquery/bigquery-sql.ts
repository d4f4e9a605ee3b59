import { BigQuery, type BigQueryDate } from '@google-cloud/bigquery'
import { GROUPING_KEYS, type ReportRequest } from '../../shared/attribution'
import type { DashboardFilters } from '../../shared/api'
import { DATASET_ID, PROJECT_ID } from '../settings/app-settings'

/**
 * The app's SQL against BigQuery, all in one place. Every value a person chose reaches BigQuery
 * as a named query parameter; only validated project, dataset and fixed table names are written
 * into the text, quoted with backticks. The queries give the same columns as duckdb-queries.ts.
 */

/** A query and its named parameters with their BigQuery types (needed for NULLs and arrays). */
export interface BigQueryStatement {
  sql: string
  params: Record<string, string | number | boolean | null | string[] | BigQueryDate>
  types: Record<string, string | string[]>
}

/** A dataset, already validated. */
export interface DatasetRef {
  project: string
  dataset: string
}

const TABLE = /^[A-Za-z0-9_]+\*?$/

/** `project.dataset.table` in backticks, after checking every part against the strict id rules. */
export function tableRef(ref: DatasetRef, table: string): string {
  if (!PROJECT_ID.test(ref.project)) throw new Error(`Refusing to write an invalid project id into SQL: ${JSON.stringify(ref.project)}`)
  if (!DATASET_ID.test(ref.dataset)) throw new Error(`Refusing to write an invalid dataset id into SQL: ${JSON.stringify(ref.dataset)}`)
  if (!TABLE.test(table)) throw new Error(`Refusing to write an invalid table name into SQL: ${JSON.stringify(table)}`)
  return `\`${ref.project}.${ref.dataset}.${table}\``
}

/** Credits that hold at the filters' lookback, for the filters' events and dates (a CTE body). */
function filteredCredits(marts: DatasetRef): string {
  return `
    select *
    from ${tableRef(marts, 'fct_attribution_credits')}
    where @lookback between min_lookback_days and max_lookback_days
      and conversion_event_name in unnest(@events)
      and (@from_date is null or conversion_date >= @from_date)
      and (@to_date is null or conversion_date <= @to_date)`
}

function filterParams(filters: Omit<ReportRequest, 'model' | 'by'>): Pick<BigQueryStatement, 'params' | 'types'> {
  return {
    params: {
      lookback: filters.lookbackDays,
      events: [...filters.conversionEvents],
      // The client sends a DATE parameter's value only from a BigQueryDate; a plain string would go out empty (NULL).
      from_date: filters.fromDate ? BigQuery.date(filters.fromDate) : null,
      to_date: filters.toDate ? BigQuery.date(filters.toDate) : null,
    },
    types: { lookback: 'INT64', events: ['STRING'], from_date: 'DATE', to_date: 'DATE' },
  }
}

/** Conversions and revenue per group at any lookback. */
export function reportStatement(marts: DatasetRef, request: ReportRequest): BigQueryStatement {
  const keyList = GROUPING_KEYS[request.by].join(', ')
  const filter = filterParams(request)
  return {
    sql: `
    with credits as (${filteredCredits(marts)})
    select ${keyList},
      count(*) as conversions,
      cast(sum(revenue_usd) as string) as revenue_usd
    from credits
    where attribution_model = @model
      and (@channel is null or channel = @channel)
    group by ${keyList}
    order by sum(revenue_usd) desc, conversions desc, ${keyList}`,
    params: { ...filter.params, model: request.model, channel: request.channel ?? null },
    types: { ...filter.types, model: 'STRING', channel: 'STRING' },
  }
}

/** Every (first-click channel, last-click channel) pair with its conversions and revenue. */
export function channelFlowsStatement(marts: DatasetRef, filters: DashboardFilters): BigQueryStatement {
  return {
    sql: `
    with credits as (${filteredCredits(marts)}),
    first_click as (select conversion_id, channel, revenue_usd from credits where attribution_model = 'first_click'),
    last_click as (select conversion_id, channel from credits where attribution_model = 'last_click')
    select first_click.channel as first_click_channel,
      last_click.channel as last_click_channel,
      count(*) as conversions,
      cast(sum(first_click.revenue_usd) as string) as revenue_usd
    from first_click
    join last_click using (conversion_id)
    group by first_click_channel, last_click_channel
    order by conversions desc, first_click_channel, last_click_channel`,
    ...filterParams(filters),
  }
}

/** Conversions per day, model and (when asked) channel over the last `days` days that have data. */
export function dailyTrendsStatement(marts: DatasetRef, filters: DashboardFilters, options: { days: number; byChannel: boolean }): BigQueryStatement {
  const filter = filterParams(filters)
  const channel = options.byChannel ? 'channel' : `'all'`
  return {
    sql: `
    with credits as (${filteredCredits(marts)}),
    bounds as (select max(conversion_date) as last_date from credits)
    select format_date('%Y-%m-%d', conversion_date) as day,
      attribution_model as model,
      ${channel} as channel,
      count(*) as conversions,
      cast(sum(revenue_usd) as string) as revenue_usd,
      format_date('%Y-%m-%d', any_value(bounds.last_date)) as last_date
    from credits cross join bounds
    where conversion_date > date_sub(bounds.last_date, interval @days day)
    group by all
    order by day, model, channel`,
    params: { ...filter.params, days: options.days },
    types: { ...filter.types, days: 'INT64' },
  }
}

/**
 * Which export shards exist, from the `_table_suffix` pseudo-column alone (no column data is read):
 * the newest day and intraday shard and the row counts of each kind.
 */
export function shardsStatement(ga4: DatasetRef): BigQueryStatement {
  return {
    sql: `
    select
      max(if(starts_with(_table_suffix, 'intraday_'), null, _table_suffix)) as newest_day_suffix,
      max(if(starts_with(_table_suffix, 'intraday_'), _table_suffix, null)) as newest_intraday_suffix,
      countif(not starts_with(_table_suffix, 'intraday_')) as events,
      countif(starts_with(_table_suffix, 'intraday_')) as intraday_events
    from ${tableRef(ga4, 'events_*')}`,
    params: {},
    types: {},
  }
}

/** The newest event time in the given shards; a constant suffix list lets BigQuery skip the others. */
export function newestEventStatement(ga4: DatasetRef, tableSuffixes: string[]): BigQueryStatement {
  return {
    sql: `
    select format_timestamp('%Y-%m-%dT%H:%M:%SZ', timestamp_micros(max(event_timestamp))) as newest
    from ${tableRef(ga4, 'events_*')}
    where _table_suffix in unnest(@table_suffixes)`,
    params: { table_suffixes: tableSuffixes },
    types: { table_suffixes: ['STRING'] },
  }
}

/** The newest events of the given day and intraday shards, for the live feed. */
export function recentEventsStatement(ga4: DatasetRef, tableSuffixes: string[], limit: number): BigQueryStatement {
  const param = (key: string) => `(select param.value.string_value from unnest(event_params) as param where param.key = '${key}')`
  return {
    sql: `
    with newest as (
      select event_timestamp, event_name, user_pseudo_id, event_params, event_value_in_usd,
        ecommerce.purchase_revenue_in_usd as purchase_revenue_in_usd, event_bundle_sequence_id,
        starts_with(_table_suffix, 'intraday_') as is_intraday
      from ${tableRef(ga4, 'events_*')}
      where _table_suffix in unnest(@table_suffixes)
      order by event_timestamp desc
      limit @limit
    )
    select coalesce(${param('event_id')},
        to_hex(md5(array_to_string([user_pseudo_id, cast(event_timestamp as string), event_name, cast(event_bundle_sequence_id as string)], '|')))) as event_key,
      format_timestamp('%Y-%m-%dT%H:%M:%E3SZ', timestamp_micros(event_timestamp)) as event_at,
      event_name,
      user_pseudo_id,
      ${param('source')} as source,
      ${param('medium')} as medium,
      cast(cast(round(coalesce(purchase_revenue_in_usd, event_value_in_usd), 2) as numeric) as string) as value_usd,
      is_intraday
    from newest
    order by event_timestamp desc, event_key
    limit @limit`,
    params: { table_suffixes: tableSuffixes, limit },
    types: { table_suffixes: ['STRING'], limit: 'INT64' },
  }
}

/** The conversion-date range of the marts. */
export function conversionRangeStatement(marts: DatasetRef): BigQueryStatement {
  return {
    sql: `
    select format_date('%Y-%m-%d', min(conversion_date)) as first_date, format_date('%Y-%m-%d', max(conversion_date)) as last_date
    from ${tableRef(marts, 'fct_attribution_credits')}`,
    params: {},
    types: {},
  }
}

/** When dbt last built the marts. */
export function buildInfoStatement(marts: DatasetRef): BigQueryStatement {
  return {
    sql: `select format_timestamp('%Y-%m-%dT%H:%M:%SZ', max(built_at)) as built from ${tableRef(marts, 'rpt_build_info')}`,
    params: {},
    types: {},
  }
}
