import type { Ga4Event } from '@shared/ga4-event'
import type { ServedWarehouse } from '../serving/served-warehouse'
import { queryRecentUsers } from '../warehouse/duckdb-queries'
import { deliverOutbox } from './deliver'
import type { Outbox } from './outbox'
import type { RefreshLoop } from './refresh-loop'
import type { Landing, SinkWrite, StreamSink } from './streamer'
import type { StreamSourceOptions } from './stream-source'

const RETURNING_USERS = 200

/**
 * The embedded warehouse as a stream's sink: events are queued in the durable outbox and shown in the
 * live feed at once, delivered to `events_intraday` in the background (waiting while dbt has the
 * file), and the refresh loop runs dbt incrementally and refreshes the serving copy.
 */
export class EmbeddedSink implements StreamSink {
  readonly tickMs = 200
  readonly retryShare = 0.3
  readonly pendingWhere = 'in the outbox'

  constructor(
    private readonly warehouse: ServedWarehouse,
    private readonly outbox: Outbox,
    readonly refresh: RefreshLoop,
  ) {}

  async sourceOptions(): Promise<StreamSourceOptions> {
    return { knownUsers: await queryRecentUsers(this.warehouse.serving.connection, RETURNING_USERS) }
  }

  async write(events: Ga4Event[]): Promise<SinkWrite> {
    const { rejected } = this.outbox.enqueue(events)
    const shown = await this.warehouse.serving.addStreamed(events)
    return { queued: events.length - rejected.length, rejected: rejected.length, added: shown.added, duplicates: shown.duplicates }
  }

  pendingEvents(): number {
    return this.outbox.pending().reduce((sum, batch) => sum + batch.events, 0)
  }

  async deliver(): Promise<Landing> {
    const results = await deliverOutbox(this.warehouse.embedded, this.outbox)
    return {
      stored: results.reduce((sum, result) => sum + result.addedEventIds.length, 0),
      duplicates: results.reduce((sum, result) => sum + result.duplicateEventIds.length, 0),
      warnings: results.flatMap((result) => (result.quarantined ? [result.quarantined] : [])),
    }
  }
}
