import { dirname, join } from 'node:path'
import type { JobProgress } from '../shared/api'
import type { AppSettings } from '../shared/settings-api'
import { type ApiHandlers, type HandlerHost, type StreamService, createApiHandlers } from './api/handlers'
import { type BigQueryTransport, formatBytes } from './bigquery/bigquery-client'
import { BigQueryStream } from './bigquery/bigquery-stream'
import { BigQueryWarehouse } from './bigquery/bigquery-warehouse'
import { DeadLetterList } from './bigquery/intraday-writer'
import { createSettingsHandlers } from './bigquery/settings-handlers'
import { CredentialStore } from './credentials/credential-store'
import { redactingLog } from './credentials/redact'
import { type SecretCipher, aesGcmCipher } from './credentials/secret-cipher'
import { killDbtChildren } from './dbt/dbt-children'
import { DbtEnvironment } from './dbt/dbt-environment-setup'
import type { DbtRunner } from './dbt/dbt-runner'
import { OutsideChanges } from './serving/outside-changes'
import { ServedWarehouse } from './serving/served-warehouse'
import { ServingStore } from './serving/serving-store'
import { JobRunner } from './services/jobs'
import { type CloseOutcome, SHUTDOWN_TIMEOUT_MS, closeWithin } from './shutdown'
import { loadSettings } from './settings/app-settings'
import { LiveStream } from './stream/live-stream'
import { type RefreshCommand, RefreshLoop } from './stream/refresh-loop'
import { outboxFor } from './stream/streamer'
import { EmbeddedWarehouse } from './warehouse/embedded-warehouse'
import type { AttributionWarehouse } from './warehouse/warehouse'

/** The dbt run after streamed events land: incremental models rebuild only the users with new events; tests run with full builds. */
export const STREAM_REFRESH_COMMAND: RefreshCommand = { command: 'run' }

/** The main-process services, wired once, for the Electron app and the browser bridge alike. */
export interface AppServices {
  /** The embedded warehouse (file plus in-memory serving copy), whichever warehouse is active. */
  warehouse: ServedWarehouse
  jobs: JobRunner
  stream: LiveStream
  refresh: RefreshLoop
  credentials: CredentialStore
  /** What other processes (the CLI) change in the warehouse file, noticed and reloaded. */
  outside: OutsideChanges
  handlers: ApiHandlers
  /** The dbt the app runs (Settings, repo .venv or the data-folder environment) and its first-run set-up. */
  dbt: DbtEnvironment
  /** Stops streaming and dbt, waits for deliveries and closes the warehouse (unbounded: tests). */
  close(): Promise<void>
  /**
   * The quit path: stops the streamer, kills every dbt process at once, then closes as `close()`
   * does but gives up after `timeoutMs`. The caller exits the process afterwards.
   */
  shutdown(timeoutMs?: number): Promise<CloseOutcome>
}

/** What the host (Electron, or the browser bridge) brings. */
export interface AppServicesOptions {
  warehousePath: string
  /** Where settings and the encrypted key live; the warehouse's folder when absent. */
  userDataDir?: string
  /** Electron's safeStorage; without it (the browser bridge) keys can be used for the session only. */
  cipher?: SecretCipher
  chooseKeyFile?: () => Promise<string | null>
  host?: Pick<HandlerHost, 'chooseImportFiles' | 'openExternal' | 'log'>
  refreshDebounceMs?: number
  /** How often the warehouse file is looked at for changes by other processes (tests shorten it). */
  outsidePollMs?: number
  /** How long the refresh loop waits after a cancel before it refreshes what is still unmodelled (tests shorten it). */
  refreshCancelPauseMs?: number
  /** The dbt run after events land; benchmarks compare the incremental one with a full build. */
  refreshCommand?: RefreshCommand
  /** Tests only: a loopback BigQuery instead of Google. */
  bigQueryTransport?: BigQueryTransport
  /**
   * Sets dbt up in the data folder at start when there is none; default: inside Electron only, so
   * tests and the browser bridge never start a large download by themselves.
   */
  autoSetUpDbt?: boolean
}

/** The job runner whose progress also carries the dbt set-up's, so every host pushes it as it pushes the jobs'. */
class AppJobRunner extends JobRunner {
  constructor(
    served: ServedWarehouse,
    private readonly dbt: DbtEnvironment,
    runDbt: DbtRunner,
  ) {
    super(served, runDbt)
  }

  override onProgress(listener: (progress: JobProgress) => void): () => void {
    const stopJobs = super.onProgress(listener)
    const stopDbt = this.dbt.onProgress(listener)
    return () => {
      stopJobs()
      stopDbt()
    }
  }
}

/**
 * Wires the warehouses, jobs, streamer, refresh loop, credentials, settings and API handlers.
 * Pending outbox batches are delivered at start; Settings switch the views between the embedded
 * warehouse and BigQuery.
 */
export async function createAppServices(options: AppServicesOptions): Promise<AppServices> {
  const dataDir = options.userDataDir ?? dirname(options.warehousePath)
  const credentials = new CredentialStore({ dir: dataDir, cipher: options.cipher ?? aesGcmCipher({ available: false }), log: options.host?.log })
  await credentials.load()
  const log = redactingLog((line) => options.host?.log?.(line), () => credentials.secrets())
  const deadLetters = new DeadLetterList()
  const settingsPath = join(dataDir, 'settings.json')
  // Chosen before anything runs dbt: Settings, else the repo's .venv, else the data-folder environment.
  const dbt = new DbtEnvironment({ dataDir, settingsPath, log })
  const dbtAtStart = await dbt.status()
  if (dbtAtStart.state === 'missing' && (options.autoSetUpDbt ?? process.versions.electron !== undefined)) void dbt.setUp().catch((error: unknown) => log(`dbt: set-up failed: ${String(error)}`))

  const embedded = new EmbeddedWarehouse(options.warehousePath)
  const warehouse = new ServedWarehouse(embedded, await ServingStore.create())
  // A CLI import, stream or build on this file shows in the app within seconds; raw events it left unmodelled get a refresh.
  const outside = new OutsideChanges(embedded, warehouse.serving, () => refresh.notify(), { pollMs: options.outsidePollMs })
  await warehouse.refresh()
  const refresh = new RefreshLoop(warehouse, options.refreshCommand ?? STREAM_REFRESH_COMMAND, options.refreshDebounceMs, options.refreshCancelPauseMs)
  // Builds after a sample or an import run in the refresh loop's worker, warmed up below while the person looks at the welcome view.
  const jobs = new AppJobRunner(warehouse, dbt, (dbtOptions) => refresh.runInWorker(dbtOptions))
  const stream = new LiveStream(warehouse, outboxFor(options.warehousePath), refresh)
  void stream.recover()
  void refresh.warmUp()
  outside.start()
  const embeddedStream: StreamService = {
    burst: (...args: Parameters<LiveStream['burst']>) => stream.burst(...args),
    start: (ratePerSecond) => ({ ...stream.start(ratePerSecond), outsideChange: outside.latest() }),
    stop: () => ({ ...stream.stop(), outsideChange: outside.latest() }),
    status: () => ({ ...stream.status(), outsideChange: outside.latest() }),
  }

  let bigquery: { warehouse: BigQueryWarehouse; reads: AttributionWarehouse; stream: BigQueryStream } | undefined
  let costNotice: string | null = null
  const activate = (settings: AppSettings): void => {
    bigquery?.stream.close()
    bigquery = undefined
    if (settings.warehouse !== 'bigquery') return
    costNotice = null
    const bq = new BigQueryWarehouse({
      settings: settings.bigquery,
      credentials: settings.bigquery.credentialMode === 'adc' ? { mode: 'adc' } : { mode: 'service_account', key: credentials.serviceAccountKey() },
      transport: options.bigQueryTransport,
      // The dry run's estimate is shown in the header, so people see what a view costs before it grows.
      onCostlyQuery: (estimate) => {
        costNotice = `A dashboard query scans about ${estimate.text} (limit ${formatBytes(estimate.maximumBytesBilled)} per query).`
      },
    })
    const reads: AttributionWarehouse = {
      kind: 'bigquery',
      report: (request) => bq.report(request),
      channelFlows: (filters, models) => bq.channelFlows(filters, models),
      dailyTrends: (filters, options) => bq.dailyTrends(filters, options),
      modelChannelCredits: (filters) => bq.modelChannelCredits(filters),
      markovTransitions: (filters) => bq.markovTransitions(filters),
      conversionTotals: (filters) => bq.conversionTotals(filters),
      conversionPaths: (filters, model, limit) => bq.conversionPaths(filters, model, limit),
      recentEvents: (limit) => bq.recentEvents(limit),
      status: async () => ({ ...(await bq.status()), costNotice }),
    }
    bigquery = { warehouse: bq, reads, stream: new BigQueryStream(bq, settings.bigquery, credentials, deadLetters, log) }
  }
  activate((await loadSettings(settingsPath)).settings)

  const core = createApiHandlers({
    warehouse: (): AttributionWarehouse => bigquery?.reads ?? warehouse,
    jobs,
    stream: (): StreamService => bigquery?.stream ?? embeddedStream,
    refresh: () => (bigquery ? { cancel: () => undefined } : refresh),
    dbt,
    ...options.host,
    log,
  })
  const settingsHandlers = createSettingsHandlers({
    settingsPath,
    credentials,
    deadLetters,
    chooseKeyFile: options.chooseKeyFile,
    onChanged: activate,
    log,
    transport: options.bigQueryTransport,
  })
  const close = async (): Promise<void> => {
    dbt.close()
    outside.close()
    bigquery?.stream.close()
    stream.stop()
    // Closed before the last deliveries, so they start no new dbt run.
    refresh.close()
    await stream.delivered()
    await embedded.close()
    warehouse.serving.close()
  }
  return {
    warehouse,
    jobs,
    stream,
    refresh,
    credentials,
    outside,
    dbt,
    handlers: { ...core, ...settingsHandlers },
    close,
    shutdown: (timeoutMs = SHUTDOWN_TIMEOUT_MS) => {
      dbt.close()
      bigquery?.stream.close()
      stream.stop()
      refresh.close()
      killDbtChildren()
      return closeWithin(close, timeoutMs, log)
    },
  }
}
