import type { ConversionEventInfo } from '@shared/attribution'
import type { DashboardFilters, FeedEvent, StreamInfo, WarehouseStatus } from '@shared/api'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { MarkovTransition } from '@shared/markov'
import { DUCKDB_DIALECT, cutOrderCuts, queryFreshness } from '../warehouse/duckdb-queries'
import { DuckDbMartReader } from '../warehouse/duckdb-mart-reader'
import { MODEL_SCHEMA } from '../warehouse/duckdb-schema'
import type { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import { conversionEventsQuery, markovTransitionsQuery, streamsQuery } from '../warehouse/mart-sql'
import type { AttributionWarehouse } from '../warehouse/warehouse'
import { EVENT_NAME_COUNTS, STREAM_COUNTS, type ServingStore } from './serving-store'
import { readReferralSettings } from '../referrals/referral-store'

/**
 * The embedded warehouse as the app's views see it: every read answers from the in-memory serving
 * store (the same queries as the CLI's), so reads never wait for a dbt run or an import.
 */
export class ServedWarehouse extends DuckDbMartReader implements AttributionWarehouse {
  readonly kind = 'embedded' as const

  constructor(
    readonly embedded: EmbeddedWarehouse,
    readonly serving: ServingStore,
  ) {
    super()
  }

  /** Copies the file's marts and newest events into memory; call once at start and after each build. */
  async refresh(): Promise<void> {
    await this.embedded.exclusive(() => this.serving.refreshFrom(this.embedded.path))
  }

  protected withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.serving.read(work)
  }

  // The serving copy's transitions already carry cut_order (summed over users alike).
  override markovTransitions(filters: DashboardFilters): Promise<MarkovTransition[]> {
    const transitions = `${MODEL_SCHEMA}.agg_channel_transitions`
    return this.runMart(markovTransitionsQuery(DUCKDB_DIALECT, filters, transitions, cutOrderCuts(transitions)))
  }

  recentEvents(limit: number): Promise<FeedEvent[]> {
    return this.serving.recentEvents(limit)
  }

  override conversionEvents(): Promise<ConversionEventInfo[]> {
    const counts = `${MODEL_SCHEMA}.${EVENT_NAME_COUNTS}`
    return this.runMart(conversionEventsQuery(DUCKDB_DIALECT, counts, `${MODEL_SCHEMA}.int_conversion_events_modelled`))
  }

  override streams(): Promise<StreamInfo[]> {
    return this.runMart(streamsQuery(DUCKDB_DIALECT, `${MODEL_SCHEMA}.${STREAM_COUNTS}`))
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
