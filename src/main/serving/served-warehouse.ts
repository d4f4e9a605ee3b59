import type { ReportRequest, ReportResult } from '../../shared/attribution'
import type { ChannelFlow, DashboardFilters, FeedEvent, WarehouseStatus } from '../../shared/api'
import type { MarkovTransition } from '../../shared/markov'
import {
  queryChannelFlows,
  queryConversionPaths,
  queryConversionTotals,
  queryDailyTrends,
  queryFreshness,
  queryMarkovTransitions,
  queryModelChannelCredits,
  queryReport,
} from '../warehouse/duckdb-queries'
import type { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import type { AttributionWarehouse, ConversionTotals, DailyTrendRows, ModelChannelCredit, PathRows, RuleBasedModel } from '../warehouse/warehouse'
import type { ServingStore } from './serving-store'
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

  dailyTrends(filters: DashboardFilters, options: { days: number; byChannel: boolean; models: readonly RuleBasedModel[] }): Promise<DailyTrendRows> {
    return queryDailyTrends(this.serving.connection, filters, options)
  }

  modelChannelCredits(filters: DashboardFilters): Promise<ModelChannelCredit[]> {
    return queryModelChannelCredits(this.serving.connection, filters)
  }

  markovTransitions(filters: DashboardFilters): Promise<MarkovTransition[]> {
    return queryMarkovTransitions(this.serving.connection, filters)
  }

  conversionTotals(filters: DashboardFilters): Promise<ConversionTotals> {
    return queryConversionTotals(this.serving.connection, filters)
  }

  conversionPaths(filters: DashboardFilters, model: RuleBasedModel | null, limit: number): Promise<PathRows> {
    return queryConversionPaths(this.serving.connection, filters, model, limit)
  }

  recentEvents(limit: number): Promise<FeedEvent[]> {
    return this.serving.recentEvents(limit)
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
