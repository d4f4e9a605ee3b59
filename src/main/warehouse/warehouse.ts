import type { ReportRequest, ReportResult } from '../../shared/attribution'
import type { ChannelFlow, DashboardFilters, FeedEvent, WarehouseStatus } from '../../shared/api'

/** Daily rows as a warehouse returns them, before the service fills the gaps. */
export interface DailyTrendRows {
  toDate: string | null
  rows: Array<{ date: string; model: string; channel?: string; conversions: number; revenue_usd: string }>
}

/** What the dashboard needs from a warehouse; the embedded DuckDB file and BigQuery both provide it. */
export interface AttributionWarehouse {
  readonly kind: WarehouseStatus['kind']
  report(request: ReportRequest): Promise<ReportResult>
  channelFlows(filters: DashboardFilters): Promise<ChannelFlow[]>
  dailyTrends(filters: DashboardFilters, options: { days: number; byChannel: boolean }): Promise<DailyTrendRows>
  recentEvents(limit: number): Promise<FeedEvent[]>
  status(): Promise<WarehouseStatus>
}
