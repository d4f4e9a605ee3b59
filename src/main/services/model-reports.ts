/**
 * Every attribution model behind one set of answers. Rule-based models are read from the credits
 * mart as they are; data_driven is solved here: a Markov chain over the journeys' channel
 * transitions at the filters' lookback (src/shared/markov.ts), whose removal-effect shares split the
 * conversions that have a path, in whole units (millionths and cents) by the largest remainder.
 */
import { type AttributionModel, type ReportRequest, type ReportResult, isRuleBasedModel, modelGroupingProblem } from '@shared/attribution'
import type {
  ChannelFlow,
  CompareRequest,
  ComparisonResult,
  ComparisonRow,
  DashboardFilters,
  ModelComparisonRequest,
  ModelComparisonResult,
  PathsRequest,
  PathsResult,
  PeriodComparisonRequest,
  PeriodComparisonResult,
  PeriodTotals,
  TrendsRequest,
  TrendsResult,
} from '@shared/api'
import { apportion, solveMarkov } from '@shared/markov'
import { formatCents, parseCents } from '@shared/money'
import { UserFacingError } from '../errors'
import { conversionsFromMicros, reportFromRows } from '../warehouse/mart-sql'
import type { AttributionWarehouse, DailyTrendRows } from '../warehouse/warehouse'
import { shownDays, trendsFromDailyRows } from './dashboard'
import { attributionModelRegistry } from './model-registry'

/** The channel conversions without a session in the window are credited to, in every model. */
export const UNASSIGNED_CHANNEL = 'Unassigned'

const MICROS_PER_CONVERSION = 1_000_000n

/** One channel's credit in whole units. */
export interface ChannelCredit {
  channel: string
  creditMicros: bigint
  revenueCents: bigint
}

/**
 * Data-driven credit per channel: the conversions with a path (and their revenue) split by the
 * channels' removal-effect shares; conversions with no session in the window go to Unassigned.
 */
export async function dataDrivenCredits(warehouse: AttributionWarehouse, filters: DashboardFilters): Promise<ChannelCredit[]> {
  const [transitions, totals] = await Promise.all([warehouse.markovTransitions(filters), warehouse.conversionTotals(filters)])
  const solution = solveMarkov(transitions)
  const weights = solution.channels.map((channel) => ({ key: channel, weight: solution.shares[channel] ?? 0 }))
  const pathConversions = BigInt(totals.conversions - totals.pathlessConversions)
  const micros = apportion(pathConversions * MICROS_PER_CONVERSION, weights, UNASSIGNED_CHANNEL)
  const cents = apportion(totals.revenueCents - totals.pathlessRevenueCents, weights, UNASSIGNED_CHANNEL)
  const byChannel = new Map<string, ChannelCredit>()
  const add = (channel: string, creditMicros: bigint, revenueCents: bigint): void => {
    const found = byChannel.get(channel) ?? { channel, creditMicros: 0n, revenueCents: 0n }
    found.creditMicros += creditMicros
    found.revenueCents += revenueCents
    byChannel.set(channel, found)
  }
  for (const [channel, value] of micros) add(channel, value, 0n)
  for (const [channel, value] of cents) add(channel, 0n, value)
  add(UNASSIGNED_CHANNEL, BigInt(totals.pathlessConversions) * MICROS_PER_CONVERSION, totals.pathlessRevenueCents)
  return [...byChannel.values()]
    .filter((credit) => credit.creditMicros !== 0n || credit.revenueCents !== 0n)
    .sort(
      (a, b) =>
        compareBigint(b.revenueCents, a.revenueCents) ||
        compareBigint(b.creditMicros, a.creditMicros) ||
        a.channel.localeCompare(b.channel),
    )
}

/** A report of any model; data_driven only by channel. JSON shape as for every model. */
export async function attributionReport(warehouse: AttributionWarehouse, request: ReportRequest): Promise<ReportResult> {
  const { model } = request
  if (isRuleBasedModel(model)) return warehouse.report({ ...request, model })
  const problem = modelGroupingProblem(model, request.by, request.channel)
  if (problem) throw new UserFacingError(problem)
  const credits = await dataDrivenCredits(warehouse, filtersOf(request))
  return reportFromRows(
    request,
    ['channel'],
    credits.map((credit) => ({ channel: credit.channel, credit_micros: credit.creditMicros, revenue_cents: credit.revenueCents })),
  )
}

/** Two models side by side per channel, with the flows of credit between them when both are per conversion. */
export async function compareModels(warehouse: AttributionWarehouse, request: CompareRequest): Promise<ComparisonResult> {
  const [modelA, modelB] = request.models
  const byChannel = (model: AttributionModel) => attributionReport(warehouse, { ...filtersOf(request), model, by: 'channel' })
  const perConversion = isRuleBasedModel(modelA) && isRuleBasedModel(modelB)
  const [reportA, reportB, flows] = await Promise.all([
    byChannel(modelA),
    byChannel(modelB),
    perConversion ? warehouse.channelFlows(filtersOf(request), [modelA, modelB]) : Promise.resolve<ChannelFlow[]>([]),
  ])
  const rows = new Map<string, ComparisonRow>()
  const row = (channel: string): ComparisonRow => {
    let found = rows.get(channel)
    if (!found) {
      found = { channel, a_conversions: 0, a_revenue_usd: '0.00', b_conversions: 0, b_revenue_usd: '0.00' }
      rows.set(channel, found)
    }
    return found
  }
  for (const entry of reportA.rows)
    Object.assign(row(entry.channel ?? ''), { a_conversions: entry.conversions, a_revenue_usd: entry.revenue_usd })
  for (const entry of reportB.rows)
    Object.assign(row(entry.channel ?? ''), { b_conversions: entry.conversions, b_revenue_usd: entry.revenue_usd })
  const sorted = [...rows.values()].sort(
    (a, b) => b.a_conversions + b.b_conversions - (a.a_conversions + a.b_conversions) || a.channel.localeCompare(b.channel),
  )
  // Credit given to another channel: per conversion from the flows, else (data_driven) per channel.
  const movedMicros = perConversion
    ? flows.filter((flow) => flow.a_channel !== flow.b_channel).reduce((total, flow) => total + Math.round(flow.conversions * 1e6), 0)
    : sorted.reduce((total, entry) => total + Math.max(0, Math.round(entry.a_conversions * 1e6) - Math.round(entry.b_conversions * 1e6)), 0)
  const conversions = reportA.totals.conversions
  return {
    models: [modelA, modelB],
    rows: sorted,
    flows,
    flows_available: perConversion,
    totals: reportA.totals,
    moved_conversions: movedMicros / 1e6,
    moved_share: conversions === 0 ? 0 : movedMicros / 1e6 / conversions,
  }
}

/** Every model's conversions and revenue per channel, or per value of another dimension without data_driven (GA4's model comparison). */
export async function modelComparison(warehouse: AttributionWarehouse, request: ModelComparisonRequest): Promise<ModelComparisonResult> {
  const by = request.by ?? 'channel'
  const withDataDriven = modelGroupingProblem('data_driven', by) === undefined
  const [ruleBased, dataDriven, registry] = await Promise.all([
    warehouse.modelChannelCredits(filtersOf(request), by),
    withDataDriven ? dataDrivenCredits(warehouse, filtersOf(request)) : Promise.resolve<ChannelCredit[]>([]),
    attributionModelRegistry(warehouse),
  ])
  const credits = [...ruleBased, ...dataDriven.map((credit) => ({ ...credit, model: 'data_driven' as const }))]
  const channels = [...new Set(credits.map((credit) => credit.channel))]
  const models = registry.map((model) => model.id).filter((model) => withDataDriven || isRuleBasedModel(model))
  const empty = () => Object.fromEntries(models.map((model) => [model, { conversions: 0, revenue_usd: '0.00' }]))
  const rows = new Map(channels.map((channel) => [channel, { channel, cells: empty() as ModelComparisonResult['rows'][number]['cells'] }]))
  const micros = new Map<string, bigint>()
  for (const credit of credits) {
    const row = rows.get(credit.channel)
    if (!row) continue
    row.cells[credit.model] = { conversions: conversionsFromMicros(credit.creditMicros), revenue_usd: formatCents(credit.revenueCents) }
    if (credit.model === 'last_click') micros.set(credit.channel, credit.creditMicros)
  }
  const totals = sumCredits(credits.filter((credit) => credit.model === 'first_click'))
  return {
    models,
    by,
    rows: [...rows.values()].sort(
      (a, b) => compareBigint(micros.get(b.channel) ?? 0n, micros.get(a.channel) ?? 0n) || a.channel.localeCompare(b.channel),
    ),
    totals: { conversions: conversionsFromMicros(totals.creditMicros), revenue_usd: formatCents(totals.revenueCents) },
  }
}

/**
 * Conversions per day of the chosen models. data_driven is solved over the days shown (as
 * `report --from --to` would) and its channel credit split over those days in proportion to each
 * day's conversions, so the days add up to that report per channel, exactly.
 */
export async function modelTrends(warehouse: AttributionWarehouse, request: TrendsRequest): Promise<TrendsResult> {
  const ruleBased = request.models.filter(isRuleBasedModel)
  const wantsDataDriven = request.models.includes('data_driven')
  const options = { days: request.days, byChannel: request.byChannel }
  const [daily, dayTotals] = await Promise.all([
    ruleBased.length > 0 ? warehouse.dailyTrends(filtersOf(request), { ...options, models: ruleBased }) : null,
    wantsDataDriven ? warehouse.dailyTrends(filtersOf(request), { ...options, byChannel: false, models: ['first_click'] }) : null,
  ])
  const rows: DailyTrendRows['rows'] = [...(daily?.rows ?? [])]
  const toDate = daily?.toDate ?? dayTotals?.toDate ?? null
  if (dayTotals && toDate) {
    const shown = shownDays(toDate, request.days, request)
    const [fromDate = toDate, lastDate = toDate] = [shown[0], shown.at(-1)]
    const credits = await dataDrivenCredits(warehouse, { ...filtersOf(request), fromDate, toDate: lastDate })
    const days = dayTotals.rows.filter((day) => day.date >= fromDate && day.date <= lastDate)
    rows.push(...dataDrivenDays(days, credits, request.byChannel))
  }
  return trendsFromDailyRows({ toDate, rows }, request.days, request.byChannel, request, request.models)
}

/**
 * The data-driven credit of the days shown, split over those days: each channel's units go to the
 * days in proportion to the day's conversions (and its cents to the day's revenue), largest remainder
 * first, so every channel's days add up to its credit and every day to its conversions only roughly.
 */
function dataDrivenDays(days: DailyTrendRows['rows'], credits: ChannelCredit[], byChannel: boolean): DailyTrendRows['rows'] {
  if (!byChannel) return days.map((day) => ({ ...day, model: 'data_driven' }))
  const dayWeights = days.map((day) => ({ key: day.date, weight: day.conversions }))
  const revenueWeights = days.map((day) => ({ key: day.date, weight: Number(parseCents(day.revenue_usd)) }))
  const fallback = days.at(-1)?.date ?? ''
  return credits.flatMap((credit) => {
    const micros = apportion(credit.creditMicros, dayWeights, fallback)
    const cents = apportion(credit.revenueCents, revenueWeights, fallback)
    return days.map((day) => ({
      date: day.date,
      model: 'data_driven',
      channel: credit.channel,
      conversions: conversionsFromMicros(micros.get(day.date) ?? 0n),
      revenue_usd: formatCents(cents.get(day.date) ?? 0n),
    }))
  })
}

/** A page of channel (or other dimension's) paths, with the model's credit by position (none for data_driven). */
export async function conversionPaths(warehouse: AttributionWarehouse, request: PathsRequest): Promise<PathsResult> {
  const model = isRuleBasedModel(request.model) ? request.model : null
  const { by = 'channel', offset = 0, sort, filter } = request
  const found = await warehouse.conversionPaths(filtersOf(request), model, request.limit, {
    by,
    offset,
    ...(sort ? { sort } : {}),
    ...(filter ? { filter } : {}),
  })
  let listedConversions = 0
  let listedCents = 0n
  const paths = found.rows.map((row) => {
    listedConversions += row.conversions
    listedCents += row.revenueCents
    const credited = (row.earlyMicros ?? 0n) + (row.middleMicros ?? 0n) + (row.lateMicros ?? 0n)
    const share = (value: bigint | null): number => (credited === 0n ? 0 : Number(value ?? 0n) / Number(credited))
    return {
      channels: row.channels,
      conversions: row.conversions,
      revenue_usd: formatCents(row.revenueCents),
      avg_touches: row.conversions === 0 ? 0 : row.touchesSum / row.conversions,
      avg_days_to_conversion: row.conversions === 0 ? 0 : row.daysSum / row.conversions,
      credit: model === null ? null : { early: share(row.earlyMicros), middle: share(row.middleMicros), late: share(row.lateMicros) },
    }
  })
  return {
    model: request.model,
    by,
    paths,
    offset,
    total_paths: found.totalPaths,
    other: { conversions: found.conversions - listedConversions, revenue_usd: formatCents(found.revenueCents - listedCents) },
    totals: { conversions: found.conversions, revenue_usd: formatCents(found.revenueCents) },
    matching: { paths: found.matchingPaths, conversions: found.matchingConversions, revenue_usd: formatCents(found.matchingRevenueCents) },
  }
}

/** An inclusive date range. */
export interface DateRange {
  fromDate: string
  toDate: string
}

/**
 * The period a view shows: the filters' dates, else the marts' first and last conversion dates
 * (either end filled from them); null when there are no conversions at all.
 */
export async function currentPeriod(warehouse: AttributionWarehouse, filters: DashboardFilters): Promise<DateRange | null> {
  if (filters.fromDate && filters.toDate) return { fromDate: filters.fromDate, toDate: filters.toDate }
  const status = await warehouse.status()
  const fromDate = filters.fromDate ?? status.firstConversionDate
  const toDate = filters.toDate ?? status.lastConversionDate
  return fromDate && toDate ? { fromDate, toDate } : null
}

/** The same number of days just before `period`, as GA4's "Compare to: preceding period". */
export function previousPeriod(period: DateRange): DateRange {
  const day = 86_400_000
  const from = Date.parse(`${period.fromDate}T00:00:00Z`)
  const to = Date.parse(`${period.toDate}T00:00:00Z`)
  const iso = (time: number) => new Date(time).toISOString().slice(0, 10)
  return { fromDate: iso(from - (to - from) - day), toDate: iso(from - day) }
}

/** (value − earlier) ÷ earlier, or null when the earlier value is 0. */
export function relativeChange(value: number, earlier: number): number | null {
  return earlier === 0 ? null : (value - earlier) / earlier
}

/** A view's conversions and revenue (every model credits each conversion once in all) against an earlier period. */
export async function periodComparison(warehouse: AttributionWarehouse, request: PeriodComparisonRequest): Promise<PeriodComparisonResult> {
  const current = await currentPeriod(warehouse, request)
  if (!current) return { current: null, previous: null, conversions_change: null, revenue_change: null }
  const previous =
    request.compareFromDate && request.compareToDate
      ? { fromDate: request.compareFromDate, toDate: request.compareToDate }
      : previousPeriod(current)
  const totalsOf = async (range: DateRange): Promise<PeriodTotals> => {
    const totals = await warehouse.conversionTotals({ ...filtersOf(request), ...range })
    return {
      from_date: range.fromDate,
      to_date: range.toDate,
      conversions: totals.conversions,
      revenue_usd: formatCents(totals.revenueCents),
    }
  }
  const [now, before] = await Promise.all([totalsOf(current), totalsOf(previous)])
  return {
    current: now,
    previous: before,
    conversions_change: relativeChange(now.conversions, before.conversions),
    revenue_change: relativeChange(Number(parseCents(now.revenue_usd)), Number(parseCents(before.revenue_usd))),
  }
}

/** A report of one period beside the same report of an earlier one (`attribution report --compare-previous`). */
export interface ReportComparison {
  current: ReportResult & { from_date: string; to_date: string }
  previous: ReportResult & { from_date: string; to_date: string }
}

/** The report over the request's period and over the earlier period (the preceding one of the same length by default). */
export async function compareReportPeriods(
  warehouse: AttributionWarehouse,
  request: ReportRequest,
  earlier?: DateRange,
): Promise<ReportComparison> {
  const current = await currentPeriod(warehouse, filtersOf(request))
  if (!current) throw new UserFacingError('There are no conversions to compare: build the models over some data first.')
  const previous = earlier ?? previousPeriod(current)
  const [now, before] = await Promise.all([
    attributionReport(warehouse, { ...request, ...current }),
    attributionReport(warehouse, { ...request, ...previous }),
  ])
  return {
    current: { ...now, from_date: current.fromDate, to_date: current.toDate },
    previous: { ...before, from_date: previous.fromDate, to_date: previous.toDate },
  }
}

/** Just the filters of a request (a report's or a view's), as warehouses take them. */
function filtersOf(
  filters: Pick<ReportRequest, 'lookbackDays' | 'conversionEvents' | 'fromDate' | 'toDate' | 'streamId'>,
): DashboardFilters {
  const { lookbackDays, conversionEvents, fromDate, toDate, streamId } = filters
  return {
    lookbackDays,
    conversionEvents: [...conversionEvents],
    ...(fromDate ? { fromDate } : {}),
    ...(toDate ? { toDate } : {}),
    ...(streamId ? { streamId } : {}),
  }
}

function sumCredits(credits: ReadonlyArray<{ creditMicros: bigint; revenueCents: bigint }>): {
  creditMicros: bigint
  revenueCents: bigint
} {
  return credits.reduce(
    (total, credit) => ({ creditMicros: total.creditMicros + credit.creditMicros, revenueCents: total.revenueCents + credit.revenueCents }),
    {
      creditMicros: 0n,
      revenueCents: 0n,
    },
  )
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}
