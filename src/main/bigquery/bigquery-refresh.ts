import type { RefreshState } from '@shared/api'
import type { BigQuerySettings } from '@shared/settings-api'
import type { CredentialStore } from '../credentials/credential-store'
import type { DbtRunResult, DbtVars } from '../dbt/dbt-runner'
import { idleRefreshState } from '../stream/refresh-loop'
import type { ModelRefresh } from '../stream/streamer'
import type { BigQueryWarehouse } from './bigquery-warehouse'
import { buildOnBigQuery } from './dbt-environment'

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
 * The refresh after streaming on BigQuery: a debounced `dbt build` of the demo marts once events
 * landed, and of the real marts when asked to re-model; its state shows as the embedded refresh loop's.
 */
export class BigQueryRefresh implements ModelRefresh {
  private timer: NodeJS.Timeout | undefined
  private readonly current: RefreshState = idleRefreshState()
  /** Streamed since the demo marts were last built. */
  private demoChanged = false
  /** A re-model of the real marts asked for (remodel). */
  private realBuild: (() => Promise<DbtRunResult>) | undefined
  private readonly refreshedListeners = new Set<() => void>()

  /** `buildDemo` builds the demo marts; `warehouse` reads them (its cache is dropped after each build). */
  constructor(
    private readonly warehouse: BigQueryWarehouse,
    private readonly buildDemo: () => Promise<DbtRunResult>,
  ) {}

  /** Calls `listener` after every successful refresh (the real marts re-modelled or the demo marts built); returns the function that stops it. */
  onRefreshed(listener: () => void): () => void {
    this.refreshedListeners.add(listener)
    return () => this.refreshedListeners.delete(listener)
  }

  state(): RefreshState {
    return { ...this.current }
  }

  /** Streamed events landed in the demo dataset: its marts are built shortly. */
  notify(): void {
    this.demoChanged = true
    this.schedule()
  }

  /**
   * Re-models shortly (after a change of the vars' source): `realBuild` rebuilds the real marts, and the
   * demo's are rebuilt too when `withDemo`; the refresh state shows its progress, as after a stream batch.
   */
  remodel(realBuild: () => Promise<DbtRunResult>, withDemo: boolean): void {
    this.realBuild = realBuild
    this.demoChanged ||= withDemo
    this.schedule()
  }

  /** Drops a refresh that has not started (on quit or a settings change). */
  close(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(): void {
    clearTimeout(this.timer)
    if (this.current.state !== 'running') this.current.state = 'waiting'
    this.timer = setTimeout(() => void this.build(), REFRESH_DEBOUNCE_MS)
  }

  /** The dbt runs the next refresh makes, in order: the real marts (a re-model), then the demo's. */
  private pendingBuilds(): Array<() => Promise<DbtRunResult>> {
    const runs: Array<() => Promise<DbtRunResult>> = []
    if (this.realBuild) runs.push(this.realBuild)
    if (this.demoChanged) runs.push(this.buildDemo)
    this.realBuild = undefined
    this.demoChanged = false
    return runs
  }

  private async build(): Promise<void> {
    this.current.state = 'running'
    const started = Date.now()
    try {
      let result: DbtRunResult = { success: true, errors: [], durationMs: 0 }
      for (const run of this.pendingBuilds()) {
        result = await run()
        if (!result.success) break
      }
      this.current.lastDurationMs = Date.now() - started
      if (result.success) {
        this.current.state = 'idle'
        this.current.lastSuccessAt = new Date().toISOString()
        this.current.lastError = null
        this.warehouse.invalidateCache()
        for (const listener of this.refreshedListeners) listener()
      } else {
        this.current.state = 'failed'
        this.current.lastError = result.errors.join('\n')
      }
    } catch (error) {
      this.current.state = 'failed'
      this.current.lastError = error instanceof Error ? error.message : String(error)
    }
  }
}
