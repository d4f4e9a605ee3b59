import {
  GROUPING_KEYS,
  type ConversionEventInfo,
  type ReportGrouping,
  type ReportRequest,
  type ReportResult,
  type ReportRow,
} from '@shared/attribution'
import type { ChannelFlow, DashboardFilters, StreamInfo } from '@shared/api'
import type { CostGrouping } from '@shared/cost-return'
import type { MarkovTransition } from '@shared/markov'
import { formatCents } from '@shared/money'
import { type ParamMarker, dimensionSql, pathFilterValues, pathPageSql } from './dimension-sql'
import type {
  ConversionTotals,
  CostCreditRow,
  DailyCostRow,
  DailyTrendRows,
  ModelChannelCredit,
  PathRows,
  PathsOptions,
  RuleBasedModel,
  WarehouseModelRow,
} from './warehouse'

/**
 * The app's queries of the marts, each written once for both warehouses: a statement over a
 * `Dialect` (what DuckDB and BigQuery spell differently) with its named parameters and their types,
 * and the one row mapper that turns either engine's rows into the result. The attribution rules
 * live in dbt; what is here sums the marts at the chosen lookback, events and dates.
 */

/** What DuckDB and BigQuery spell differently; everything else in a statement is shared text. */
export interface Dialect {
  /** `$name` (DuckDB) or `@name` (BigQuery). */
  readonly p: ParamMarker
  /** The floating-point type's name in a cast. */
  readonly float: string
  /** A mart of dbt's (a name from a fixed list, never a person's text), as the engine names it. */
  table(name: string): string
  /** `column` is one of the chosen conversion events (validated names; see each dialect for how they are written). */
  inEvents(column: string, events: readonly string[]): string
  /**
   * `column` is one of `values`, the string-list parameter `param` (allow-listed values such as model
   * ids). DuckDB writes them as quoted literals, which it pushes into the scan to skip row groups
   * (a bound value is not); BigQuery binds the parameter.
   */
  inList(column: string, param: string, values: readonly string[]): string
  /** `column` equals `value`, the string parameter `param` (an allow-listed value): as inList, for one value. */
  equals(column: string, param: string, value: string): string
  /** A DATE parameter (bound as text on DuckDB). */
  date(param: string): string
  /** A date as 'YYYY-MM-DD'. */
  formatDate(date: string): string
  /** The date `days` (an integer parameter) before `date`. */
  daysBefore(date: string, daysParam: string): string
  /** Seconds from timestamp `earlier` to `later`, as a number. */
  secondsBetween(later: string, earlier: string): string
  /** The values of `value` where `where` holds, ordered by `orderBy`, as an array (empty or NULL when none). */
  orderedList(value: string, orderBy: string, where: string): string
  /** A groupable key of an array (BigQuery cannot group by an array). */
  listKey(list: string): string
}

/** A parameter's type as BigQuery names it; DuckDB takes lists as LIST values and dates as text. */
export type MartParamType = 'INT64' | 'STRING' | 'DATE' | ['STRING']

/** A parameter's value: dates are 'YYYY-MM-DD' text. */
export type MartValue = string | number | null | string[]

/** A statement and its named parameters with their types (needed for NULLs and lists). */
export interface MartStatement {
  sql: string
  params: Record<string, MartValue>
  types: Record<string, MartParamType>
}

/** A statement with the one mapper that turns either engine's rows into its result. */
export interface MartQuery<T> extends MartStatement {
  read(rows: ReadonlyArray<Record<string, unknown>>): T
}

/** The parameters a statement's text names (an engine may refuse, or bill for, the others). */
export function usedParams(statement: MartStatement, p: ParamMarker): MartStatement {
  const used = (name: string) => new RegExp(`\\${p}${name}\\b`).test(statement.sql)
  const keep = <V>(record: Record<string, V>) => Object.fromEntries(Object.entries(record).filter(([name]) => used(name)))
  return { sql: statement.sql, params: keep(statement.params), types: keep(statement.types) }
}

type FilterValues = Omit<ReportRequest, 'model' | 'by'>

/** The filters' parameters (the events go in too, for a dialect that binds them). */
function filterParams(filters: FilterValues): Pick<MartStatement, 'params' | 'types'> {
  return {
    params: {
      lookback: filters.lookbackDays,
      events: [...filters.conversionEvents],
      from_date: filters.fromDate ?? null,
      to_date: filters.toDate ?? null,
      stream_id: filters.streamId ?? null,
    },
    types: { lookback: 'INT64', events: ['STRING'], from_date: 'DATE', to_date: 'DATE', stream_id: 'STRING' },
  }
}

/**
 * The rows of a mart (whose columns are `t` + the names) that hold at the filters' lookback and
 * within their dates (`date` column) and stream (when the mart keeps one); the events are left to
 * the caller.
 */
function inFilters(d: Dialect, t: string, date: string, withStream = true): string {
  const { p } = d
  return `${p}lookback between ${t}min_lookback_days and ${t}max_lookback_days
      and (${p}from_date is null or ${t}${date} >= ${d.date('from_date')})
      and (${p}to_date is null or ${t}${date} <= ${d.date('to_date')})${
        withStream ? `\n      and (${p}stream_id is null or ${t}stream_id = ${p}stream_id)` : ''
      }`
}

/** Credits that hold at the filters' lookback, for the filters' events, dates and stream (a CTE body). */
function filteredCredits(d: Dialect, filters: FilterValues): string {
  return `
    select *
    from ${d.table('fct_attribution_credits')}
    where ${d.inEvents('conversion_event_name', filters.conversionEvents)}
      and ${inFilters(d, '', 'conversion_date')}`
}

/** Millionths of a conversion as the number the API shows (whole for single-touch models, 6 decimals otherwise). */
export function conversionsFromMicros(micros: bigint): number {
  return Number(micros) / 1_000_000
}

const bigint = (value: unknown): bigint => BigInt(String(value ?? 0))
const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value))

/** Credited conversions (millionths) and revenue (cents) per group of a rule-based model at any lookback. */
export function reportQuery(d: Dialect, request: ReportRequest & { model: RuleBasedModel }): MartQuery<ReportResult> {
  const keys = GROUPING_KEYS[request.by]
  const keyList = keys.join(', ')
  const filter = filterParams(request)
  return {
    sql: `
    with credits as (${filteredCredits(d, request)})
    select ${keyList},
      cast(sum(credit_micros) as bigint) as credit_micros,
      cast(sum(credited_revenue_cents) as bigint) as revenue_cents
    from credits
    where ${d.equals('attribution_model', 'model', request.model)}
      and (${d.p}channel is null or channel = ${d.p}channel)
    group by ${keyList}
    order by sum(credited_revenue_cents) desc, sum(credit_micros) desc, ${keyList}`,
    params: { ...filter.params, model: request.model, channel: request.channel ?? null },
    types: { ...filter.types, model: 'STRING', channel: 'STRING' },
    read: (rows) => reportFromRows(request, keys, rows),
  }
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
    micros += bigint(row.credit_micros)
    cents += bigint(row.revenue_cents)
    // Group keys first, then the figures, as the JSON report promises.
    const groupKeys = Object.fromEntries(keys.map((key) => [key, String(row[key])]))
    return {
      ...groupKeys,
      conversions: conversionsFromMicros(bigint(row.credit_micros)),
      revenue_usd: formatCents(bigint(row.revenue_cents)),
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
 * The moved-credit rule, once for both engines: CTEs over a `credits` CTE (the two models' rows)
 * and the parameters model_a and model_b, ending in `flows` (conversion_id, a_channel, b_channel,
 * micros, cents_per_micro). Per conversion, the credit both models give a channel stays on it (the
 * smaller of the two); what model a gives a channel beyond that moves to the channels model b gives
 * more, in proportion. A model compared with itself moves nothing. Products are floating point, so
 * no integer overflows; the revenue is the conversion's own (what each model's cents sum to).
 * When every row gives its session the whole conversion (two single-touch models, as first and
 * last click are), the rule reduces to each conversion's (a channel, b channel) pair: the rows of
 * the two models are paired by conversion, and the general rule (a group by conversion and
 * channel, the costly part at millions of conversions) runs on no rows.
 */
function flowsCtes(d: Dialect, models: readonly [RuleBasedModel, RuleBasedModel]): string {
  const isA = d.equals('attribution_model', 'model_a', models[0])
  const isB = d.equals('attribution_model', 'model_b', models[1])
  const centsPerMicro = (revenue: string) => `cast(round(${revenue} * 100) as ${d.float}) / 1000000`
  return `
    single_touch as (
      select coalesce(min(case when credit_micros = 1000000 then 1 else 0 end), 1) as is_single
      from credits),
    paired as (
      select a_rows.conversion_id, a_rows.channel as a_channel, b_rows.channel as b_channel,
        cast(1000000 as ${d.float}) as micros,
        ${centsPerMicro('a_rows.revenue_usd')} as cents_per_micro
      from credits as a_rows
      cross join single_touch
      join credits as b_rows on a_rows.conversion_id = b_rows.conversion_id
      where single_touch.is_single = 1
        and ${d.equals('a_rows.attribution_model', 'model_a', models[0])}
        and ${d.equals('b_rows.attribution_model', 'model_b', models[1])}),
    both_models as (
      select credits.conversion_id, credits.channel,
        sum(case when ${isA} then credit_micros else 0 end) as a_micros,
        sum(case when ${isB} then credit_micros else 0 end) as b_micros,
        ${centsPerMicro('any_value(revenue_usd)')} as cents_per_micro
      from credits
      cross join single_touch
      where single_touch.is_single = 0
      group by credits.conversion_id, credits.channel),
    kept as (
      select conversion_id, channel, cents_per_micro,
        least(a_micros, b_micros) as stay,
        a_micros - least(a_micros, b_micros) as surplus,
        b_micros - least(a_micros, b_micros) as deficit
      from both_models),
    moving as (select * from kept where surplus > 0 or deficit > 0),
    moved as (select conversion_id, sum(surplus) as moved_micros from moving group by conversion_id),
    flows as (
      select conversion_id, a_channel, b_channel, micros, cents_per_micro
      from paired
      union all
      select conversion_id, channel, channel,
        cast(stay as ${d.float}),
        cents_per_micro
      from kept
      where stay > 0
      union all
      select s.conversion_id, s.channel, d.channel,
        cast(s.surplus as ${d.float}) * d.deficit / moved.moved_micros,
        s.cents_per_micro
      from moving as s
      join moving as d on s.conversion_id = d.conversion_id
      join moved on s.conversion_id = moved.conversion_id
      where s.surplus > 0 and d.deficit > 0)`
}

/** Credit flows between two rule-based models per (a channel, b channel), by the moved-credit rule (flowsCtes). */
export function channelFlowsQuery(
  d: Dialect,
  filters: DashboardFilters,
  models: readonly [RuleBasedModel, RuleBasedModel],
): MartQuery<ChannelFlow[]> {
  const filter = filterParams(filters)
  return {
    sql: `
    with credits as (
      -- Only the columns the rule reads: the rows are held once for its several reads.
      select conversion_id, attribution_model, channel, credit_micros, revenue_usd
      from (${filteredCredits(d, filters)}) as chosen
      where ${d.inList('attribution_model', 'flow_models', models)}),
    ${flowsCtes(d, models)},
    channel_pairs as (
      select a_channel, b_channel,
        cast(sum(micros) as ${d.float}) as micros,
        cast(sum(micros * cents_per_micro) as ${d.float}) as revenue_cents
      from flows
      group by a_channel, b_channel)
    select * from channel_pairs
    order by micros desc, a_channel, b_channel`,
    params: { ...filter.params, model_a: models[0], model_b: models[1], flow_models: [...models] },
    types: { ...filter.types, model_a: 'STRING', model_b: 'STRING', flow_models: ['STRING'] },
    read: (rows) => rows.map(flowFromRow),
  }
}

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
export function dailyTrendsQuery(
  d: Dialect,
  filters: DashboardFilters,
  options: { days: number; byChannel: boolean; models: readonly RuleBasedModel[] },
): MartQuery<DailyTrendRows> {
  const filter = filterParams(filters)
  const channel = options.byChannel ? 'channel' : `'all'`
  return {
    sql: `
    with credits as (
      select * from (${filteredCredits(d, filters)}) as chosen
      where ${d.inList('attribution_model', 'models', options.models)}),
    -- Every model credits every conversion, so the chosen models' rows have every conversion date.
    bounds as (select max(conversion_date) as last_date from credits),
    daily as (
      select ${d.formatDate('conversion_date')} as day,
        attribution_model as model,
        ${channel} as channel,
        cast(sum(credit_micros) as bigint) as credit_micros,
        cast(sum(credited_revenue_cents) as bigint) as revenue_cents,
        ${d.formatDate('any_value(bounds.last_date)')} as last_date
      from credits cross join bounds
      where conversion_date > ${d.daysBefore('bounds.last_date', 'days')}
      group by 1, 2${options.byChannel ? ', 3' : ''})
    select * from daily
    order by day, model, channel`,
    params: { ...filter.params, days: options.days, models: [...options.models] },
    types: { ...filter.types, days: 'INT64', models: ['STRING'] },
    read: (rows) => ({
      toDate: rows[0]?.last_date ? String(rows[0].last_date) : null,
      rows: rows.map((row) => ({
        date: String(row.day),
        model: String(row.model),
        ...(options.byChannel ? { channel: String(row.channel) } : {}),
        conversions: conversionsFromMicros(bigint(row.credit_micros)),
        revenue_usd: formatCents(bigint(row.revenue_cents)),
      })),
    }),
  }
}

/** Every rule-based model's credit per channel (or per value of the dimension `by`), in whole units. */
export function modelChannelCreditsQuery(d: Dialect, filters: DashboardFilters, by?: ReportGrouping): MartQuery<ModelChannelCredit[]> {
  return {
    sql: `
    with credits as (${filteredCredits(d, filters)})
    select attribution_model as model, ${dimensionSql(by)} as channel,
      cast(sum(credit_micros) as bigint) as credit_micros,
      cast(sum(credited_revenue_cents) as bigint) as revenue_cents
    from credits
    group by 1, 2
    order by 1, 2`,
    ...filterParams(filters),
    read: (rows) =>
      rows.map((row) => ({
        model: String(row.model) as RuleBasedModel,
        channel: String(row.channel),
        creditMicros: bigint(row.credit_micros),
        revenueCents: bigint(row.revenue_cents),
      })),
  }
}

/** The chosen conversions and revenue, and those with no session in the window, from first click's rows (one per conversion). */
export function conversionTotalsQuery(d: Dialect, filters: DashboardFilters): MartQuery<ConversionTotals> {
  return {
    sql: `
    with credits as (${filteredCredits(d, filters)})
    select cast(count(*) as bigint) as conversions,
      cast(coalesce(sum(credited_revenue_cents), 0) as bigint) as revenue_cents,
      cast(count(case when touches = 0 then 1 end) as bigint) as pathless_conversions,
      cast(coalesce(sum(case when touches = 0 then credited_revenue_cents end), 0) as bigint) as pathless_revenue_cents
    from credits
    where attribution_model = 'first_click'`,
    ...filterParams(filters),
    read: (rows) => {
      const row = rows[0] ?? {}
      return {
        conversions: Number(row.conversions ?? 0),
        revenueCents: bigint(row.revenue_cents),
        pathlessConversions: Number(row.pathless_conversions ?? 0),
        pathlessRevenueCents: bigint(row.pathless_revenue_cents),
      }
    },
  }
}

/**
 * Channel paths at the lookback: a conversion's path is its eligible sessions' channels (or values of
 * the dimension `by`) oldest first (linear's rows hold each once). The model's credit is summed by
 * position: the first touch (early), the last (late; a one-session path is all late) and those
 * between (middle). One page of the paths the filter lets through, in the asked order, with the
 * totals of all paths and of the matching ones on every row (and on one empty row when the page is).
 */
export function conversionPathsQuery(
  d: Dialect,
  filters: DashboardFilters,
  model: RuleBasedModel | null,
  limit: number,
  options: PathsOptions = {},
): MartQuery<PathRows> {
  const filter = filterParams(filters)
  return {
    // journeys and positions each read the credits they need: one shared CTE of both models' rows
    // was written out whole by DuckDB before either read it (a third of the view's time at 100M events).
    sql: `
    with journeys as (
      select conversion_id,
        ${d.orderedList(dimensionSql(options.by), 'touch_position', 'touches > 0')} as channels,
        cast(sum(credited_revenue_cents) as bigint) as revenue_cents,
        max(touches) as touches,
        coalesce(${d.secondsBetween('any_value(converted_at)', 'min(credited_session_started_at)')} / 86400.0, 0) as days
      from (${filteredCredits(d, filters)}) as chosen
      where attribution_model = 'linear'
      group by conversion_id),
    positions as (
      select conversion_id,
        cast(sum(case when touches > 1 and touch_position = 1 then credit_micros end) as bigint) as early,
        cast(sum(case when touch_position > 1 and touch_position < touches then credit_micros end) as bigint) as middle,
        cast(sum(case when touches = 0 or touch_position = touches then credit_micros end) as bigint) as late
      from (${filteredCredits(d, filters)}) as chosen
      where ${d.equals('attribution_model', 'model', model ?? '')}
      group by conversion_id),
    grouped as (
      select ${d.listKey('journeys.channels')} as path_key,
        any_value(journeys.channels) as channels,
        cast(count(*) as bigint) as conversions,
        cast(sum(journeys.revenue_cents) as bigint) as revenue_cents,
        cast(sum(journeys.touches) as bigint) as touches_sum,
        cast(sum(journeys.days) as ${d.float}) as days_sum,
        cast(coalesce(sum(positions.early), 0) as bigint) as early,
        cast(coalesce(sum(positions.middle), 0) as bigint) as middle,
        cast(coalesce(sum(positions.late), 0) as bigint) as late
      from journeys
      left join positions using (conversion_id)
      group by 1),
    paths as (
      select grouped.*,
        coalesce(array_to_string(channels, ' > '), '') as path_text,
        coalesce(array_length(channels), 0) as path_length
      from grouped),
    ${pathPageSql(d.p, options.sort)}`,
    params: {
      ...filter.params,
      ...pathFilterValues(options.filter),
      model: model ?? '',
      limit,
      offset: options.offset ?? 0,
    },
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
    read: (rows) => pathRowsFrom(rows, model !== null),
  }
}

/** PathRows from rows with channels, conversions, revenue_cents, touches_sum, days_sum, early, middle, late, path_rank and the totals. */
export function pathRowsFrom(found: ReadonlyArray<Record<string, unknown>>, withCredit: boolean): PathRows {
  const first = found[0]
  const micros = (value: unknown): bigint | null => (withCredit ? bigint(value) : null)
  return {
    // The empty row that carries the totals when the page is empty has no rank.
    rows: found
      .filter((row) => row.path_rank !== null && row.path_rank !== undefined)
      .map((row) => ({
        channels: ((row.channels as unknown[] | null) ?? []).map(String),
        conversions: Number(row.conversions),
        revenueCents: bigint(row.revenue_cents),
        touchesSum: Number(row.touches_sum),
        daysSum: Number(row.days_sum),
        earlyMicros: micros(row.early),
        middleMicros: micros(row.middle),
        lateMicros: micros(row.late),
      })),
    totalPaths: first ? Number(first.total_paths) : 0,
    conversions: first ? Number(first.all_conversions) : 0,
    revenueCents: first ? bigint(first.all_revenue_cents) : 0n,
    matchingPaths: first ? Number(first.matching_paths) : 0,
    matchingConversions: first ? Number(first.matching_conversions) : 0,
    matchingRevenueCents: first ? bigint(first.matching_revenue_cents) : 0n,
  }
}

/** Rows of agg_cost_and_return that hold at the filters' lookback, events and dates; spend is not kept per stream. */
function filteredCost(d: Dialect, filters: DashboardFilters): string {
  return `
    select *
    from ${d.table('agg_cost_and_return')}
    where (conversion_event_name is null or ${d.inEvents('conversion_event_name', filters.conversionEvents)})
      and ${inFilters(d, '', 'report_date', false)}`
}

/** Credit and cost per rule-based model and channel (or source/medium/campaign) at the filters' lookback. */
export function costCreditsQuery(d: Dialect, filters: DashboardFilters, by: CostGrouping): MartQuery<CostCreditRow[]> {
  const keys = by === 'channel' ? 'channel' : 'channel, source, medium, campaign'
  return {
    sql: `
    with cost as (${filteredCost(d, filters)})
    select attribution_model as model, ${keys},
      cast(sum(credit_micros) as bigint) as credit_micros,
      cast(sum(revenue_cents) as bigint) as revenue_cents,
      cast(sum(cost_usd) * 100 as bigint) as cost_cents
    from cost
    group by model, ${keys}
    order by model, ${keys}`,
    ...filterParams(filters),
    read: (rows) => rows.map(costRowFrom),
  }
}

/** Credit and cost per day of the given rule-based models, for one channel or all. */
export function dailyCostQuery(
  d: Dialect,
  filters: DashboardFilters,
  models: readonly RuleBasedModel[],
  channel: string | null,
): MartQuery<DailyCostRow[]> {
  const filter = filterParams(filters)
  return {
    sql: `
    with cost as (${filteredCost(d, filters)})
    select ${d.formatDate('report_date')} as day, attribution_model as model,
      cast(sum(credit_micros) as bigint) as credit_micros,
      cast(sum(revenue_cents) as bigint) as revenue_cents,
      cast(sum(cost_usd) * 100 as bigint) as cost_cents
    from cost
    where ${d.inList('attribution_model', 'models', models)}
      and (${d.p}channel is null or channel = ${d.p}channel)
    group by 1, 2
    order by 1, 2`,
    params: { ...filter.params, models: [...models], channel },
    types: { ...filter.types, models: ['STRING'], channel: 'STRING' },
    read: (rows) => rows.map((row) => ({ date: String(row.day), ...costRowFrom(row) })),
  }
}

/** A cost row in whole units (DuckDB's JSON rows give BIGINT as strings, BigQuery's as numbers). */
export function costRowFrom(row: Record<string, unknown>): CostCreditRow {
  const text = (key: string) => (row[key] === undefined || row[key] === null ? undefined : String(row[key]))
  return {
    model: String(row.model) as RuleBasedModel,
    channel: text('channel') ?? '',
    ...(text('source') !== undefined ? { source: text('source'), medium: text('medium'), campaign: text('campaign') } : {}),
    creditMicros: bigint(row.credit_micros),
    revenueCents: bigint(row.revenue_cents),
    costCents: bigint(row.cost_cents),
  }
}

/** Per stream of `events` (a relation of staged events): its platform and event count; the serving copy keeps this. */
export function streamCountsSql(events: string): string {
  return `select stream_id, coalesce(min(platform), '(not set)') as platform, cast(count(*) as bigint) as events
    from ${events}
    where stream_id is not null
    group by stream_id`
}

/** The GA4 streams of the staged events, most events first; `counts` is a relation of streamCountsSql's shape. */
export function streamsQuery(d: Dialect, counts = `(${streamCountsSql(d.table('stg_ga4__events'))})`): MartQuery<StreamInfo[]> {
  return {
    sql: `select stream_id, platform, events from ${counts} as counts order by events desc, stream_id`,
    params: {},
    types: {},
    read: (rows) => rows.map((row) => ({ streamId: String(row.stream_id), platform: String(row.platform), events: Number(row.events) })),
  }
}

/** The models rpt_attribution_models lists, in order. */
export function attributionModelsQuery(d: Dialect): MartQuery<WarehouseModelRow[]> {
  return {
    sql: `select attribution_model, model_name, description, is_rule_based
    from ${d.table('rpt_attribution_models')} order by sort_order`,
    params: {},
    types: {},
    read: (rows) =>
      rows.map((row) => ({
        id: String(row.attribution_model),
        name: textOrNull(row.model_name),
        description: String(row.description),
        isRuleBased: row.is_rule_based === true,
      })),
  }
}

/** Event names with their counts, as a select over the staged events (or the raw ones before a build). */
export function eventNameCountsSql(events: string): string {
  return `select event_name, cast(count(*) as bigint) as events from ${events} where event_name is not null group by event_name`
}

/**
 * The event names present with their counts, most frequent first (ties by name), and whether each
 * is modelled; a modelled name that does not occur (the default `purchase` on a property without
 * purchases) is listed with 0. `counts` is a relation of (event_name, events), `modelled` the
 * int_conversion_events_modelled relation or null when there is none yet.
 */
export function conversionEventsQuery(
  d: Dialect,
  counts = `(${eventNameCountsSql(d.table('stg_ga4__events'))})`,
  modelled: string | null = d.table('int_conversion_events_modelled'),
): MartQuery<ConversionEventInfo[]> {
  const modelledNames = modelled
    ? `select distinct conversion_event_name as event_name from ${modelled}`
    : `select cast(null as string) as event_name from (select 1 as one) as nothing where false`
  return {
    sql: `
    with counts as (select event_name, events from ${counts} as counts),
    modelled as (${modelledNames})
    select coalesce(counts.event_name, modelled.event_name) as event_name,
      cast(coalesce(counts.events, 0) as bigint) as events,
      modelled.event_name is not null as modelled
    from counts full outer join modelled on counts.event_name = modelled.event_name
    order by events desc, event_name`,
    params: {},
    types: {},
    read: (rows) => rows.map((row) => ({ name: String(row.event_name), events: Number(row.events), modelled: row.modelled === true })),
  }
}

/**
 * How a user's non-converting journey finds its cut: the first chosen event in the user's order of
 * last conversions (newest first), or none. `ctes` are CTEs over the filters' parameters; `join`
 * joins them to a transitions row `t`; `chosen` is the chosen cut's name (NULL for none).
 */
export interface MarkovCuts {
  ctes: string
  join: string
  chosen: string
}

/** The cuts per user, from agg_user_last_conversions (the marts, where transitions keep their user_key). */
export function userCuts(d: Dialect, filters: DashboardFilters): MarkovCuts {
  return {
    ctes: `ranked_cuts as (
      select user_key, conversion_event_name,
        row_number() over (partition by user_key order by last_converted_micros desc, conversion_event_name) as recency
      from ${d.table('agg_user_last_conversions')}
      where ${d.inEvents('conversion_event_name', filters.conversionEvents)}
    ),
    cuts as (select user_key, conversion_event_name as cut_event_name from ranked_cuts where recency = 1)`,
    join: 'left join cuts on t.user_key = cuts.user_key',
    chosen: 'cuts.cut_event_name',
  }
}

/**
 * Transitions at the lookback of the converting journeys of the chosen events, and of each user's
 * non-converting journey after their latest conversion of a chosen event (`cuts`), or of all their
 * sessions when they have none. `transitions` has the columns of agg_channel_transitions.
 */
export function markovTransitionsQuery(
  d: Dialect,
  filters: DashboardFilters,
  transitions = d.table('agg_channel_transitions'),
  cuts = userCuts(d, filters),
): MartQuery<MarkovTransition[]> {
  return {
    sql: `
    with ${cuts.ctes},
    steps as (
      select from_state, to_state, transitions
      from ${transitions}
      where conversion_event_name is not null and ${d.inEvents('conversion_event_name', filters.conversionEvents)}
        and ${inFilters(d, '', 'journey_date')}
      union all
      select t.from_state, t.to_state, t.transitions
      from ${transitions} as t
      ${cuts.join}
      where t.conversion_event_name is null
        and (t.cut_event_name = ${cuts.chosen} or (t.cut_event_name is null and ${cuts.chosen} is null))
        and ${inFilters(d, 't.', 'journey_date')}
    )
    select from_state, to_state, cast(sum(transitions) as bigint) as transitions
    from steps
    group by from_state, to_state
    order by from_state, to_state`,
    ...filterParams(filters),
    read: (rows) => rows.map((row) => ({ from: String(row.from_state), to: String(row.to_state), count: Number(row.transitions) })),
  }
}
