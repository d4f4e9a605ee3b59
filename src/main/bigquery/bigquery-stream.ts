import type { StreamBurstMode, StreamBurstResult, StreamStatus } from '../../shared/api'
import type { BigQuerySettings } from '../../shared/settings-api'
import type { CredentialStore } from '../credentials/credential-store'
import { type DbtVars, runDbt } from '../dbt/dbt-runner'
import { idleRefreshState } from '../stream/refresh-loop'
import { StreamSource } from '../stream/stream-source'
import type { BigQueryWarehouse } from './bigquery-warehouse'
import { withDbtEnvironment } from './dbt-environment'
import { type DeadLetterList, insertIntradayEvents } from './intraday-writer'

const TICK_MS = 1000
const REFRESH_DEBOUNCE_MS = 2000

/**
 * "Stream events" on BigQuery: events go to `events_intraday_YYYYMMDD` of the person's own dataset
 * (insertId = event_id), refused rows to the dead-letter list, and a debounced dbt build on
 * BigQuery follows. De-duplication in the models stays the guarantee.
 */
export class BigQueryStream {
  private readonly source = new StreamSource()
  private continuous: { timer: NodeJS.Timeout; ratePerSecond: number } | undefined
  private refreshTimer: NodeJS.Timeout | undefined
  private readonly totals = { stored: 0, duplicates: 0, rejected: 0 }
  private readonly refresh: StreamStatus['refresh'] = idleRefreshState()

  constructor(
    private readonly warehouse: BigQueryWarehouse,
    private readonly settings: BigQuerySettings,
    private readonly credentials: CredentialStore,
    private readonly deadLetters: DeadLetterList,
    private readonly log?: (line: string) => void,
    /** Vars of every dbt run here (the connection's unwanted referrals): read at each run, so a change applies to the next. */
    private readonly vars: () => Promise<DbtVars> = async () => ({}),
  ) {}

  async burst(count: number, mode: StreamBurstMode = 'realistic'): Promise<StreamBurstResult> {
    const events = this.source.next(count, mode)
    const report = await insertIntradayEvents(events, {
      client: this.warehouse.bigQuery(),
      settings: this.settings,
      deadLetters: this.deadLetters,
      log: this.log,
    })
    this.totals.stored += report.accepted
    this.totals.rejected += report.deadLetters.length
    this.warehouse.invalidateCache()
    this.scheduleRefresh()
    return { queued: events.length, added: report.accepted, duplicates: 0, rejected: report.deadLetters.length }
  }

  start(ratePerSecond: number): StreamStatus {
    this.stop()
    this.continuous = { ratePerSecond, timer: setInterval(() => void this.burst(ratePerSecond).catch(() => undefined), TICK_MS) }
    return this.status()
  }

  stop(): StreamStatus {
    if (this.continuous) clearInterval(this.continuous.timer)
    this.continuous = undefined
    return this.status()
  }

  /** Stops streaming and any refresh that has not started (on quit or a settings change). */
  close(): void {
    this.stop()
    clearTimeout(this.refreshTimer)
    this.refreshTimer = undefined
  }

  status(): StreamStatus {
    return {
      isStreaming: this.continuous !== undefined,
      ratePerSecond: this.continuous?.ratePerSecond ?? null,
      storedEvents: this.totals.stored,
      duplicateEvents: this.totals.duplicates,
      pendingEvents: 0,
      rejectedEvents: this.totals.rejected,
      refresh: { ...this.refresh },
    }
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer)
    if (this.refresh.state !== 'running') this.refresh.state = 'waiting'
    this.refreshTimer = setTimeout(() => void this.build(), REFRESH_DEBOUNCE_MS)
  }

  /** Re-models shortly (after a change of the vars' source), as after a stream batch; the refresh state shows its progress. */
  remodel(): void {
    this.scheduleRefresh()
  }

  private async build(): Promise<void> {
    this.refresh.state = 'running'
    const started = Date.now()
    try {
      const vars = await this.vars()
      const result = await withDbtEnvironment(this.settings, this.credentials, (env) => runDbt({ command: 'build', target: 'bigquery', env, vars, withoutUnitTests: true }))
      this.refresh.lastDurationMs = Date.now() - started
      if (result.success) {
        this.refresh.state = 'idle'
        this.refresh.lastSuccessAt = new Date().toISOString()
        this.refresh.lastError = null
        this.warehouse.invalidateCache()
      } else {
        this.refresh.state = 'failed'
        this.refresh.lastError = result.errors.join('\n')
      }
    } catch (error) {
      this.refresh.state = 'failed'
      this.refresh.lastError = error instanceof Error ? error.message : String(error)
    }
  }
}
