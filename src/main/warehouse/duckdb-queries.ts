import { type DuckDBConnection, type DuckDBValue, listValue } from '@duckdb/node-api'
import { LOOKBACK_DEFAULT_DAYS } from '@shared/attribution'
import type { FeedEvent, StreamInfo } from '@shared/api'
import { UserFacingError, messageOf } from '../errors'
import { MODEL_SCHEMA, RAW_SCHEMA } from './duckdb-schema'
import { sqlString } from './sql-literal'
import { rawViewRowCounts } from './raw-files'
import { type Dialect, type MarkovCuts, type MartQuery, type MartStatement, usedParams } from './mart-sql'

/**
 * The embedded warehouse's side of the app's SQL: DuckDB's dialect for the shared mart queries
 * (mart-sql.ts) and their runner, and the DuckDB-only statements (the feed, the raw counts, the
 * freshness and the serving copy's cuts), all with bound parameters.
 */

/**
 * DuckDB's spelling of the mart queries. The chosen events are written as a list of literals, the
 * one value not bound: a constant IN list is pushed into the scan, so DuckDB skips the row groups
 * of events not chosen (each newly modelled event's rows are appended together), which a bound list
 * cannot do. Every name is validated against the warehouse's events before a query runs, and
 * quoted here in any case.
 */
export const DUCKDB_DIALECT: Dialect = {
  p: '$',
  float: 'double',
  table: (name) => `${MODEL_SCHEMA}.${name}`,
  inEvents: (column, events) => `${column} in (${events.length > 0 ? events.map(sqlString).join(', ') : 'null'})`,
  inList: (column, _param, values) => `${column} in (${values.length > 0 ? values.map(sqlString).join(', ') : 'null'})`,
  equals: (column, _param, value) => `${column} = ${sqlString(value)}`,
  date: (param) => `cast($${param} as date)`,
  formatDate: (date) => `strftime(${date}, '%Y-%m-%d')`,
  daysBefore: (date, daysParam) => `${date} - cast($${daysParam} as integer)`,
  secondsBetween: (later, earlier) => `epoch(${later} - ${earlier})`,
  // Pairs (order, value) gathered unordered and then sorted, pairs comparing by their order first:
  // DuckDB's `list(value order by ...)` keeps every group's rows aside to sort them, and took twice as
  // long on the conversion paths of 100M events (DECISIONLOG 84).
  orderedList: (value, orderBy, where) =>
    `coalesce(list_transform(list_sort(list({'sort_key': ${orderBy}, 'value': ${value}}) filter (where ${where}), 'ASC', 'NULLS LAST'), pair -> pair.value), [])`,
  listKey: (list) => list,
}

/** Whether the warehouse has the tables (a file opened read-only before they existed has not). */
export async function hasTables(connection: DuckDBConnection, schema: string, names: string[]): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    `select table_name from information_schema.tables
     where table_catalog = current_database() and table_schema = $schema and table_name in (${names.map((_, i) => `$n${i}`).join(', ')})`,
    { schema, ...Object.fromEntries(names.map((name, i) => [`n${i}`, name])) },
  )
  return new Set(reader.getRows().map((row) => String(row[0])))
}

/** Runs a mart query on a DuckDB connection: only the parameters its text names are bound, lists as LIST values. */
export async function runMart<T>(connection: DuckDBConnection, query: MartQuery<T>): Promise<T> {
  return query.read(await martRows(connection, query))
}

/** The rows of a mart query, unmapped. */
export function martRows(connection: DuckDBConnection, query: MartStatement): Promise<Array<Record<string, unknown>>> {
  const { sql, params } = usedParams(query, '$')
  const values = Object.fromEntries(
    Object.entries(params).map(([name, value]): [string, DuckDBValue] => [name, Array.isArray(value) ? listValue(value) : value]),
  )
  return readMart(connection, sql, values)
}

/** One GA4 stream of the warehouse's events (the shared StreamInfo). */
export type StreamSummary = StreamInfo

/**
 * Each user's modelled events ordered by their last conversion, newest first (ties by name), as
 * `cut_order` 'e1,e2,...' (GA4 names hold no comma): for a choice of events, the user's
 * non-converting journey is the one cut by the first chosen event in that order, or by none.
 * Users with the same order behave alike, so the serving copy sums their rows.
 */
export function cutOrdersSql(lastConversions: string): string {
  return `select user_key, string_agg(conversion_event_name, ',' order by last_converted_micros desc, conversion_event_name) as cut_order
    from ${lastConversions} group by user_key`
}

/** agg_channel_transitions with each non-converting row's user's `cut_order` (see cutOrdersSql), as a subquery. */
export function transitionsWithCutOrderSql(transitions: string, lastConversions: string): string {
  return `(select t.*, case when t.conversion_event_name is null then orders.cut_order end as cut_order
    from ${transitions} as t left join (${cutOrdersSql(lastConversions)}) as orders on t.user_key = orders.user_key)`
}

/**
 * The cuts of the serving copy's transitions, which carry `cut_order` (see cutOrdersSql) instead of
 * a user: per order, its first chosen event.
 */
export function cutOrderCuts(transitions: string): MarkovCuts {
  return {
    // Each order split once, not once per row (1.3M rows at 100M events, a handful of orders).
    ctes: `orders as (
      select cut_order,
        list_filter(string_split(cut_order, ','), event -> list_contains($events, event))[1] as chosen_cut
      from (select distinct cut_order from ${transitions} where conversion_event_name is null) as distinct_orders
    )`,
    join: 'join orders on t.cut_order is not distinct from orders.cut_order',
    chosen: 'orders.chosen_cut',
  }
}

/** Lookback at which the feed names the credited channels (the app's default). */
export const FEED_LOOKBACK_DAYS = LOOKBACK_DEFAULT_DAYS

/**
 * The newest events as the feed shows them, from dbt's staging model. Their `event_key` is the one
 * event identity in text form (dbt macro event_key_text: a streamed `event_id`, else the hex of
 * dbt's integer fingerprint), the key the marts credit conversions under. Staging stores
 * user_pseudo_id as `user_key` (after `stream_id || '/'`) plus `has_user_pseudo_id`. `$limit` bounds the rows; `staging`
 * names the relation.
 *
 * The newest `$limit` timestamps are found first, reading that one column; the row's other columns are
 * then read only where the timestamp is at least the last of them (staging's timestamps are never
 * NULL, and ties at that timestamp are all kept before the limit). At 100M events: 2.9 s -> 0.6 s,
 * and at 4.3M the copy's DuckDB holds 46 MiB less (DECISIONLOG 85).
 */
export function stagedFeedSql(staging: string): string {
  return `
    select coalesce(event_id, to_hex(event_key)) as event_key, event_id, event_timestamp_micros, event_name,
      case when has_user_pseudo_id then (case when stream_id is null then user_key else substr(user_key, length(stream_id) + 2) end) end
        as user_pseudo_id, source, medium,
      cast(round(coalesce(purchase_revenue_in_usd, event_value_in_usd), 2) as decimal(18, 2))::varchar as value_usd,
      is_intraday
    from ${staging}
    where event_timestamp_micros >= (
      select min(newest) from (select event_timestamp_micros as newest from ${staging} order by newest desc limit $limit))
    order by event_timestamp_micros desc, event_key
    limit $limit`
}

/**
 * The names of the model tables and views in `catalog` (the connection's current one by default). Staging is
 * listed only in its current layout: one without `has_user_pseudo_id` and `stream_id` was built by an earlier version
 * (text event_key, user_pseudo_id stored, or user_key not per stream), and the feed skips it until the next build
 * rebuilds it (dbt macro staging_event_key_scheme_outdated).
 */
export function modelTableNamesSql(catalog?: string): string {
  const inCatalog = `database_name = ${catalog === undefined ? 'current_database()' : sqlString(catalog)} and schema_name = '${MODEL_SCHEMA}'`
  return `
    select table_name from duckdb_tables() where ${inCatalog} and table_name <> 'stg_ga4__events'
    union all
    select view_name from duckdb_views() where ${inCatalog} and not internal
    union all
    select table_name from duckdb_columns()
    where ${inCatalog} and table_name = 'stg_ga4__events' and column_name in ('has_user_pseudo_id', 'stream_id')
    group by table_name having count(*) = 2`
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
  const tables = await connection.runAndReadAll(modelTableNamesSql())
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
export async function queryRawCounts(
  connection: DuckDBConnection,
): Promise<{ events: number; intradayEvents: number; importedFiles: number }> {
  const reader = await connection.runAndReadAll(`
    select
      (select count(*) from ${RAW_SCHEMA}.all_events)::bigint as events,
      (select count(*) from ${RAW_SCHEMA}.all_events_intraday)::bigint as intraday_events,
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
    from (select max(event_timestamp) as ts from ${RAW_SCHEMA}.all_events union all select max(event_timestamp) from ${RAW_SCHEMA}.all_events_intraday)`)
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
    const built = await connection.runAndReadAll(
      `select strftime(max(built_at), '%Y-%m-%dT%H:%M:%SZ') as built from ${MODEL_SCHEMA}.rpt_build_info`,
    )
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
  // The views' rows from the file registry; counted through the views only when they carry no signature.
  const raw = (await rawViewRowCounts(connection, catalog)) ?? {
    events: `(select count(*) from ${prefix}${RAW_SCHEMA}.all_events)`,
    intradayEvents: `(select count(*) from ${prefix}${RAW_SCHEMA}.all_events_intraday)`,
  }
  const reader = await connection.runAndReadAll(`
    select ${raw.events}::bigint as events, ${raw.intradayEvents}::bigint as intraday_events,
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
    if (/does not exist/i.test(message) && /agg_cost_and_return/i.test(message)) {
      throw new UserFacingError('The cost mart has not been built in this warehouse yet. Run `attribution build` first.')
    }
    // Marts built before the credits were stored as splits: the next build makes them.
    if (/does not exist/i.test(message) && /fct_attribution_credit_splits/i.test(message)) {
      throw new UserFacingError(
        'The attribution models were built by an earlier version of the app. Run `attribution build` once to rebuild them.',
      )
    }
    if (/does not exist/i.test(message) && /fct_|agg_|attribution/i.test(message)) {
      throw new UserFacingError('The attribution models have not been built in this warehouse yet. Run `attribution build` first.')
    }
    // Marts built by a version before models became data lack the credit columns.
    if (
      /not found/i.test(message) &&
      /credit_micros|credited_revenue_cents|touch_position|touches|cut_event_name|agg_user_last_conversions/i.test(message)
    ) {
      throw new UserFacingError(
        'The attribution models were built by an earlier version of the app. Run `attribution build` once to rebuild them.',
      )
    }
    throw error
  }
}

/** Recently active users with their first touch and session count, for the streamer to bring back. */
export async function queryRecentUsers(
  connection: DuckDBConnection,
  limit: number,
): Promise<Array<{ userPseudoId: string; firstTouchAtMicros: number; sessionCount: number }>> {
  const sql = `
    with recent as (
      (select user_pseudo_id, user_first_touch_timestamp, event_timestamp, event_params from ${RAW_SCHEMA}.all_events order by event_timestamp desc limit 20000)
      union all
      (select user_pseudo_id, user_first_touch_timestamp, event_timestamp, event_params from ${RAW_SCHEMA}.all_events_intraday order by event_timestamp desc limit 20000)
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
