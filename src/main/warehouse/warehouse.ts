import type { ConversionEventInfo, ReportGrouping, ReportRequest, ReportResult, RuleBasedModel } from '@shared/attribution'
import type { ChannelFlow, DashboardFilters, FeedEvent, PathFilter, PathSort, StreamInfo, WarehouseStatus } from '@shared/api'
import type { CostGrouping } from '@shared/cost-return'
import type { MarkovTransition } from '@shared/markov'

export type { RuleBasedModel }

/** One model as the warehouse's rpt_attribution_models lists it (dbt's attribution_models()). */
export interface WarehouseModelRow {
  id: string
  /** Null when dbt gives the model no name. */
  name: string | null
  description: string
  isRuleBased: boolean
}

/** Daily rows as a warehouse returns them, before the service fills the gaps. */
export interface DailyTrendRows {
  toDate: string | null
  rows: Array<{ date: string; model: string; channel?: string; conversions: number; revenue_usd: string }>
}

/** One rule-based model's credit to one channel, in whole units. */
export interface ModelChannelCredit {
  model: RuleBasedModel
  channel: string
  /** Millionths of a conversion. */
  creditMicros: bigint
  revenueCents: bigint
}

/** The chosen conversions in whole units, and those with no session in the window (no path). */
export interface ConversionTotals {
  conversions: number
  revenueCents: bigint
  pathlessConversions: number
  pathlessRevenueCents: bigint
}

/** One channel path as a warehouse aggregates it. */
export interface PathRow {
  channels: string[]
  conversions: number
  revenueCents: bigint
  /** Sums over the path's conversions, for averages. */
  touchesSum: number
  daysSum: number
  /** The model's credit (millionths) to first, middle and last touches; null when no model was asked. */
  earlyMicros: bigint | null
  middleMicros: bigint | null
  lateMicros: bigint | null
}

/** The top paths and what all paths hold. */
export interface PathRows {
  rows: PathRow[]
  totalPaths: number
  conversions: number
  revenueCents: bigint
  /** What the paths the filter lets through hold (all paths without a filter). */
  matchingPaths: number
  matchingConversions: number
  matchingRevenueCents: bigint
}

/** Which page of which paths: steps by `by` (channel), `offset` paths skipped, in `sort` order, through `filter`. */
export interface PathsOptions {
  by?: ReportGrouping
  offset?: number
  sort?: PathSort
  filter?: PathFilter
}

/** One rule-based model's credit and cost for a channel (or a source/medium/campaign), in whole units. */
export interface CostCreditRow {
  model: RuleBasedModel
  channel: string
  source?: string
  medium?: string
  campaign?: string
  /** Millionths of a conversion. */
  creditMicros: bigint
  revenueCents: bigint
  costCents: bigint
}

/** A CostCreditRow of one day. */
export interface DailyCostRow extends CostCreditRow {
  date: string
}

/** What the dashboard needs from a warehouse; the embedded DuckDB file and BigQuery both provide it. */
export interface AttributionWarehouse {
  readonly kind: WarehouseStatus['kind']
  /** A rule-based model's report (data_driven is solved by services/model-reports.ts). */
  report(request: ReportRequest & { model: RuleBasedModel }): Promise<ReportResult>
  /** Credit flows between two rule-based models, per (a channel, b channel). */
  channelFlows(filters: DashboardFilters, models: readonly [RuleBasedModel, RuleBasedModel]): Promise<ChannelFlow[]>
  dailyTrends(
    filters: DashboardFilters,
    options: { days: number; byChannel: boolean; models: readonly RuleBasedModel[] },
  ): Promise<DailyTrendRows>
  /** Every rule-based model's credit per channel, or per value of another dimension (`channel` then holds that value). */
  modelChannelCredits(filters: DashboardFilters, by?: ReportGrouping): Promise<ModelChannelCredit[]>
  /** Channel-to-channel transitions of all journeys at the filters' lookback (for data_driven). */
  markovTransitions(filters: DashboardFilters): Promise<MarkovTransition[]>
  conversionTotals(filters: DashboardFilters): Promise<ConversionTotals>
  /** A page of `limit` paths (most conversions first by default), with a rule-based model's position credit (or none). */
  conversionPaths(filters: DashboardFilters, model: RuleBasedModel | null, limit: number, options?: PathsOptions): Promise<PathRows>
  recentEvents(limit: number): Promise<FeedEvent[]>
  /** Credit and cost per rule-based model and channel or source/medium/campaign (agg_cost_and_return). */
  costCredits(filters: DashboardFilters, by: CostGrouping): Promise<CostCreditRow[]>
  /** Credit and cost per day of rule-based models, for one channel or (null) all. */
  dailyCost(filters: DashboardFilters, models: readonly RuleBasedModel[], channel: string | null): Promise<DailyCostRow[]>
  /** The event names the models have read, most frequent first, with their counts and whether each is modelled as a conversion. */
  conversionEvents(): Promise<ConversionEventInfo[]>
  /** The GA4 streams of the modelled events (stream_id, platform, events), most events first. */
  streams(): Promise<StreamInfo[]>
  status(): Promise<WarehouseStatus>
  /** The models the last build defined (rpt_attribution_models), in order; empty before a build that has the mart. */
  attributionModels(): Promise<WarehouseModelRow[]>
}
