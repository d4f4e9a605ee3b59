import { EventEmitter } from 'node:events'
import { type ConversionEvent, DEFAULT_CONVERSION_EVENTS } from '@shared/attribution'
import type { ImportedSpendFile, SpendMapping } from '@shared/spend'
import type { JobProgress, ModelSettingsChoice, WarehouseStatus } from '@shared/api'
import { type ModelSettings, saveModelSettings } from '../settings/model-settings'
import type { DbtProgress, DbtRunResult, DbtRunner } from '../dbt/dbt-runner'
import { describeDbtProgress } from '../dbt/progress-text'
import { UserFacingError, messageOf } from '../errors'
import type { ServedWarehouse } from '../serving/served-warehouse'
import { assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { SPEND_MODELS } from '../warehouse/spend-import'
import type { ReferralSettings } from '@shared/referrals'
import { DEFAULT_SAMPLE, todayUtc, generateSampleData } from './sample-data'

/** The dbt selection a spend import rebuilds: the spend staging model and what reads it. */

/** A spend import on BigQuery: the load into the marts dataset, and a dbt build there. */
export interface BigQuerySpendJob {
  load(paths: string[], mapping?: SpendMapping): Promise<ImportedSpendFile[]>
  build(select: string, onProgress: (progress: DbtProgress) => void): Promise<DbtRunResult>
}

/** Seed of the app's sample data: the same demo numbers on every machine for the same day. */
const SAMPLE_SEED = 1

/**
 * Long jobs of the embedded warehouse (sample data, imports, dbt builds), one at a time,
 * each reporting progress as events.
 */
export class JobRunner {
  private readonly emitter = new EventEmitter()
  private running: string | undefined

  /**
   * `runDbt`, when given, runs the builds (the app passes its refresh loop's warm dbt worker); a new
   * dbt process each time otherwise. `warmUpDbt`, when given, is called as a sample or an import
   * starts, so the dbt that builds after it starts and parses while the events are written.
   */
  constructor(
    private readonly served: ServedWarehouse,
    private readonly runDbt?: DbtRunner,
    private readonly warmUpDbt?: () => void,
  ) {}

  /** Subscribes to progress; returns the unsubscribe function. */
  onProgress(listener: (progress: JobProgress) => void): () => void {
    this.emitter.on('progress', listener)
    return () => this.emitter.off('progress', listener)
  }

  /** Generates the default sample, then builds the models. */
  generateSample(): Promise<WarehouseStatus> {
    return this.exclusive('Generating sample data', async () => {
      this.warmUpDbt?.()
      await generateSampleData(this.served.embedded, {
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
      this.warmUpDbt?.()
      const imported = await this.served.embedded.importFiles(paths, {
        onProgress: (progress) =>
          this.emit({
            job: 'import',
            phase: progress.phase,
            percent: progress.percent,
            message: `${progress.phase} ${progress.file} (${progress.fileIndex + 1} of ${progress.fileCount})`,
          }),
      })
      try {
        await this.build()
      } catch (error) {
        // The import committed before the build: say so, or a retry meets "already imported" and a dead end.
        const events = imported.reduce((sum, file) => sum + file.rows, 0)
        throw new UserFacingError(
          `The import worked: ${events.toLocaleString('en-US')} events of ${imported.length} file(s) are stored (importing them again adds nothing). ` +
            `The model build after it failed: ${messageOf(error)}`,
        )
      }
    })
  }

  /**
   * Imports ad spend files, then rebuilds the spend models and the cost mart (nothing else reads
   * spend): into the embedded warehouse, or with `bigquery` into BigQuery's marts dataset.
   */
  importSpend(paths: string[], mapping?: SpendMapping, bigquery?: BigQuerySpendJob): Promise<ImportedSpendFile[]> {
    let imported: ImportedSpendFile[] = []
    const where = bigquery ? ' into BigQuery' : ''
    return this.exclusive('Importing ad spend', async () => {
      this.emit({
        job: 'import',
        phase: 'storing',
        percent: 0,
        message: `Importing ${paths.length} spend file${paths.length === 1 ? '' : 's'}${where}`,
      })
      imported = bigquery ? await bigquery.load(paths, mapping) : await this.served.embedded.importSpend(paths, mapping ? { mapping } : {})
      try {
        if (bigquery) {
          this.emit({ job: 'build', phase: 'starting', percent: 0, message: 'Building the cost mart on BigQuery with dbt' })
          assertDbtSucceeded(await bigquery.build(SPEND_MODELS, (progress) => this.emitDbtProgress(progress)))
          this.emit({ job: 'build', phase: 'done', percent: 100, message: 'Models built' })
        } else {
          await this.build({ select: SPEND_MODELS })
        }
      } catch (error) {
        // The spend is stored: a retry would only say "nothing changed", so say what did happen.
        throw new UserFacingError(
          `The spend import worked (importing the files again changes nothing); the cost mart build after it failed: ${messageOf(error)}`,
        )
      }
    }).then(() => imported)
  }

  /**
   * Models events as conversions: adds them to the warehouse's modelled set and runs the models
   * incrementally (`dbt run`, the refresh's vars), which adds their conversions for every user.
   */
  modelEvents(events: readonly ConversionEvent[]): Promise<WarehouseStatus> {
    return this.exclusive(`Modelling ${events.join(', ')}`, async () => {
      await this.served.embedded.addModelledEvents(events)
      await this.build({ command: 'run', message: `Modelling ${events.join(', ')} as conversions` })
    })
  }

  /** Stores the unwanted referrals and self-referral switch, then re-models the users they touch (an incremental run). */
  async saveReferrals(settings: unknown): Promise<ReferralSettings> {
    let saved: ReferralSettings | undefined
    await this.exclusive('Re-modelling referrals', async () => {
      saved = await this.served.embedded.saveReferralSettings(settings)
      await this.build({ command: 'run', message: 'Re-modelling the users the referral settings touch' })
    })
    if (!saved) throw new Error('the referral settings were not saved')
    return saved
  }

  /**
   * Stores the warehouse's model settings (the file the CLI's `settings` writes), then re-models:
   * an incremental run recomputes every signed-in device when stitching changed (int_users_changed).
   */
  async saveModelSettings(change: ModelSettingsChoice): Promise<ModelSettings> {
    let saved: ModelSettings | undefined
    await this.exclusive('Re-modelling user-id stitching', async () => {
      const stored = await saveModelSettings(this.served.embedded.path, change)
      if (!stored.ok) throw new UserFacingError(stored.error)
      saved = stored.value
      await this.build({ command: 'run', message: `Re-modelling with user-id stitching ${change.userIdStitching ? 'on' : 'off'}` })
    })
    if (!saved) throw new Error('the model settings were not saved')
    return saved
  }

  private async build(options: { command?: 'run'; message?: string; select?: string } = {}): Promise<void> {
    this.emit({ job: 'build', phase: 'starting', percent: 0, message: options.message ?? 'Building the attribution models with dbt' })
    const result = await this.served.embedded.build({
      command: options.command,
      afterSuccess: () => this.served.serving.refreshFrom(this.served.embedded.path),
      runner: this.runDbt,
      select: options.select,
      conversionEvents: DEFAULT_CONVERSION_EVENTS,
      onProgress: (progress) => this.emitDbtProgress(progress),
    })
    assertDbtSucceeded(result)
    this.emit({ job: 'build', phase: 'done', percent: 100, message: 'Models built' })
  }

  private emitDbtProgress(progress: DbtProgress): void {
    const message = describeDbtProgress(progress)
    if (progress.index === undefined || progress.total === undefined || !message) return
    this.emit({ job: 'build', phase: 'dbt', percent: (progress.index / progress.total) * 100, message })
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
