import type { StreamBurstMode, StreamBurstResult, StreamStatus } from '@shared/api'
import type { BigQuerySettings } from '@shared/settings-api'
import type { CredentialStore } from '../credentials/credential-store'
import type { DbtRunResult, DbtVars } from '../dbt/dbt-runner'
import { demoBigQuerySettings } from '../demo/bigquery-demo'
import { idleRefreshState } from '../stream/refresh-loop'
import { StreamSource } from '../stream/stream-source'
import type { BigQueryWarehouse } from './bigquery-warehouse'
import { buildOnBigQuery } from './dbt-environment'
import { type DeadLetterList, insertIntradayEvents } from './intraday-writer'

const TICK_MS = 1000
const REFRESH_DEBOUNCE_MS = 2000

/** Runs dbt on BigQuery with the given (demo) settings; tests replace it. */
export type BigQueryDbtBuild = (settings: BigQuerySettings) => Promise<DbtRunResult>

/** `dbt build` on BigQuery for these settings, the key in the child's environment only. */
export function bigQueryDbtBuild(
  credentials: Pick<CredentialStore, 'serviceAccountKey'>,
  vars: () => Promise<DbtVars> = async () => ({}),
): BigQueryDbtBuild {
  // The vars (the connection's unwanted referrals) are read at each run, so a change applies to the next.
  return async (settings) => buildOnBigQuery(settings, credentials, { vars: await vars() })
}

/**
 * "Stream events" on BigQuery: events go to `events_intraday_YYYYMMDD` of the **demo** dataset
 * (`<ga4 dataset>_demo`, derived here from the real settings, so no caller can point it at the
 * export), insertId = event_id, refused rows to the dead-letter list; a debounced dbt build of the
 * demo marts follows. De-duplication in the models stays the guarantee.
 */
export class BigQueryStream {
  /** The demo settings everything here writes with. */
  readonly target: BigQuerySettings
  private readonly source = new StreamSource()
  private continuous: { timer: NodeJS.Timeout; ratePerSecond: number } | undefined
  private refreshTimer: NodeJS.Timeout | undefined
  private readonly totals = { stored: 0, duplicates: 0, rejected: 0 }
  private readonly refresh: StreamStatus['refresh'] = idleRefreshState()
  /** Streamed since the demo marts were last built. */
  private demoChanged = false
  /** A re-model of the real marts asked for (remodel). */
  private realBuild: (() => Promise<DbtRunResult>) | undefined
  private readonly refreshedListeners = new Set<() => void>()

  /** `warehouse` reads the demo marts (built with `demoBigQuerySettings(settings)`); `settings` are the real ones. */
  constructor(
    private readonly warehouse: BigQueryWarehouse,
    settings: BigQuerySettings,
    private readonly dbtBuild: BigQueryDbtBuild,
    private readonly deadLetters: DeadLetterList,
    private readonly log?: (line: string) => void,
  ) {
    this.target = demoBigQuerySettings(settings)
  }

  /** Calls `listener` after every successful refresh (the real marts re-modelled or the demo marts built); returns the function that stops it. */
  onRefreshed(listener: () => void): () => void {
    this.refreshedListeners.add(listener)
    return () => this.refreshedListeners.delete(listener)
  }

  async burst(count: number, mode: StreamBurstMode = 'realistic'): Promise<StreamBurstResult> {
    const events = this.source.next(count, mode)
    const report = await insertIntradayEvents(events, {
      client: this.warehouse.bigQuery(),
      settings: this.target,
      deadLetters: this.deadLetters,
      log: this.log,
    })
    this.totals.stored += report.accepted
    this.totals.rejected += report.deadLetters.length
    this.warehouse.invalidateCache()
    this.demoChanged = true
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

  /**
   * Re-models shortly (after a change of the vars' source): `realBuild` rebuilds the real marts, and the
   * demo's are rebuilt too when `withDemo`; the refresh state shows its progress, as after a stream batch.
   */
  remodel(realBuild: () => Promise<DbtRunResult>, withDemo: boolean): void {
    this.realBuild = realBuild
    this.demoChanged ||= withDemo
    this.scheduleRefresh()
  }

  /** The dbt runs the next refresh makes, in order: the real marts (a re-model), then the demo's. */
  private pendingBuilds(): Array<() => Promise<DbtRunResult>> {
    const runs: Array<() => Promise<DbtRunResult>> = []
    if (this.realBuild) runs.push(this.realBuild)
    if (this.demoChanged) runs.push(() => this.dbtBuild(this.target))
    this.realBuild = undefined
    this.demoChanged = false
    return runs
  }

  private async build(): Promise<void> {
    this.refresh.state = 'running'
    const started = Date.now()
    try {
      const runs = this.pendingBuilds()
      let result: DbtRunResult = { success: true, errors: [], durationMs: 0 }
      for (const run of runs) {
        result = await run()
        if (!result.success) break
      }
      this.refresh.lastDurationMs = Date.now() - started
      if (result.success) {
        this.refresh.state = 'idle'
        this.refresh.lastSuccessAt = new Date().toISOString()
        this.refresh.lastError = null
        this.warehouse.invalidateCache()
        for (const listener of this.refreshedListeners) listener()
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
