import type { Ga4Event } from '@shared/ga4-event'
import type { BigQuerySettings } from '@shared/settings-api'
import { demoBigQuerySettings } from '../demo/bigquery-demo'
import type { StreamSourceOptions } from '../stream/stream-source'
import type { Landing, SinkWrite, StreamSink } from '../stream/streamer'
import { type BigQueryDbtBuild, BigQueryRefresh } from './bigquery-refresh'
import type { BigQueryWarehouse } from './bigquery-warehouse'
import { type DeadLetterList, insertIntradayEvents } from './intraday-writer'

/**
 * BigQuery as a stream's sink: events go to `events_intraday_YYYYMMDD` of the **demo** dataset
 * (`<ga4 dataset>_demo`, derived here from the real settings, so no caller can point it at the
 * export), insertId = event_id, refused rows to the dead-letter list; a debounced dbt build of the
 * demo marts follows. De-duplication in the models stays the guarantee.
 */
export class BigQuerySink implements StreamSink {
  /** One insert a second: each is a request (and a cost) of its own. */
  readonly tickMs = 1000
  /** BigQuery's insertId de-duplication is best effort and uncounted, so no retries are replayed. */
  readonly retryShare = 0
  readonly pendingWhere = 'to be inserted'
  /** The demo settings everything here writes with. */
  readonly target: BigQuerySettings
  readonly refresh: BigQueryRefresh

  /** `warehouse` reads the demo marts (built with `demoBigQuerySettings(settings)`); `settings` are the real ones. */
  constructor(
    private readonly warehouse: BigQueryWarehouse,
    settings: BigQuerySettings,
    dbtBuild: BigQueryDbtBuild,
    private readonly deadLetters: DeadLetterList,
    private readonly log?: (line: string) => void,
  ) {
    const target = demoBigQuerySettings(settings)
    this.target = target
    this.refresh = new BigQueryRefresh(warehouse, () => dbtBuild(target))
  }

  async sourceOptions(): Promise<StreamSourceOptions> {
    return {}
  }

  /** Inserts the burst at once: what BigQuery accepted is stored, what it refused goes to the dead-letter list. */
  async write(events: Ga4Event[]): Promise<SinkWrite> {
    const report = await insertIntradayEvents(events, {
      client: this.warehouse.bigQuery(),
      settings: this.target,
      deadLetters: this.deadLetters,
      log: this.log,
    })
    this.warehouse.invalidateCache()
    const rejected = report.deadLetters.length
    return { queued: events.length, rejected, added: report.accepted, duplicates: 0, landed: { stored: report.accepted, duplicates: 0 } }
  }

  pendingEvents(): number {
    return 0
  }

  async deliver(): Promise<Landing> {
    return { stored: 0, duplicates: 0 }
  }

  close(): void {
    this.refresh.close()
  }
}
