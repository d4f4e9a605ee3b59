import type { ConversionEventInfo, ReportGrouping, ReportRequest, ReportResult } from '@shared/attribution'
import type { ChannelFlow, DashboardFilters, FeedEvent, StreamInfo, WarehouseStatus } from '@shared/api'
import type { CostGrouping } from '@shared/cost-return'
import type { MarkovTransition } from '@shared/markov'
import { queryCostCredits, queryDailyCost } from '../warehouse/cost-queries'
import {
  queryAttributionModels,
  queryChannelFlows,
  queryConversionPaths,
  queryConversionEvents,
  queryConversionTotals,
  queryDailyTrends,
  queryFreshness,
  queryMarkovTransitions,
  queryModelChannelCredits,
  queryReport,
  queryStreams,
} from '../warehouse/duckdb-queries'
import { MODEL_SCHEMA } from '../warehouse/duckdb-schema'
import type { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import type {
  AttributionWarehouse,
  ConversionTotals,
  CostCreditRow,
  DailyCostRow,
  DailyTrendRows,
  ModelChannelCredit,
  PathRows,
  PathsOptions,
  RuleBasedModel,
  WarehouseModelRow,
} from '../warehouse/warehouse'
import { EVENT_NAME_COUNTS, STREAM_COUNTS, type ServingStore } from './serving-store'
import { readReferralSettings } from '../referrals/referral-store'

/**
 * The embedded warehouse as the app's views see it: every read answers from the in-memory serving
 * store (the same queries as the CLI's), so reads never wait for a dbt run or an import.
 */
export class ServedWarehouse implements AttributionWarehouse {
  readonly kind = 'embedded' as const

  constructor(
    readonly embedded: EmbeddedWarehouse,
    readonly serving: ServingStore,
  ) {}

  /** Copies the file's marts and newest events into memory; call once at start and after each build. */
  async refresh(): Promise<void> {
    await this.embedded.exclusive(() => this.serving.refreshFrom(this.embedded.path))
  }

  report(request: ReportRequest & { model: RuleBasedModel }): Promise<ReportResult> {
    return queryReport(this.serving.connection, request)
  }

  channelFlows(filters: DashboardFilters, models: readonly [RuleBasedModel, RuleBasedModel]): Promise<ChannelFlow[]> {
    return queryChannelFlows(this.serving.connection, filters, models)
  }

  dailyTrends(
    filters: DashboardFilters,
    options: { days: number; byChannel: boolean; models: readonly RuleBasedModel[] },
  ): Promise<DailyTrendRows> {
    return queryDailyTrends(this.serving.connection, filters, options)
  }

  modelChannelCredits(filters: DashboardFilters, by?: ReportGrouping): Promise<ModelChannelCredit[]> {
    return queryModelChannelCredits(this.serving.connection, filters, by)
  }

  markovTransitions(filters: DashboardFilters): Promise<MarkovTransition[]> {
    // The serving copy's transitions already carry cut_order (summed over users alike).
    return queryMarkovTransitions(this.serving.connection, filters, `${MODEL_SCHEMA}.agg_channel_transitions`)
  }

  conversionTotals(filters: DashboardFilters): Promise<ConversionTotals> {
    return queryConversionTotals(this.serving.connection, filters)
  }

  conversionPaths(filters: DashboardFilters, model: RuleBasedModel | null, limit: number, options?: PathsOptions): Promise<PathRows> {
    return queryConversionPaths(this.serving.connection, filters, model, limit, options)
  }

  costCredits(filters: DashboardFilters, by: CostGrouping): Promise<CostCreditRow[]> {
    return queryCostCredits(this.serving.connection, filters, by)
  }

  dailyCost(filters: DashboardFilters, models: readonly RuleBasedModel[], channel: string | null): Promise<DailyCostRow[]> {
    return queryDailyCost(this.serving.connection, filters, models, channel)
  }

  recentEvents(limit: number): Promise<FeedEvent[]> {
    return this.serving.recentEvents(limit)
  }

  conversionEvents(): Promise<ConversionEventInfo[]> {
    return queryConversionEvents(
      this.serving.connection,
      `${MODEL_SCHEMA}.${EVENT_NAME_COUNTS}`,
      `${MODEL_SCHEMA}.int_conversion_events_modelled`,
    )
  }

  streams(): Promise<StreamInfo[]> {
    return queryStreams(this.serving.connection, `${MODEL_SCHEMA}.${STREAM_COUNTS}`)
  }

  attributionModels(): Promise<WarehouseModelRow[]> {
    return queryAttributionModels(this.serving.connection)
  }

  async status(): Promise<WarehouseStatus> {
    const freshness = await queryFreshness(this.serving.connection)
    // The serving copy holds no raw rows: the newest event is the snapshot's, or a streamed one since.
    const referrals = await readReferralSettings(this.serving.connection)
    return {
      kind: this.kind,
      location: this.embedded.path,
      ...this.serving.rawCounts(),
      ...freshness,
      newestEventAt: await this.serving.newestEventAt(),
      referrals,
    }
  }
}
