import { EventEmitter } from 'node:events'
import { DEFAULT_CONVERSION_EVENTS, LOOKBACK_DEFAULT_DAYS } from '../../shared/attribution'
import type { JobProgress, WarehouseStatus } from '../../shared/api'
import type { DbtRunner } from '../dbt/dbt-runner'
import { describeDbtProgress } from '../dbt/progress-text'
import { UserFacingError } from '../errors'
import type { ServedWarehouse } from '../serving/served-warehouse'
import { assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import type { ReferralSettings } from '../../shared/referrals'
import { DEFAULT_SAMPLE, todayUtc } from './sample-data'

/** Seed of the app's sample data: the same demo numbers on every machine for the same day. */
const SAMPLE_SEED = 1

/**
 * Long jobs of the embedded warehouse (sample data, imports, dbt builds), one at a time,
 * each reporting progress as events.
 */
export class JobRunner {
  private readonly emitter = new EventEmitter()
  private running: string | undefined

  /** `runDbt`, when given, runs the builds (the app passes its refresh loop's warm dbt worker); a new dbt process each time otherwise. */
  constructor(
    private readonly served: ServedWarehouse,
    private readonly runDbt?: DbtRunner,
  ) {}

  /** Subscribes to progress; returns the unsubscribe function. */
  onProgress(listener: (progress: JobProgress) => void): () => void {
    this.emitter.on('progress', listener)
    return () => this.emitter.off('progress', listener)
  }

  /** Generates the default sample, then builds the models. */
  generateSample(): Promise<WarehouseStatus> {
    return this.exclusive('Generating sample data', async () => {
      await this.served.embedded.generateSample({
        seed: SAMPLE_SEED,
        ...DEFAULT_SAMPLE,
        endDate: todayUtc(),
        onProgress: (progress) =>
          this.emit({
            job: 'generate',
            phase: progress.phase,
            percent: (progress.doneUsers / progress.totalUsers) * 100,
            message: `${progress.phase === 'generating' ? 'Generating' : 'Storing'} events of ${progress.doneUsers.toLocaleString('en-US')} of ${progress.totalUsers.toLocaleString('en-US')} users`,
          }),
      })
      await this.build()
    })
  }

  /** Imports GA4 export files, then builds the models. */
  importFiles(paths: string[]): Promise<WarehouseStatus> {
    return this.exclusive('Importing files', async () => {
      await this.served.embedded.importFiles(paths, {
        onProgress: (progress) =>
          this.emit({
            job: 'import',
            phase: progress.phase,
            percent: progress.percent,
            message: `${progress.phase} ${progress.file} (${progress.fileIndex + 1} of ${progress.fileCount})`,
          }),
      })
      await this.build()
    })
  }

  /** Stores the unwanted referrals and self-referral switch, then re-models the users they touch (an incremental run). */
  async saveReferrals(settings: unknown): Promise<ReferralSettings> {
    let saved: ReferralSettings | undefined
    await this.exclusive('Re-modelling referrals', async () => {
      saved = await this.served.embedded.saveReferralSettings(settings)
      await this.build('run')
    })
    if (!saved) throw new Error('the referral settings were not saved')
    return saved
  }

  private async build(command: 'build' | 'run' = 'build'): Promise<void> {
    this.emit({ job: 'build', phase: 'starting', percent: 0, message: 'Building the attribution models with dbt' })
    const result = await this.served.embedded.build({
      command,
      afterSuccess: () => this.served.serving.refreshFrom(this.served.embedded.path),
      runner: this.runDbt,
      lookbackDays: LOOKBACK_DEFAULT_DAYS,
      conversionEvents: DEFAULT_CONVERSION_EVENTS,
      onProgress: (progress) => {
        const message = describeDbtProgress(progress)
        if (progress.index === undefined || progress.total === undefined || !message) return
        this.emit({ job: 'build', phase: 'dbt', percent: (progress.index / progress.total) * 100, message })
      },
    })
    assertDbtSucceeded(result)
    this.emit({ job: 'build', phase: 'done', percent: 100, message: 'Models built' })
  }

  private async exclusive(name: string, work: () => Promise<void>): Promise<WarehouseStatus> {
    if (this.running) throw new UserFacingError(`${this.running} is still running; wait for it to finish.`)
    this.running = name
    try {
      await work()
      return await this.served.status()
    } finally {
      this.running = undefined
    }
  }

  private emit(progress: JobProgress): void {
    this.emitter.emit('progress', progress)
  }
}
