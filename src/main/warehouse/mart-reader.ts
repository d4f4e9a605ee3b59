import type { ConversionEventInfo, ReportGrouping, ReportRequest, ReportResult } from '@shared/attribution'
import type { ChannelFlow, DashboardFilters, StreamInfo } from '@shared/api'
import type { CostGrouping } from '@shared/cost-return'
import type { MarkovTransition } from '@shared/markov'
import {
  type Dialect,
  type MartQuery,
  attributionModelsQuery,
  channelFlowsQuery,
  conversionEventsQuery,
  conversionPathsQuery,
  conversionTotalsQuery,
  costCreditsQuery,
  dailyCostQuery,
  dailyTrendsQuery,
  markovTransitionsQuery,
  modelChannelCreditsQuery,
  reportQuery,
  streamsQuery,
} from './mart-sql'
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
 * The warehouse reads of the marts, each written once for every engine: a subclass gives its
 * dialect and how it runs a query (DuckDbMartReader over a DuckDB connection, BigQueryWarehouse
 * over the BigQuery client), and overrides a read only where its relations differ.
 */
export abstract class MartReader {
  /** How this engine spells the shared statements. */
  protected abstract readonly dialect: Dialect

  /** Runs a shared mart query and maps its rows. */
  protected abstract runMart<T>(query: MartQuery<T>): Promise<T>

  report(request: ReportRequest & { model: RuleBasedModel }): Promise<ReportResult> {
    return this.runMart(reportQuery(this.dialect, request))
  }

  channelFlows(filters: DashboardFilters, models: readonly [RuleBasedModel, RuleBasedModel]): Promise<ChannelFlow[]> {
    return this.runMart(channelFlowsQuery(this.dialect, filters, models))
  }

  dailyTrends(
    filters: DashboardFilters,
    options: { days: number; byChannel: boolean; models: readonly RuleBasedModel[] },
  ): Promise<DailyTrendRows> {
    return this.runMart(dailyTrendsQuery(this.dialect, filters, options))
  }

  modelChannelCredits(filters: DashboardFilters, by?: ReportGrouping): Promise<ModelChannelCredit[]> {
    return this.runMart(modelChannelCreditsQuery(this.dialect, filters, by))
  }

  markovTransitions(filters: DashboardFilters): Promise<MarkovTransition[]> {
    return this.runMart(markovTransitionsQuery(this.dialect, filters))
  }

  conversionTotals(filters: DashboardFilters): Promise<ConversionTotals> {
    return this.runMart(conversionTotalsQuery(this.dialect, filters))
  }

  conversionPaths(filters: DashboardFilters, model: RuleBasedModel | null, limit: number, options?: PathsOptions): Promise<PathRows> {
    return this.runMart(conversionPathsQuery(this.dialect, filters, model, limit, options))
  }

  costCredits(filters: DashboardFilters, by: CostGrouping): Promise<CostCreditRow[]> {
    return this.runMart(costCreditsQuery(this.dialect, filters, by))
  }

  dailyCost(filters: DashboardFilters, models: readonly RuleBasedModel[], channel: string | null): Promise<DailyCostRow[]> {
    return this.runMart(dailyCostQuery(this.dialect, filters, models, channel))
  }

  /** The staged event names with their counts, and whether each is modelled. */
  conversionEvents(): Promise<ConversionEventInfo[]> {
    return this.runMart(conversionEventsQuery(this.dialect))
  }

  /** The GA4 streams of the staged events, most events first. */
  streams(): Promise<StreamInfo[]> {
    return this.runMart(streamsQuery(this.dialect))
  }

  /** The models rpt_attribution_models lists, in order. */
  attributionModels(): Promise<WarehouseModelRow[]> {
    return this.runMart(attributionModelsQuery(this.dialect))
  }
}
