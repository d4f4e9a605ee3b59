import { EventEmitter } from 'node:events'
import { DEFAULT_CONVERSION_EVENTS, LOOKBACK_DEFAULT_DAYS } from '../../shared/attribution'
import type { JobProgress, RefreshState } from '../../shared/api'
import { DbtWorker } from '../dbt/dbt-worker'
import type { ServedWarehouse } from '../serving/served-warehouse'

/** Quiet time after the last landed batch before the models refresh: bursts share one dbt run. */
export const REFRESH_DEBOUNCE_MS = 300

/** What a refresh says on a warehouse whose models were never built: an incremental run cannot make them. */
export const BUILD_FIRST_MESSAGE =
  'The models have not been built yet, so there is nothing to refresh: build first (Generate sample data or Import in the app, or `npx attribution build`). Streamed events are kept and counted by that build.'

/** The vars of every refresh: the same each time, so dbt's parse can be reused. */
const REFRESH_VARS = { lookback_days: LOOKBACK_DEFAULT_DAYS, conversion_events: DEFAULT_CONVERSION_EVENTS }

/** The dbt run the loop starts; incremental models make it touch only what changed. */
export interface RefreshCommand {
  command: 'build' | 'run'
  select?: string
  fullRefresh?: boolean
}

/** The state of a refresh loop that has not run yet. */
export function idleRefreshState(): RefreshState {
  return { state: 'idle', lastSuccessAt: null, lastError: null, lastDurationMs: null, progressPercent: null, progressMessage: null }
}

/**
 * Refreshes the models after events land: debounced, one dbt run at a time (a run requested
 * meanwhile follows it), cancellable, and on failure the views keep the last good numbers.
 */
export class RefreshLoop {
  private readonly emitter = new EventEmitter()
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private isDirty = false
  private abort: AbortController | undefined
  private readonly worker = new DbtWorker()
  private warming: Promise<unknown> | undefined
  private isClosed = false
  private hasModels = false
  private readonly current: RefreshState = idleRefreshState()

  constructor(
    private readonly warehouse: ServedWarehouse,
    private readonly refreshCommand: RefreshCommand,
    private readonly debounceMs = REFRESH_DEBOUNCE_MS,
  ) {}

  /** The loop's state for the header. */
  state(): RefreshState {
    return { ...this.current }
  }

  /** Progress of runs, as job progress for the renderer. */
  onProgress(listener: (progress: JobProgress) => void): () => void {
    this.emitter.on('progress', listener)
    return () => this.emitter.off('progress', listener)
  }

  /** Starts dbt's worker and parses the project ahead of the first refresh, so that one is quick too. */
  warmUp(): Promise<unknown> {
    if (this.isClosed) return Promise.resolve()
    this.warming ??= this.worker.run({
      command: 'parse',
      target: 'duckdb',
      env: { ATTRIBUTION_WAREHOUSE: this.warehouse.embedded.path },
      vars: REFRESH_VARS,
      targetPath: this.warehouse.embedded.dbtTargetPath,
    })
    return this.warming
  }

  /** Stops the worker (on quit); later notifications start nothing. */
  close(): void {
    this.isClosed = true
    this.cancel()
    this.worker.close()
  }

  /** Called when new events are in the warehouse: a refresh follows after a quiet moment. */
  notify(): void {
    if (this.isClosed) return
    if (this.running) {
      this.isDirty = true
      return
    }
    if (this.current.state === 'idle' || this.current.state === 'failed') this.current.state = 'waiting'
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.run(), this.debounceMs)
  }

  /** Resolves when no refresh is waiting or running (tests and benchmarks wait on it). */
  async settled(): Promise<void> {
    while (this.timer || this.running) {
      if (this.running) await this.running
      else await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** Stops the running dbt process; its models keep what they had, the views the last good numbers. */
  cancel(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.abort?.abort()
  }

  /** True once the marts exist; checked until then, as a build may run between refreshes. */
  private async modelsExist(): Promise<boolean> {
    if (!this.hasModels) this.hasModels = (await this.warehouse.embedded.status()).hasModels
    return this.hasModels
  }

  private run(): Promise<void> {
    this.timer = undefined
    this.running = this.refresh().finally(() => {
      this.running = undefined
      if (this.isDirty) {
        this.isDirty = false
        this.notify()
      }
    })
    return this.running
  }

  private async refresh(): Promise<void> {
    this.abort = new AbortController()
    this.current.state = 'running'
    this.current.progressPercent = 0
    this.current.progressMessage = 'Refreshing the models'
    const started = Date.now()
    try {
      if (this.refreshCommand.command === 'run' && !(await this.modelsExist())) {
        this.current.state = 'failed'
        this.current.lastError = BUILD_FIRST_MESSAGE
        return
      }
      const result = await this.warehouse.embedded.build({
        ...this.refreshCommand,
        lookbackDays: REFRESH_VARS.lookback_days,
        conversionEvents: REFRESH_VARS.conversion_events,
        runner: (options) => this.worker.run(options),
        signal: this.abort.signal,
        onProgress: (progress) => {
          if (progress.index === undefined || progress.total === undefined || !progress.message) return
          this.current.progressPercent = (progress.index / progress.total) * 100
          this.current.progressMessage = progress.message
          this.emitter.emit('progress', { job: 'build', phase: 'refresh', percent: this.current.progressPercent, message: progress.message })
        },
        afterSuccess: () => this.warehouse.serving.refreshFrom(this.warehouse.embedded.path),
      })
      this.current.lastDurationMs = Date.now() - started
      if (result.success) {
        this.current.state = 'idle'
        this.current.lastSuccessAt = new Date().toISOString()
        this.current.lastError = null
      } else {
        this.current.state = 'failed'
        this.current.lastError = result.errors.join('\n') || 'dbt failed without a message'
      }
    } catch (error) {
      this.current.state = 'failed'
      this.current.lastError = error instanceof Error ? error.message : String(error)
    } finally {
      this.current.progressPercent = null
      this.current.progressMessage = null
      this.abort = undefined
    }
  }
}
