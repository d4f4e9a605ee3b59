import type { DuckDBConnection } from '@duckdb/node-api'
import type { ReportGrouping, ReportRequest, ReportResult } from '@shared/attribution'
import type { ChannelFlow, DashboardFilters, StreamInfo } from '@shared/api'
import type { CostGrouping } from '@shared/cost-return'
import type { MarkovTransition } from '@shared/markov'
import { DUCKDB_DIALECT, modelTableNamesSql, runMart } from './duckdb-queries'
import {
  type MartQuery,
  attributionModelsQuery,
  channelFlowsQuery,
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
 * The mart reads of a DuckDB warehouse, over whatever hands out a connection: the warehouse file
 * (EmbeddedWarehouse), the app's in-memory serving copy (ServedWarehouse) or a test's marts. Each
 * read is written here once; a subclass says how it reaches a connection.
 */
export abstract class DuckDbMartReader {
  /** Runs `work` on a connection to the marts. */
  protected abstract withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T>

  /** The Markov transitions query; the serving copy's transitions carry cut orders instead of users. */
  protected markovQuery(filters: DashboardFilters): MartQuery<MarkovTransition[]> {
    return markovTransitionsQuery(DUCKDB_DIALECT, filters)
  }

  /** Runs a mart query on a connection of this warehouse. */
  protected runMart<T>(query: MartQuery<T>): Promise<T> {
    return this.withConnection((connection) => runMart(connection, query))
  }

  report(request: ReportRequest & { model: RuleBasedModel }): Promise<ReportResult> {
    return this.runMart(reportQuery(DUCKDB_DIALECT, request))
  }

  channelFlows(filters: DashboardFilters, models: readonly [RuleBasedModel, RuleBasedModel]): Promise<ChannelFlow[]> {
    return this.runMart(channelFlowsQuery(DUCKDB_DIALECT, filters, models))
  }

  dailyTrends(
    filters: DashboardFilters,
    options: { days: number; byChannel: boolean; models: readonly RuleBasedModel[] },
  ): Promise<DailyTrendRows> {
    return this.runMart(dailyTrendsQuery(DUCKDB_DIALECT, filters, options))
  }

  modelChannelCredits(filters: DashboardFilters, by?: ReportGrouping): Promise<ModelChannelCredit[]> {
    return this.runMart(modelChannelCreditsQuery(DUCKDB_DIALECT, filters, by))
  }

  markovTransitions(filters: DashboardFilters): Promise<MarkovTransition[]> {
    return this.runMart(this.markovQuery(filters))
  }

  conversionTotals(filters: DashboardFilters): Promise<ConversionTotals> {
    return this.runMart(conversionTotalsQuery(DUCKDB_DIALECT, filters))
  }

  conversionPaths(filters: DashboardFilters, model: RuleBasedModel | null, limit: number, options?: PathsOptions): Promise<PathRows> {
    return this.runMart(conversionPathsQuery(DUCKDB_DIALECT, filters, model, limit, options))
  }

  costCredits(filters: DashboardFilters, by: CostGrouping): Promise<CostCreditRow[]> {
    return this.runMart(costCreditsQuery(DUCKDB_DIALECT, filters, by))
  }

  dailyCost(filters: DashboardFilters, models: readonly RuleBasedModel[], channel: string | null): Promise<DailyCostRow[]> {
    return this.runMart(dailyCostQuery(DUCKDB_DIALECT, filters, models, channel))
  }

  /** The GA4 streams of the modelled events, most events first. */
  streams(): Promise<StreamInfo[]> {
    return this.runMart(streamsQuery(DUCKDB_DIALECT))
  }

  /** The models rpt_attribution_models lists, in order; none when no build has made it yet. */
  attributionModels(): Promise<WarehouseModelRow[]> {
    return this.withConnection(async (connection) => {
      const tables = new Set((await connection.runAndReadAll(modelTableNamesSql())).getRows().map((row) => String(row[0])))
      return tables.has('rpt_attribution_models') ? runMart(connection, attributionModelsQuery(DUCKDB_DIALECT)) : []
    })
  }
}
