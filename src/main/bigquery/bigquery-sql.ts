import { BigQuery, type BigQueryDate } from '@google-cloud/bigquery'
import { GROUPING_KEYS, type ReportGrouping, type ReportRequest } from '@shared/attribution'
import type { DashboardFilters } from '@shared/api'
import { dimensionSql, pathFilterValues, pathPageSql } from '../warehouse/dimension-sql'
import { DATASET_ID, PROJECT_ID } from '../settings/app-settings'
import type { PathsOptions, RuleBasedModel } from '../warehouse/warehouse'

/**
 * The app's SQL against BigQuery, all in one place. Every value a person chose reaches BigQuery
 * as a named query parameter; only validated project, dataset and fixed table names are written
 * into the text, quoted with backticks. The queries give the same columns as duckdb-queries.ts, so its
 * row helpers turn both warehouses' answers into the same results.
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
      and (@to_date is null or conversion_date <= @to_date)
      and (@stream_id is null or stream_id = @stream_id)`
}

export function filterParams(filters: Omit<ReportRequest, 'model' | 'by'>): Pick<BigQueryStatement, 'params' | 'types'> {
  return {
    params: {
      lookback: filters.lookbackDays,
      events: [...filters.conversionEvents],
      // The client sends a DATE parameter's value only from a BigQueryDate; a plain string would go out empty (NULL).
      from_date: filters.fromDate ? BigQuery.date(filters.fromDate) : null,
      to_date: filters.toDate ? BigQuery.date(filters.toDate) : null,
      stream_id: filters.streamId ?? null,
    },
    types: { lookback: 'INT64', events: ['STRING'], from_date: 'DATE', to_date: 'DATE', stream_id: 'STRING' },
  }
}

/** Credited conversions (millionths) and revenue (cents) per group of a rule-based model at any lookback. */
export function reportStatement(marts: DatasetRef, request: ReportRequest & { model: RuleBasedModel }): BigQueryStatement {
  const keyList = GROUPING_KEYS[request.by].join(', ')
  const filter = filterParams(request)
  return {
    sql: `
    with credits as (${filteredCredits(marts)})
    select ${keyList},
      sum(credit_micros) as credit_micros,
      sum(credited_revenue_cents) as revenue_cents
    from credits
    where attribution_model = @model
      and (@channel is null or channel = @channel)
    group by ${keyList}
    order by sum(credited_revenue_cents) desc, sum(credit_micros) desc, ${keyList}`,
    params: { ...filter.params, model: request.model, channel: request.channel ?? null },
    types: { ...filter.types, model: 'STRING', channel: 'STRING' },
  }
}

/**
 * Credit flows between two rule-based models per (a channel, b channel), as duckdb-queries.ts's
 * queryChannelFlows: per conversion the credit both give a channel stays, model a's surplus moves to
 * model b's deficits in proportion. Products are FLOAT64, so no INT64 can overflow.
 */
export function channelFlowsStatement(
  marts: DatasetRef,
  filters: DashboardFilters,
  models: readonly [RuleBasedModel, RuleBasedModel],
): BigQueryStatement {
  const filter = filterParams(filters)
  return {
    sql: `
    with credits as (${filteredCredits(marts)}),
    a as (
      select conversion_id, channel, sum(credit_micros) as a_micros
      from credits
      where attribution_model = @model_a
      group by conversion_id, channel),
    b as (
      select conversion_id, channel, sum(credit_micros) as b_micros
      from credits
      where attribution_model = @model_b
      group by conversion_id, channel),
    revenue as (
      select conversion_id, sum(credited_revenue_cents) as revenue_cents
      from credits
      where attribution_model = @model_a
      group by conversion_id),
    both_models as (
      select coalesce(a.conversion_id, b.conversion_id) as conversion_id,
        coalesce(a.channel, b.channel) as channel,
        coalesce(a.a_micros, 0) as a_micros,
        coalesce(b.b_micros, 0) as b_micros
      from a full outer join b on a.conversion_id = b.conversion_id and a.channel = b.channel),
    kept as (
      select conversion_id, channel,
        least(a_micros, b_micros) as stay,
        a_micros - least(a_micros, b_micros) as surplus,
        b_micros - least(a_micros, b_micros) as deficit
      from both_models),
    moved as (select conversion_id, sum(surplus) as moved_micros from kept group by conversion_id),
    flows as (
      select kept.channel as a_channel, kept.channel as b_channel,
        cast(kept.stay as float64) as micros,
        revenue.revenue_cents / 1000000.0 as cents_per_micro
      from kept
      join revenue on kept.conversion_id = revenue.conversion_id
      where kept.stay > 0
      union all
      select s.channel, d.channel,
        cast(s.surplus as float64) * d.deficit / moved.moved_micros,
        revenue.revenue_cents / 1000000.0
      from kept as s
      join kept as d on s.conversion_id = d.conversion_id
      join moved on s.conversion_id = moved.conversion_id
      join revenue on s.conversion_id = revenue.conversion_id
      where s.surplus > 0 and d.deficit > 0),
    channel_pairs as (
      select a_channel, b_channel,
        sum(micros) as micros,
        sum(micros * cents_per_micro) as revenue_cents
      from flows
      group by a_channel, b_channel)
    select * from channel_pairs
    order by micros desc, a_channel, b_channel`,
    params: { ...filter.params, model_a: models[0], model_b: models[1] },
    types: { ...filter.types, model_a: 'STRING', model_b: 'STRING' },
  }
}

/** Credited conversions per day, model and (when asked) channel over the last `days` days that have data. */
export function dailyTrendsStatement(
  marts: DatasetRef,
  filters: DashboardFilters,
  options: { days: number; byChannel: boolean; models: readonly RuleBasedModel[] },
): BigQueryStatement {
  const filter = filterParams(filters)
  const channel = options.byChannel ? 'channel' : `'all'`
  return {
    sql: `
    with credits as (${filteredCredits(marts)}),
    bounds as (select max(conversion_date) as last_date from credits),
    daily as (
      select format_date('%Y-%m-%d', conversion_date) as day,
        attribution_model as model,
        ${channel} as channel,
        sum(credit_micros) as credit_micros,
        sum(credited_revenue_cents) as revenue_cents,
        format_date('%Y-%m-%d', any_value(bounds.last_date)) as last_date
      from credits cross join bounds
      where conversion_date > date_sub(bounds.last_date, interval @days day)
        and attribution_model in unnest(@models)
      group by all)
    select * from daily
    order by day, model, channel`,
    params: { ...filter.params, days: options.days, models: [...options.models] },
    types: { ...filter.types, days: 'INT64', models: ['STRING'] },
  }
}

/** Every rule-based model's credit per channel (or per value of the dimension `by`). */
export function modelChannelCreditsStatement(marts: DatasetRef, filters: DashboardFilters, by?: ReportGrouping): BigQueryStatement {
  return {
    sql: `
    with credits as (${filteredCredits(marts)})
    select attribution_model as model, ${dimensionSql(by)} as channel,
      sum(credit_micros) as credit_micros,
      sum(credited_revenue_cents) as revenue_cents
    from credits
    group by 1, 2
    order by 1, 2`,
    ...filterParams(filters),
  }
}

/**
 * Transitions of the chosen events' converting journeys and of each user's non-converting journey
 * after their latest conversion of a chosen event (or of all their sessions), at the lookback; the
 * same rule as duckdb-queries.ts markovTransitionsSql.
 */
export function markovTransitionsStatement(marts: DatasetRef, filters: DashboardFilters): BigQueryStatement {
  const transitions = tableRef(marts, 'agg_channel_transitions')
  return {
    sql: `
    with ranked_cuts as (
      select user_key, conversion_event_name,
        row_number() over (partition by user_key order by last_converted_micros desc, conversion_event_name) as recency
      from ${tableRef(marts, 'agg_user_last_conversions')}
      where conversion_event_name in unnest(@events)
    ),
    cuts as (select user_key, conversion_event_name as cut_event_name from ranked_cuts where recency = 1),
    steps as (
      select from_state, to_state, transitions
      from ${transitions}
      where conversion_event_name in unnest(@events)
        and @lookback between min_lookback_days and max_lookback_days
        and (@from_date is null or journey_date >= @from_date)
        and (@to_date is null or journey_date <= @to_date)
        and (@stream_id is null or stream_id = @stream_id)
      union all
      select t.from_state, t.to_state, t.transitions
      from ${transitions} as t
      left join cuts on t.user_key = cuts.user_key
      where t.conversion_event_name is null
        and (t.cut_event_name = cuts.cut_event_name or (t.cut_event_name is null and cuts.cut_event_name is null))
        and @lookback between t.min_lookback_days and t.max_lookback_days
        and (@from_date is null or t.journey_date >= @from_date)
        and (@to_date is null or t.journey_date <= @to_date)
        and (@stream_id is null or t.stream_id = @stream_id)
    )
    select from_state, to_state, sum(transitions) as transitions
    from steps
    group by from_state, to_state
    order by from_state, to_state`,
    ...filterParams(filters),
  }
}

/** The staged event names with their counts, most frequent first, and whether each is a modelled conversion (modelled ones that do not occur: 0). */
export function conversionEventsStatement(marts: DatasetRef): BigQueryStatement {
  return {
    sql: `
    with counts as (
      select event_name, count(*) as events
      from ${tableRef(marts, 'stg_ga4__events')}
      where event_name is not null
      group by event_name
    ),
    modelled as (select distinct conversion_event_name as event_name from ${tableRef(marts, 'int_conversion_events_modelled')})
    select coalesce(counts.event_name, modelled.event_name) as event_name,
      coalesce(counts.events, 0) as events,
      modelled.event_name is not null as modelled
    from counts full outer join modelled on counts.event_name = modelled.event_name
    order by events desc, event_name`,
    params: {},
    types: {},
  }
}

/** The GA4 streams of the staged events with their platform and event count, most events first. */
export function streamsStatement(marts: DatasetRef): BigQueryStatement {
  return {
    sql: `
    select stream_id, coalesce(min(platform), '(not set)') as platform, count(*) as events
    from ${tableRef(marts, 'stg_ga4__events')}
    where stream_id is not null
    group by stream_id
    order by events desc, stream_id`,
    params: {},
    types: {},
  }
}

/** The models rpt_attribution_models lists, in order. */
export function attributionModelsStatement(marts: DatasetRef): BigQueryStatement {
  return {
    sql: `select attribution_model, model_name, description, is_rule_based
    from ${tableRef(marts, 'rpt_attribution_models')} order by sort_order`,
    params: {},
    types: {},
  }
}

/** The chosen conversions and revenue, and those with no session in the window, from first click's rows (one per conversion). */
export function conversionTotalsStatement(marts: DatasetRef, filters: DashboardFilters): BigQueryStatement {
  return {
    sql: `
    with credits as (${filteredCredits(marts)})
    select count(*) as conversions,
      coalesce(sum(credited_revenue_cents), 0) as revenue_cents,
      countif(touches = 0) as pathless_conversions,
      coalesce(sum(if(touches = 0, credited_revenue_cents, null)), 0) as pathless_revenue_cents
    from credits
    where attribution_model = 'first_click'`,
    ...filterParams(filters),
  }
}

/**
 * A page of channel paths, as duckdb-queries.ts's queryConversionPaths: a path is linear's rows'
 * channels (or values of the dimension) oldest first, and the model's credit is summed by first,
 * middle and last touch. BigQuery cannot group by an array, so paths are grouped by its JSON text; a
 * conversion with no session has a NULL path, which BigQuery returns as an empty array.
 */
export function conversionPathsStatement(
  marts: DatasetRef,
  filters: DashboardFilters,
  model: RuleBasedModel | null,
  limit: number,
  options: PathsOptions = {},
): BigQueryStatement {
  const filter = filterParams(filters)
  return {
    sql: `
    with credits as (${filteredCredits(marts)}),
    journeys as (
      select conversion_id,
        array_agg(if(touches > 0, ${dimensionSql(options.by)}, null) ignore nulls order by touch_position) as channels,
        sum(credited_revenue_cents) as revenue_cents,
        max(touches) as touches,
        coalesce((unix_micros(any_value(converted_at)) - unix_micros(min(credited_session_started_at))) / 1000000 / 86400, 0) as days
      from credits
      where attribution_model = 'linear'
      group by conversion_id),
    positions as (
      select conversion_id,
        sum(if(touches > 1 and touch_position = 1, credit_micros, null)) as early,
        sum(if(touch_position > 1 and touch_position < touches, credit_micros, null)) as middle,
        sum(if(touches = 0 or touch_position = touches, credit_micros, null)) as late
      from credits
      where attribution_model = @model
      group by conversion_id),
    grouped as (
      select to_json_string(journeys.channels) as path_key,
        any_value(journeys.channels) as channels,
        count(*) as conversions,
        sum(journeys.revenue_cents) as revenue_cents,
        sum(journeys.touches) as touches_sum,
        sum(journeys.days) as days_sum,
        coalesce(sum(positions.early), 0) as early,
        coalesce(sum(positions.middle), 0) as middle,
        coalesce(sum(positions.late), 0) as late
      from journeys
      left join positions using (conversion_id)
      group by path_key),
    paths as (
      select grouped.*,
        coalesce(array_to_string(channels, ' > '), '') as path_text,
        coalesce(array_length(channels), 0) as path_length
      from grouped),
    ${pathPageSql('@', options.sort)}`,
    params: { ...filter.params, ...pathFilterValues(options.filter), model: model ?? '', limit, offset: options.offset ?? 0 },
    types: {
      ...filter.types,
      model: 'STRING',
      limit: 'INT64',
      offset: 'INT64',
      contains: 'STRING',
      starts_with: 'STRING',
      ends_with: 'STRING',
      min_length: 'INT64',
      max_length: 'INT64',
    },
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
