import { type DuckDBConnection, type DuckDBValue, listValue } from '@duckdb/node-api'
import { GROUPING_KEYS, type ReportRequest, type ReportResult, type ReportRow } from '../../shared/attribution'
import type { ChannelFlow, DashboardFilters, FeedEvent } from '../../shared/api'
import { sumAmounts } from '../../shared/money'
import { UserFacingError, messageOf } from '../errors'
import { MODEL_SCHEMA, RAW_SCHEMA } from './duckdb-schema'

/**
 * The app's SQL against the embedded warehouse, all in one place and all with bound parameters.
 * It reads the marts dbt builds; the attribution rules themselves live in dbt.
 */

/** Credits that hold at the filters' lookback, for the filters' events and dates (a CTE body). */
const FILTERED_CREDITS = `
    select *
    from ${MODEL_SCHEMA}.fct_attribution_credits
    where $lookback between min_lookback_days and max_lookback_days
      and list_contains($events, conversion_event_name)
      and ($from_date is null or conversion_date >= cast($from_date as date))
      and ($to_date is null or conversion_date <= cast($to_date as date))`

function filterValues(filters: Omit<ReportRequest, 'model' | 'by'>): Record<string, DuckDBValue> {
  return {
    lookback: filters.lookbackDays,
    events: listValue([...filters.conversionEvents]),
    from_date: filters.fromDate ?? null,
    to_date: filters.toDate ?? null,
  }
}

/** Conversions and revenue per group at any lookback, from the lookback-range mart. */
export async function queryReport(connection: DuckDBConnection, request: ReportRequest): Promise<ReportResult> {
  const keys = GROUPING_KEYS[request.by]
  const keyList = keys.join(', ')
  const sql = `
    with credits as (${FILTERED_CREDITS})
    select ${keyList},
      count(*)::integer as conversions,
      cast(sum(revenue_usd) as varchar) as revenue_usd
    from credits
    where attribution_model = $model
      and ($channel is null or channel = $channel)
    group by ${keyList}
    order by sum(revenue_usd) desc, conversions desc, ${keyList}`
  const rows = (
    await readMart(connection, sql, { ...filterValues(request), model: request.model, channel: request.channel ?? null })
  ).map((row): ReportRow => {
    // Group keys first, then the figures, as the JSON report promises.
    const groupKeys = Object.fromEntries(keys.map((key) => [key, String(row[key])]))
    return { ...groupKeys, conversions: Number(row.conversions), revenue_usd: String(row.revenue_usd ?? '0.00') }
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

/** Every (first-click channel, last-click channel) pair with its conversions and revenue. */
export async function queryChannelFlows(connection: DuckDBConnection, filters: DashboardFilters): Promise<ChannelFlow[]> {
  const sql = `
    with credits as (${FILTERED_CREDITS}),
    first_click as (select conversion_id, channel, revenue_usd from credits where attribution_model = 'first_click'),
    last_click as (select conversion_id, channel from credits where attribution_model = 'last_click')
    select first_click.channel as first_click_channel,
      last_click.channel as last_click_channel,
      count(*)::integer as conversions,
      cast(sum(first_click.revenue_usd) as varchar) as revenue_usd
    from first_click
    join last_click using (conversion_id)
    group by all
    order by conversions desc, first_click_channel, last_click_channel`
  return (await readMart(connection, sql, filterValues(filters))).map((row) => ({
    first_click_channel: String(row.first_click_channel),
    last_click_channel: String(row.last_click_channel),
    conversions: Number(row.conversions),
    revenue_usd: String(row.revenue_usd),
  }))
}

/** Conversions per day, model and (when asked) channel over the last `days` days that have data. */
export async function queryDailyTrends(
  connection: DuckDBConnection,
  filters: DashboardFilters,
  options: { days: number; byChannel: boolean },
): Promise<{ toDate: string | null; rows: Array<{ date: string; model: string; channel?: string; conversions: number; revenue_usd: string }> }> {
  const channel = options.byChannel ? 'channel' : `'all'`
  const sql = `
    with credits as (${FILTERED_CREDITS}),
    bounds as (select max(conversion_date) as last_date from credits)
    select strftime(conversion_date, '%Y-%m-%d') as date,
      attribution_model as model,
      ${channel} as channel,
      count(*)::integer as conversions,
      cast(sum(revenue_usd) as varchar) as revenue_usd,
      strftime(any_value(bounds.last_date), '%Y-%m-%d') as last_date
    from credits, bounds
    where conversion_date > bounds.last_date - cast($days as integer)
    group by all
    order by date, model, channel`
  const rows = await readMart(connection, sql, { ...filterValues(filters), days: options.days })
  return {
    toDate: rows[0]?.last_date ? String(rows[0].last_date) : null,
    rows: rows.map((row) => ({
      date: String(row.date),
      model: String(row.model),
      ...(options.byChannel ? { channel: String(row.channel) } : {}),
      conversions: Number(row.conversions),
      revenue_usd: String(row.revenue_usd),
    })),
  }
}

/** Lookback at which the feed names the credited channels (the app's default). */
export const FEED_LOOKBACK_DAYS = 14

/**
 * The newest events as the feed shows them, from dbt's staging model: its `event_key` is the one
 * event identity (a streamed `event_id`, else dbt's fingerprint), the same key the marts credit
 * conversions under. `$limit` bounds the rows; `from` names the staging relation.
 */
export function stagedFeedSql(staging: string): string {
  return `
    select event_key, event_id, event_timestamp_micros, event_name, user_pseudo_id, source, medium,
      cast(round(coalesce(purchase_revenue_in_usd, event_value_in_usd), 2) as decimal(18, 2))::varchar as value_usd,
      is_intraday
    from ${staging}
    order by event_timestamp_micros desc, event_key
    limit $limit`
}

/** The channels each model credits a conversion with at the feed's lookback, as a lateral subquery over `feed.event_key`. */
export function feedCreditsSql(credits: string): string {
  return `(select max(channel) filter (where attribution_model = 'first_click') as first_click_channel,
      max(channel) filter (where attribution_model = 'last_click') as last_click_channel
    from ${credits} as c
    where c.conversion_id = feed.event_key and ${FEED_LOOKBACK_DAYS} between c.min_lookback_days and c.max_lookback_days)`
}

/** The newest events the models have read, with the channels credited to conversions; empty before the first build. */
export async function queryRecentEvents(connection: DuckDBConnection, limit: number): Promise<FeedEvent[]> {
  const tables = await connection.runAndReadAll(
    `select table_name from information_schema.tables where table_schema = $schema and table_name in ('stg_ga4__events', 'fct_attribution_credits')`,
    { schema: MODEL_SCHEMA },
  )
  const names = new Set(tables.getRows().map((row) => String(row[0])))
  if (!names.has('stg_ga4__events')) return []
  const credited = names.has('fct_attribution_credits')
    ? feedCreditsSql(`${MODEL_SCHEMA}.fct_attribution_credits`)
    : '(select null as first_click_channel, null as last_click_channel)'
  const sql = `
    with feed as (${stagedFeedSql(`${MODEL_SCHEMA}.stg_ga4__events`)})
    select feed.*,
      strftime(make_timestamp(event_timestamp_micros), '%Y-%m-%dT%H:%M:%S.%gZ') as event_at,
      credited.first_click_channel, credited.last_click_channel
    from feed, lateral ${credited} as credited
    order by event_timestamp_micros desc, event_key`
  const reader = await connection.runAndReadAll(sql, { limit })
  return reader.getRowObjectsJson().map(feedEventFromRow)
}

/** A feed row as both feed queries return it; columns a query lacks (delivery, credited channels) are null. */
export function feedEventFromRow(row: Record<string, unknown>): FeedEvent {
  const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value))
  return {
    event_key: String(row.event_key),
    event_at: String(row.event_at),
    event_name: String(row.event_name),
    user_pseudo_id: text(row.user_pseudo_id),
    source: text(row.source),
    medium: text(row.medium),
    value_usd: text(row.value_usd),
    is_intraday: row.is_intraday === true,
    delivery: row.delivery === 'new' || row.delivery === 'duplicate' ? row.delivery : null,
    first_click_channel: text(row.first_click_channel),
    last_click_channel: text(row.last_click_channel),
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

/** Freshness figures: newest raw event, and the marts' build time and conversion-date range when built. */
export async function queryFreshness(connection: DuckDBConnection): Promise<{
  newestEventAt: string | null
  hasModels: boolean
  modelsBuiltAt: string | null
  firstConversionDate: string | null
  lastConversionDate: string | null
}> {
  const newest = await connection.runAndReadAll(`
    select strftime(make_timestamp(max(ts)), '%Y-%m-%dT%H:%M:%SZ') as newest
    from (select max(event_timestamp) as ts from ${RAW_SCHEMA}.events union all select max(event_timestamp) from ${RAW_SCHEMA}.events_intraday)`)
  const newestEventAt = (newest.getRowObjectsJson()[0]?.newest as string | null) ?? null
  const tables = await connection.runAndReadAll(
    `select table_name from information_schema.tables where table_schema = $schema and table_name in ('fct_attribution_credits', 'rpt_build_info')`,
    { schema: MODEL_SCHEMA },
  )
  const names = new Set(tables.getRows().map((row) => String(row[0])))
  if (!names.has('fct_attribution_credits')) {
    return { newestEventAt, hasModels: false, modelsBuiltAt: null, firstConversionDate: null, lastConversionDate: null }
  }
  const range = await connection.runAndReadAll(`
    select strftime(min(conversion_date), '%Y-%m-%d') as first_date, strftime(max(conversion_date), '%Y-%m-%d') as last_date
    from ${MODEL_SCHEMA}.fct_attribution_credits`)
  const dates = range.getRowObjectsJson()[0] ?? {}
  let modelsBuiltAt: string | null = null
  if (names.has('rpt_build_info')) {
    const built = await connection.runAndReadAll(`select strftime(max(built_at), '%Y-%m-%dT%H:%M:%SZ') as built from ${MODEL_SCHEMA}.rpt_build_info`)
    modelsBuiltAt = (built.getRowObjectsJson()[0]?.built as string | null) ?? null
  }
  return {
    newestEventAt,
    hasModels: true,
    modelsBuiltAt,
    firstConversionDate: (dates.first_date as string | null) ?? null,
    lastConversionDate: (dates.last_date as string | null) ?? null,
  }
}

/** What a warehouse file holds, in a few cheap figures: any other process's import, stream or build changes one. */
export interface WarehouseStamp {
  events: number
  intradayEvents: number
  importedFiles: number
  /** rpt_build_info.built_at, ISO 8601 UTC; null before the first build. */
  modelsBuiltAt: string | null
}

/** The stamp of the warehouse in `catalog` (the connection's default catalog when absent). */
export async function queryWarehouseStamp(connection: DuckDBConnection, catalog?: string): Promise<WarehouseStamp> {
  const prefix = catalog ? `${catalog}.` : ''
  const built = await connection.runAndReadAll(
    `select count(*)::integer as n from duckdb_tables()
    where database_name = coalesce($catalog::varchar, current_database()) and schema_name = $schema and table_name = 'rpt_build_info'`,
    { catalog: catalog ?? null, schema: MODEL_SCHEMA },
  )
  const hasBuildInfo = Number(built.getRowObjectsJson()[0]?.n) > 0
  const reader = await connection.runAndReadAll(`
    select (select count(*) from ${prefix}${RAW_SCHEMA}.events)::bigint as events,
      (select count(*) from ${prefix}${RAW_SCHEMA}.events_intraday)::bigint as intraday_events,
      (select count(*) from ${prefix}${RAW_SCHEMA}.import_log)::bigint as imported_files,
      ${hasBuildInfo ? `(select strftime(max(built_at), '%Y-%m-%dT%H:%M:%S.%fZ') from ${prefix}${MODEL_SCHEMA}.rpt_build_info)` : 'null::varchar'} as built_at`)
  const row = reader.getRowObjectsJson()[0] ?? {}
  return {
    events: Number(row.events),
    intradayEvents: Number(row.intraday_events),
    importedFiles: Number(row.imported_files),
    modelsBuiltAt: (row.built_at as string | null) ?? null,
  }
}

async function readMart(connection: DuckDBConnection, sql: string, values: Record<string, DuckDBValue>) {
  try {
    return (await connection.runAndReadAll(sql, values)).getRowObjectsJson()
  } catch (error) {
    const message = messageOf(error)
    if (/does not exist/i.test(message) && /fct_|agg_|attribution/i.test(message)) {
      throw new UserFacingError('The attribution models have not been built in this warehouse yet. Run `attribution build` first.')
    }
    throw error
  }
}

/** Recently active users with their first touch and session count, for the streamer to bring back. */
export async function queryRecentUsers(connection: DuckDBConnection, limit: number): Promise<Array<{ userPseudoId: string; firstTouchAtMicros: number; sessionCount: number }>> {
  const sql = `
    with recent as (
      (select user_pseudo_id, user_first_touch_timestamp, event_timestamp, event_params from ${RAW_SCHEMA}.events order by event_timestamp desc limit 20000)
      union all
      (select user_pseudo_id, user_first_touch_timestamp, event_timestamp, event_params from ${RAW_SCHEMA}.events_intraday order by event_timestamp desc limit 20000)
    )
    select user_pseudo_id,
      coalesce(min(user_first_touch_timestamp), min(event_timestamp)) as first_touch,
      coalesce(max(list_filter(event_params, p -> p.key = 'ga_session_number')[1].value.int_value), 1) as sessions
    from recent
    where user_pseudo_id is not null
    group by user_pseudo_id
    order by max(event_timestamp) desc, user_pseudo_id
    limit $limit`
  const reader = await connection.runAndReadAll(sql, { limit })
  return reader.getRowObjectsJson().map((row) => ({
    userPseudoId: String(row.user_pseudo_id),
    firstTouchAtMicros: Number(row.first_touch),
    sessionCount: Number(row.sessions),
  }))
}
