import { type DuckDBConnection, type DuckDBValue, listValue } from '@duckdb/node-api'
import {
  type ConversionEventInfo,
  GROUPING_KEYS,
  LOOKBACK_DEFAULT_DAYS,
  type ReportGrouping,
  type ReportRequest,
  type ReportResult,
  type ReportRow,
} from '@shared/attribution'
import type { ChannelFlow, DashboardFilters, FeedEvent, StreamInfo } from '@shared/api'
import type { MarkovTransition } from '@shared/markov'
import { formatCents } from '@shared/money'
import { UserFacingError, messageOf } from '../errors'
import { MODEL_SCHEMA, RAW_SCHEMA } from './duckdb-schema'
import { sqlString } from './sql-literal'
import { dimensionSql, pathFilterValues, pathPageSql } from './dimension-sql'
import type {
  ConversionTotals,
  DailyTrendRows,
  ModelChannelCredit,
  PathRows,
  PathsOptions,
  RuleBasedModel,
  WarehouseModelRow,
} from './warehouse'

/**
 * The app's SQL against the embedded warehouse, all in one place and all with bound parameters.
 * It reads the marts dbt builds; the attribution rules themselves live in dbt.
 */

/**
 * Credits that hold at the filters' lookback, for the filters' events and dates (a CTE body). The
 * events are written as a list of literals, the one value not bound: a constant IN list is pushed
 * into the scan, so DuckDB skips the row groups of events not chosen (each newly modelled event's
 * rows are appended together), which a bound list cannot do. Every name is validated against the
 * warehouse's events before a query runs, and quoted here in any case.
 */
function filteredCredits(events: readonly string[]): string {
  const chosen = events.length > 0 ? events.map(sqlString).join(', ') : 'null'
  return `
    select *
    from ${MODEL_SCHEMA}.fct_attribution_credits
    where $lookback between min_lookback_days and max_lookback_days
      and conversion_event_name in (${chosen})
      and ($from_date is null or conversion_date >= cast($from_date as date))
      and ($to_date is null or conversion_date <= cast($to_date as date))
      and ($stream_id is null or stream_id = $stream_id)`
}

/** The filters' bound values for filteredCredits (the events are written into its text). */
function filterValues(filters: Omit<ReportRequest, 'model' | 'by'>): Record<string, DuckDBValue> {
  return {
    lookback: filters.lookbackDays,
    from_date: filters.fromDate ?? null,
    to_date: filters.toDate ?? null,
    stream_id: filters.streamId ?? null,
  }
}

/** Millionths of a conversion as the number the API shows (whole for single-touch models, 6 decimals otherwise). */
export function conversionsFromMicros(micros: bigint): number {
  return Number(micros) / 1_000_000
}

/** Credited conversions and revenue per group at any lookback, from the lookback-range mart. */
export async function queryReport(connection: DuckDBConnection, request: ReportRequest & { model: RuleBasedModel }): Promise<ReportResult> {
  const keys = GROUPING_KEYS[request.by]
  const keyList = keys.join(', ')
  const sql = `
    with credits as (${filteredCredits(request.conversionEvents)})
    select ${keyList},
      sum(credit_micros)::bigint as credit_micros,
      sum(credited_revenue_cents)::bigint as revenue_cents
    from credits
    where attribution_model = $model
      and ($channel is null or channel = $channel)
    group by ${keyList}
    order by revenue_cents desc, credit_micros desc, ${keyList}`
  const found = await readMart(connection, sql, { ...filterValues(request), model: request.model, channel: request.channel ?? null })
  return reportFromRows(request, keys, found)
}

/** A report from rows of group keys with credit_micros and revenue_cents; totals are summed in whole units. */
export function reportFromRows(
  request: ReportRequest,
  keys: ReadonlyArray<string>,
  found: ReadonlyArray<Record<string, unknown>>,
): ReportResult {
  let micros = 0n
  let cents = 0n
  const rows = found.map((row): ReportRow => {
    micros += BigInt(String(row.credit_micros))
    cents += BigInt(String(row.revenue_cents))
    // Group keys first, then the figures, as the JSON report promises.
    const groupKeys = Object.fromEntries(keys.map((key) => [key, String(row[key])]))
    return {
      ...groupKeys,
      conversions: conversionsFromMicros(BigInt(String(row.credit_micros))),
      revenue_usd: formatCents(BigInt(String(row.revenue_cents))),
    }
  })
  return {
    model: request.model,
    lookback_days: request.lookbackDays,
    conversion_events: [...request.conversionEvents],
    by: request.by,
    rows,
    totals: { conversions: conversionsFromMicros(micros), revenue_usd: formatCents(cents) },
  }
}

/**
 * Credit flows between two rule-based models, per (a channel, b channel). Per conversion, the credit
 * both models give a channel stays on it (the smaller of the two); what model a gives a channel
 * beyond that moves to the channels model b gives more, in proportion. For single-touch models this
 * is each conversion's (a channel, b channel) pair; a model compared with itself moves nothing.
 */
export async function queryChannelFlows(
  connection: DuckDBConnection,
  filters: DashboardFilters,
  models: readonly [RuleBasedModel, RuleBasedModel],
): Promise<ChannelFlow[]> {
  const sql = `
    with credits as (${filteredCredits(filters.conversionEvents)}),
    ${FLOWS_CTES}
    select a_channel, b_channel,
      sum(micros)::double as micros,
      sum(micros * cents_per_micro)::double as revenue_cents
    from flows
    group by all
    order by micros desc, a_channel, b_channel`
  return (await readMart(connection, sql, { ...filterValues(filters), model_a: models[0], model_b: models[1] })).map(flowFromRow)
}

/** The flow CTEs, over a `credits` CTE and the parameters $model_a and $model_b. */
const FLOWS_CTES = `
    a as (select conversion_id, channel, sum(credit_micros) as a_micros from credits where attribution_model = $model_a group by all),
    b as (select conversion_id, channel, sum(credit_micros) as b_micros from credits where attribution_model = $model_b group by all),
    revenue as (select conversion_id, sum(credited_revenue_cents) as revenue_cents from credits where attribution_model = $model_a group by all),
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
    moved as (select conversion_id, sum(surplus) as moved_micros from kept group by all),
    flows as (
      select kept.conversion_id, kept.channel as a_channel, kept.channel as b_channel, cast(kept.stay as double) as micros, revenue.revenue_cents / 1000000.0 as cents_per_micro
      from kept join revenue on kept.conversion_id = revenue.conversion_id
      where kept.stay > 0
      union all
      select s.conversion_id, s.channel, d.channel, cast(s.surplus as double) * d.deficit / moved.moved_micros, revenue.revenue_cents / 1000000.0
      from kept as s
      join kept as d on s.conversion_id = d.conversion_id
      join moved on s.conversion_id = moved.conversion_id
      join revenue on s.conversion_id = revenue.conversion_id
      where s.surplus > 0 and d.deficit > 0)`

/** A flow from millionths of conversions and its revenue in (fractional) cents; shown rounded (6 decimals, whole cents). */
export function flowFromRow(row: Record<string, unknown>): ChannelFlow {
  return {
    a_channel: String(row.a_channel),
    b_channel: String(row.b_channel),
    conversions: Math.round(Number(row.micros)) / 1_000_000,
    revenue_usd: formatCents(BigInt(Math.round(Number(row.revenue_cents)))),
  }
}

/** Credited conversions per day, model and (when asked) channel over the last `days` days that have data. */
export async function queryDailyTrends(
  connection: DuckDBConnection,
  filters: DashboardFilters,
  options: { days: number; byChannel: boolean; models: readonly RuleBasedModel[] },
): Promise<DailyTrendRows> {
  const channel = options.byChannel ? 'channel' : `'all'`
  const sql = `
    with credits as (${filteredCredits(filters.conversionEvents)}),
    bounds as (select max(conversion_date) as last_date from credits)
    select strftime(conversion_date, '%Y-%m-%d') as date,
      attribution_model as model,
      ${channel} as channel,
      sum(credit_micros)::bigint as credit_micros,
      sum(credited_revenue_cents)::bigint as revenue_cents,
      strftime(any_value(bounds.last_date), '%Y-%m-%d') as last_date
    from credits, bounds
    where conversion_date > bounds.last_date - cast($days as integer)
      and list_contains($models, attribution_model)
    group by all
    order by date, model, channel`
  const rows = await readMart(connection, sql, { ...filterValues(filters), days: options.days, models: listValue([...options.models]) })
  return {
    toDate: rows[0]?.last_date ? String(rows[0].last_date) : null,
    rows: rows.map((row) => ({
      date: String(row.date),
      model: String(row.model),
      ...(options.byChannel ? { channel: String(row.channel) } : {}),
      conversions: conversionsFromMicros(BigInt(String(row.credit_micros))),
      revenue_usd: formatCents(BigInt(String(row.revenue_cents))),
    })),
  }
}

/** Every rule-based model's credit per channel (or per value of the dimension `by`), in whole units. */
export async function queryModelChannelCredits(
  connection: DuckDBConnection,
  filters: DashboardFilters,
  by?: ReportGrouping,
): Promise<ModelChannelCredit[]> {
  const sql = `
    with credits as (${filteredCredits(filters.conversionEvents)})
    select attribution_model as model, ${dimensionSql(by)} as channel,
      sum(credit_micros)::bigint as credit_micros,
      sum(credited_revenue_cents)::bigint as revenue_cents
    from credits
    group by all
    order by model, channel`
  return (await readMart(connection, sql, filterValues(filters))).map((row) => ({
    model: String(row.model) as RuleBasedModel,
    channel: String(row.channel),
    creditMicros: BigInt(String(row.credit_micros)),
    revenueCents: BigInt(String(row.revenue_cents)),
  }))
}

/** One GA4 stream of the warehouse's events (the shared StreamInfo). */
export type StreamSummary = StreamInfo

/** Per stream of `events` (a table of staged events): its platform and event count; the serving copy keeps this. */
export function streamCountsSql(events: string): string {
  return `select stream_id, coalesce(min(platform), '(not set)') as platform, count(*)::bigint as events
    from ${events}
    where stream_id is not null
    group by stream_id`
}

/** The streams of the modelled events, most events first; `counts` is a table or subquery of streamCountsSql's shape. */
export async function queryStreams(
  connection: DuckDBConnection,
  counts = `(${streamCountsSql(`${MODEL_SCHEMA}.stg_ga4__events`)})`,
): Promise<StreamSummary[]> {
  const sql = `select stream_id, platform, events from ${counts} as counts order by events desc, stream_id`
  return (await readMart(connection, sql, {})).map((row) => ({
    streamId: String(row.stream_id),
    platform: String(row.platform),
    events: Number(row.events),
  }))
}

/** The models rpt_attribution_models lists, in order; none when no build has made it yet. */
export async function queryAttributionModels(connection: DuckDBConnection): Promise<WarehouseModelRow[]> {
  const found = await connection.runAndReadAll(
    `select 1 from duckdb_tables() where database_name = current_database() and schema_name = '${MODEL_SCHEMA}'
      and table_name = 'rpt_attribution_models'`,
  )
  if (found.currentRowCount === 0) return []
  const sql = `select attribution_model, model_name, description, is_rule_based
    from ${MODEL_SCHEMA}.rpt_attribution_models order by sort_order`
  return (await readMart(connection, sql, {})).map((row) => ({
    id: String(row.attribution_model),
    name: row.model_name === null ? null : String(row.model_name),
    description: String(row.description),
    isRuleBased: row.is_rule_based === true,
  }))
}

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
 * Transitions at the lookback of the converting journeys of the chosen events, and of each user's
 * non-converting journey after their latest conversion of a chosen event (the first chosen event
 * in their `cut_order`), or of all their sessions when they have none. `transitions` has the
 * columns of agg_channel_transitions plus `cut_order`.
 */
export function markovTransitionsSql(transitions: string): string {
  return `
    with orders as (
      select distinct cut_order,
        list_filter(string_split(cut_order, ','), event -> list_contains($events, event))[1] as chosen_cut
      from ${transitions}
      where conversion_event_name is null
    ),
    steps as (
      select from_state, to_state, transitions
      from ${transitions}
      where conversion_event_name is not null and list_contains($events, conversion_event_name)
        and $lookback between min_lookback_days and max_lookback_days
        and ($from_date is null or journey_date >= cast($from_date as date))
        and ($to_date is null or journey_date <= cast($to_date as date))
        and ($stream_id is null or stream_id = $stream_id)
      union all
      select t.from_state, t.to_state, t.transitions
      from ${transitions} as t
      join orders on t.cut_order is not distinct from orders.cut_order
      where t.conversion_event_name is null
        and t.cut_event_name is not distinct from orders.chosen_cut
        and $lookback between t.min_lookback_days and t.max_lookback_days
        and ($from_date is null or t.journey_date >= cast($from_date as date))
        and ($to_date is null or t.journey_date <= cast($to_date as date))
        and ($stream_id is null or t.stream_id = $stream_id)
    )
    select from_state, to_state, sum(transitions)::bigint as transitions
    from steps
    group by all
    order by from_state, to_state`
}

/** Transitions of the chosen events' converting journeys and of the matching non-converting ones at the lookback. */
export async function queryMarkovTransitions(
  connection: DuckDBConnection,
  filters: DashboardFilters,
  transitions = transitionsWithCutOrderSql(`${MODEL_SCHEMA}.agg_channel_transitions`, `${MODEL_SCHEMA}.agg_user_last_conversions`),
): Promise<MarkovTransition[]> {
  const values = { ...filterValues(filters), events: listValue([...filters.conversionEvents]) }
  return (await readMart(connection, markovTransitionsSql(transitions), values)).map((row) => ({
    from: String(row.from_state),
    to: String(row.to_state),
    count: Number(row.transitions),
  }))
}

/** Event names with their counts, as a select over the staged events (or the raw ones before a build). */
export function eventNameCountsSql(events: string): string {
  return `select event_name, count(*)::bigint as events from ${events} where event_name is not null group by all`
}

/**
 * The event names present with their counts, most frequent first (ties by name), and whether each
 * is modelled; a modelled name that does not occur (the default `purchase` on a property without
 * purchases) is listed with 0. `counts` is a table or subquery of (event_name, events), `modelled`
 * the int_conversion_events_modelled table or null when there is none yet.
 */
export async function queryConversionEvents(
  connection: DuckDBConnection,
  counts: string,
  modelled: string | null,
): Promise<ConversionEventInfo[]> {
  const modelledNames = modelled
    ? `select distinct conversion_event_name as event_name from ${modelled}`
    : `select null::varchar as event_name where false`
  const sql = `
    with counts as (select event_name, events from ${counts}),
    modelled as (${modelledNames})
    select coalesce(counts.event_name, modelled.event_name) as event_name,
      coalesce(counts.events, 0)::bigint as events,
      modelled.event_name is not null as modelled
    from counts full outer join modelled on counts.event_name = modelled.event_name
    order by events desc, event_name`
  const rows = await readMart(connection, sql, {})
  return rows.map((row) => ({ name: String(row.event_name), events: Number(row.events), modelled: row.modelled === true }))
}

/** The chosen conversions and revenue, and those with no session in the window, from first click's rows. */
export async function queryConversionTotals(connection: DuckDBConnection, filters: DashboardFilters): Promise<ConversionTotals> {
  const sql = `
    with credits as (${filteredCredits(filters.conversionEvents)})
    select count(*)::bigint as conversions,
      coalesce(sum(credited_revenue_cents), 0)::bigint as revenue_cents,
      count(*) filter (where touches = 0)::bigint as pathless_conversions,
      coalesce(sum(credited_revenue_cents) filter (where touches = 0), 0)::bigint as pathless_revenue_cents
    from credits
    where attribution_model = 'first_click'`
  const row = (await readMart(connection, sql, filterValues(filters)))[0] ?? {}
  return {
    conversions: Number(row.conversions ?? 0),
    revenueCents: BigInt(String(row.revenue_cents ?? 0)),
    pathlessConversions: Number(row.pathless_conversions ?? 0),
    pathlessRevenueCents: BigInt(String(row.pathless_revenue_cents ?? 0)),
  }
}

/**
 * Channel paths at the lookback: a conversion's path is its eligible sessions' channels (or values of
 * the dimension `by`) oldest first (linear's rows hold each once). The model's credit is summed by
 * position: the first touch (early), the last (late; a one-session path is all late) and those
 * between (middle). One page of the paths the filter lets through, in the asked order, with the
 * totals of all paths and of the matching ones on every row (and on one empty row when the page is).
 */
export async function queryConversionPaths(
  connection: DuckDBConnection,
  filters: DashboardFilters,
  model: RuleBasedModel | null,
  limit: number,
  options: PathsOptions = {},
): Promise<PathRows> {
  const sql = `
    with credits as (${filteredCredits(filters.conversionEvents)}),
    journeys as (
      select conversion_id,
        coalesce(list(${dimensionSql(options.by)} order by touch_position) filter (where touches > 0), []) as channels,
        sum(credited_revenue_cents)::bigint as revenue_cents,
        max(touches) as touches,
        coalesce(
          epoch(any_value(converted_at) - min(credited_session_started_at)) / 86400.0,
          0) as days
      from credits
      where attribution_model = 'linear'
      group by conversion_id
    ),
    positions as (
      select conversion_id,
        sum(credit_micros) filter (where touches > 1 and touch_position = 1)::bigint as early,
        sum(credit_micros) filter (where touch_position > 1 and touch_position < touches)::bigint as middle,
        sum(credit_micros) filter (where touches = 0 or touch_position = touches)::bigint as late
      from credits
      where attribution_model = $model
      group by conversion_id
    ),
    paths as (
      select journeys.channels,
        array_to_string(journeys.channels, ' > ') as path_text,
        len(journeys.channels) as path_length,
        count(*)::bigint as conversions,
        sum(journeys.revenue_cents)::bigint as revenue_cents,
        sum(journeys.touches)::bigint as touches_sum,
        sum(journeys.days)::double as days_sum,
        coalesce(sum(positions.early), 0)::bigint as early,
        coalesce(sum(positions.middle), 0)::bigint as middle,
        coalesce(sum(positions.late), 0)::bigint as late
      from journeys
      left join positions using (conversion_id)
      group by journeys.channels
    ),
    ${pathPageSql('$', options.sort)}`
  const found = await readMart(connection, sql, {
    ...filterValues(filters),
    ...pathFilterValues(options.filter),
    model: model ?? '',
    limit,
    offset: options.offset ?? 0,
  })
  return pathRowsFrom(found, model !== null)
}

/** PathRows from rows with channels, conversions, revenue_cents, touches_sum, days_sum, early, middle, late, path_rank and the totals. */
export function pathRowsFrom(found: ReadonlyArray<Record<string, unknown>>, withCredit: boolean): PathRows {
  const first = found[0]
  const micros = (value: unknown): bigint | null => (withCredit ? BigInt(String(value ?? 0)) : null)
  return {
    // The empty row that carries the totals when the page is empty has no rank.
    rows: found
      .filter((row) => row.path_rank !== null && row.path_rank !== undefined)
      .map((row) => ({
        channels: ((row.channels as unknown[] | null) ?? []).map(String),
        conversions: Number(row.conversions),
        revenueCents: BigInt(String(row.revenue_cents)),
        touchesSum: Number(row.touches_sum),
        daysSum: Number(row.days_sum),
        earlyMicros: micros(row.early),
        middleMicros: micros(row.middle),
        lateMicros: micros(row.late),
      })),
    totalPaths: first ? Number(first.total_paths) : 0,
    conversions: first ? Number(first.all_conversions) : 0,
    revenueCents: first ? BigInt(String(first.all_revenue_cents)) : 0n,
    matchingPaths: first ? Number(first.matching_paths) : 0,
    matchingConversions: first ? Number(first.matching_conversions) : 0,
    matchingRevenueCents: first ? BigInt(String(first.matching_revenue_cents)) : 0n,
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
 */
export function stagedFeedSql(staging: string): string {
  return `
    select coalesce(event_id, to_hex(event_key)) as event_key, event_id, event_timestamp_micros, event_name,
      case when has_user_pseudo_id then (case when stream_id is null then user_key else substr(user_key, length(stream_id) + 2) end) end
        as user_pseudo_id, source, medium,
      cast(round(coalesce(purchase_revenue_in_usd, event_value_in_usd), 2) as decimal(18, 2))::varchar as value_usd,
      is_intraday
    from ${staging}
    order by event_timestamp_micros desc, event_key
    limit $limit`
}

/**
 * The names of the model tables in `catalog` (the connection's current one by default). Staging is
 * listed only in its current layout: one without `has_user_pseudo_id` and `stream_id` was built by an earlier version
 * (text event_key, user_pseudo_id stored, or user_key not per stream), and the feed skips it until the next build
 * rebuilds it (dbt macro staging_event_key_scheme_outdated).
 */
export function modelTableNamesSql(catalog?: string): string {
  const inCatalog = `database_name = ${catalog === undefined ? 'current_database()' : sqlString(catalog)} and schema_name = '${MODEL_SCHEMA}'`
  return `
    select table_name from duckdb_tables() where ${inCatalog} and table_name <> 'stg_ga4__events'
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
  const reader = await connection.runAndReadAll(`
    select (select count(*) from ${prefix}${RAW_SCHEMA}.all_events)::bigint as events,
      (select count(*) from ${prefix}${RAW_SCHEMA}.all_events_intraday)::bigint as intraday_events,
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
