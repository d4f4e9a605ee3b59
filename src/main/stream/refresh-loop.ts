import { EventEmitter } from 'node:events'
import { DEFAULT_CONVERSION_EVENTS } from '@shared/attribution'
import type { JobProgress, RefreshState } from '@shared/api'
import type { DbtRunOptions, DbtRunResult } from '../dbt/dbt-runner'
import { DbtWorker } from '../dbt/dbt-worker'
import type { ServedWarehouse } from '../serving/served-warehouse'
import { type RunSample, sustainableRate } from './sustainable-rate'
import { describeDbtProgress } from '../dbt/progress-text'
import { DEFAULT_MODEL_SETTINGS, loadModelSettings } from '../settings/model-settings'

/** Time from the first landed batch to the refresh: bursts within it share one dbt run. Never pushed back, so a steady stream cannot starve the loop. */
export const REFRESH_DEBOUNCE_MS = 300
/** After a cancel the loop waits this long, then refreshes what is still unmodelled (the person stopped one run, not the stream). */
export const CANCEL_PAUSE_MS = 5_000
/** Recent successful runs kept to estimate the rate the loop sustains. */
const RATE_SAMPLES = 12

/** What a refresh says on a warehouse whose models were never built: an incremental run cannot make them. */
export const BUILD_FIRST_MESSAGE =
  'The models have not been built yet, so there is nothing to refresh: build first (Generate sample data or Import in the app, or `npx attribution build`). Streamed events are kept and counted by that build.'

/** The vars of every refresh: the same each time, so dbt's parse can be reused. */
const REFRESH_VARS = { conversion_events: DEFAULT_CONVERSION_EVENTS }

/** The dbt run the loop starts; incremental models make it touch only what changed. */
export interface RefreshCommand {
  command: 'build' | 'run'
  select?: string
  fullRefresh?: boolean
}

/** The state of a refresh loop that has not run yet. */
export function idleRefreshState(): RefreshState {
  return {
    state: 'idle',
    lastSuccessAt: null,
    lastError: null,
    lastDurationMs: null,
    progressPercent: null,
    progressMessage: null,
    unmodelledEvents: 0,
    lastRunEvents: null,
  }
}

/**
 * Refreshes the models after events land. One dbt run at a time, never a queue: events that land
 * during a run are all read by ONE next run (incremental models read everything stored since the
 * last load, so one run catches up whatever the backlog). Cancel kills dbt at once and shows
 * `cancelled`; the loop remembers the unmodelled events and refreshes them after a short pause. On
 * failure the views keep the last good numbers and the next landing retries.
 */
export class RefreshLoop {
  private readonly emitter = new EventEmitter()
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  /** Events landed since the running (or last) run started, so another run is due. */
  private isDirty = false
  private abort: AbortController | undefined
  private readonly worker = new DbtWorker()
  private warming: Promise<unknown> | undefined
  private isClosed = false
  private hasModels = false
  /** Events stored but not yet read by a successful run; `inRun` of them are being read now. */
  private unmodelled = 0
  private inRun = 0
  private readonly samples: RunSample[] = []
  private readonly current: RefreshState = idleRefreshState()

  constructor(
    private readonly warehouse: ServedWarehouse,
    private readonly refreshCommand: RefreshCommand,
    private readonly debounceMs = REFRESH_DEBOUNCE_MS,
    private readonly cancelPauseMs = CANCEL_PAUSE_MS,
  ) {}

  /** The loop's state for the header. */
  state(): RefreshState {
    return { ...this.current, unmodelledEvents: this.unmodelled }
  }

  /** The continuous rate (events/s) recent runs show this machine keeps up with; undefined until measured. */
  sustainableRatePerSecond(): number | undefined {
    return sustainableRate(this.samples, { debounceMs: this.debounceMs })
  }

  /** Progress of runs, as job progress for the renderer. */
  onProgress(listener: (progress: JobProgress) => void): () => void {
    this.emitter.on('progress', listener)
    return () => this.emitter.off('progress', listener)
  }

  /** Starts dbt's worker and parses the project ahead of the first refresh, so that one is quick too. */
  warmUp(): Promise<unknown> {
    if (this.isClosed) return Promise.resolve()
    // The vars of the builds to come, the warehouse's model settings included, so the parse is reused.
    this.warming ??= loadModelSettings(this.warehouse.embedded.path).then((settings) =>
      this.worker.run({
        command: 'parse',
        target: 'duckdb',
        env: { ATTRIBUTION_WAREHOUSE: this.warehouse.embedded.path },
        vars: { ...REFRESH_VARS, user_id_stitching: settings.ok ? settings.value.userIdStitching : DEFAULT_MODEL_SETTINGS.userIdStitching },
        targetPath: this.warehouse.embedded.dbtTargetPath,
      }),
    )
    // Nobody need wait for the warm-up: a worker that cannot start (no dbt yet) says so at the first run.
    this.warming.catch(() => undefined)
    return this.warming
  }

  /**
   * Runs another dbt command (the app's builds after a sample or an import) in the loop's worker, after
   * whatever it runs now: no interpreter start-up, and the parse made by warmUp is reused when the vars
   * are the refresh's (about 5 s less on a first build).
   */
  runInWorker(options: DbtRunOptions): Promise<DbtRunResult> {
    return this.worker.run(options)
  }

  /** Stops the worker (on quit); later notifications start nothing. */
  close(): void {
    this.isClosed = true
    this.cancel()
    this.worker.close()
  }

  /** Called when `events` new events are in the warehouse: a refresh follows shortly. */
  notify(events = 0): void {
    if (this.isClosed) return
    this.unmodelled += events
    this.isDirty = true
    this.schedule(this.debounceMs)
  }

  /** Resolves when no refresh is waiting or running (tests and benchmarks wait on it). */
  async settled(): Promise<void> {
    while (this.timer || this.running) {
      if (this.running) await this.running
      else await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /**
   * Stops the running dbt process (killed, not asked) and shows `cancelled` at once; the models keep
   * what they had, the views the last good numbers. A refresh that was only due is put off the same way.
   */
  cancel(): void {
    const wasDue = this.timer !== undefined
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.abort && !this.abort.signal.aborted) {
      this.abort.abort()
      this.markCancelled()
    } else if (wasDue) {
      this.markCancelled()
      this.afterRun('cancelled')
    }
  }

  /** True once the marts exist; checked until then, as a build may run between refreshes. */
  private async modelsExist(): Promise<boolean> {
    if (!this.hasModels) this.hasModels = (await this.warehouse.embedded.status()).hasModels
    return this.hasModels
  }

  /** Sets the timer unless a run is due or running: what lands meanwhile joins that run or the one after it. */
  private schedule(delayMs: number): void {
    if (this.isClosed || this.timer || this.running) return
    if (this.current.state !== 'cancelled') this.current.state = 'waiting'
    this.timer = setTimeout(() => void this.run(), delayMs)
  }

  private run(): Promise<void> {
    this.timer = undefined
    this.isDirty = false
    this.inRun = this.unmodelled
    const running = this.refresh().then((outcome) => {
      this.running = undefined
      this.afterRun(outcome)
    })
    this.running = running
    return running
  }

  /** One follow-up run at most: at once after a success or a failure that new events asked for, after a pause after a cancel. */
  private afterRun(outcome: 'succeeded' | 'failed' | 'cancelled'): void {
    if (this.isClosed) return
    if (outcome === 'cancelled') {
      // The cancelled run's events are still unmodelled: pick them up without waiting for a new burst.
      if (this.unmodelled > 0 || this.isDirty || this.inRun > 0) {
        this.isDirty = true
        this.rewarm()
        this.schedule(this.cancelPauseMs)
      }
      return
    }
    if (this.isDirty) this.schedule(this.debounceMs)
  }

  /** After a cancel killed the worker, a new one imports dbt and parses now, not when the next run needs it. */
  private rewarm(): void {
    this.warming = undefined
    void this.warmUp().catch(() => undefined)
  }

  private markCancelled(): void {
    this.current.state = 'cancelled'
    this.current.progressPercent = null
    this.current.progressMessage = null
  }

  private async refresh(): Promise<'succeeded' | 'failed' | 'cancelled'> {
    const abort = new AbortController()
    this.abort = abort
    this.current.state = 'running'
    this.current.progressPercent = 0
    this.current.progressMessage = 'Refreshing the models'
    const started = Date.now()
    const events = this.inRun
    try {
      if (this.refreshCommand.command === 'run' && !(await this.modelsExist())) {
        this.current.state = 'failed'
        this.current.lastError = BUILD_FIRST_MESSAGE
        return 'failed'
      }
      if (abort.signal.aborted) return 'cancelled'
      const result = await this.warehouse.embedded.build({
        ...this.refreshCommand,
        conversionEvents: REFRESH_VARS.conversion_events,
        runner: (options) => this.worker.run(options),
        signal: abort.signal,
        onProgress: (progress) => {
          if (abort.signal.aborted || progress.index === undefined || progress.total === undefined || !progress.message) return
          this.current.progressPercent = (progress.index / progress.total) * 100
          const message = describeDbtProgress(progress) ?? progress.message
          this.current.progressMessage = message
          this.emitter.emit('progress', { job: 'build', phase: 'refresh', percent: this.current.progressPercent, message })
        },
        afterSuccess: () => this.warehouse.serving.refreshFrom(this.warehouse.embedded.path),
      })
      if (result.success) {
        const durationMs = Date.now() - started
        this.current.state = 'idle'
        this.current.lastSuccessAt = new Date().toISOString()
        this.current.lastError = null
        this.current.lastDurationMs = durationMs
        this.current.lastRunEvents = events
        this.unmodelled = Math.max(0, this.unmodelled - events)
        this.samples.push({ events, durationMs })
        if (this.samples.length > RATE_SAMPLES) this.samples.shift()
        return 'succeeded'
      }
      if (abort.signal.aborted) return 'cancelled'
      this.current.lastDurationMs = Date.now() - started
      this.current.state = 'failed'
      this.current.lastError = result.errors.join('\n') || 'dbt failed without a message'
      return 'failed'
    } catch (error) {
      if (abort.signal.aborted) return 'cancelled'
      this.current.state = 'failed'
      this.current.lastError = error instanceof Error ? error.message : String(error)
      return 'failed'
    } finally {
      if (this.current.state !== 'running') {
        this.current.progressPercent = null
        this.current.progressMessage = null
      }
      if (abort.signal.aborted && this.current.state === 'running') this.markCancelled()
      this.abort = undefined
    }
  }
}
