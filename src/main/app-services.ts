import { dirname, join } from 'node:path'
import type { JobProgress, MartsChanged, WarehouseFallback } from '@shared/api'
import type { Result } from '@shared/attribution'
import type { AppSettings } from '@shared/settings-api'
import { type ApiHandlers, type HandlerHost, type ReferralService, type StreamService, createApiHandlers } from './api/handlers'
import { ImportFolder } from './api/import-access'
import { type BigQueryTransport, formatBytes } from './bigquery/bigquery-client'
import { type BigQueryDbtBuild, type BigQueryRefresh, bigQueryDbtBuild } from './bigquery/bigquery-refresh'
import { BigQuerySink } from './bigquery/bigquery-sink'
import { BigQueryWarehouse, type QueryEstimate } from './bigquery/bigquery-warehouse'
import { buildOnBigQuery } from './bigquery/dbt-environment'
import { importSpendToBigQuery } from './bigquery/spend-load'
import { DeadLetterList } from './bigquery/intraday-writer'
import { createSettingsHandlers } from './api/settings-handlers'
import { CredentialStore } from './credentials/credential-store'
import { redactingLog } from './credentials/redact'
import { UserFacingError, messageOf } from './errors'
import { loadModelSettings } from './settings/model-settings'
import { BigQueryReferralStore, referralVars } from './referrals/bigquery-referrals'
import { type SecretCipher, aesGcmCipher } from './credentials/secret-cipher'
import { killDbtChildren } from './dbt/dbt-children'
import { DbtEnvironment } from './dbt/dbt-environment-setup'
import { BigQueryDemoMode, demoBigQuerySettings } from './demo/bigquery-demo'
import { createDemoHandlers } from './api/demo-handlers'
import { DemoMode } from './demo/demo-mode'
import type { DbtRunResult, DbtRunner } from './dbt/dbt-runner'
import { OutsideChanges } from './serving/outside-changes'
import { ServedWarehouse } from './serving/served-warehouse'
import { ServingStore, servingDirectory } from './serving/serving-store'
import { type BigQuerySpendJob, JobRunner } from './services/jobs'
import { type CloseOutcome, SHUTDOWN_TIMEOUT_MS, closeWithin } from './shutdown'
import { loadSettings } from './settings/app-settings'
import { EmbeddedSink } from './stream/embedded-sink'
import { type RefreshCommand, RefreshLoop } from './stream/refresh-loop'
import { outboxFor } from './stream/outbox-sender'
import { Streamer } from './stream/streamer'
import { EmbeddedWarehouse } from './warehouse/embedded-warehouse'
import type { AttributionWarehouse } from './warehouse/warehouse'

/** The dbt run after streamed events land: incremental models rebuild only the users with new events; tests run with full builds. */
export const STREAM_REFRESH_COMMAND: RefreshCommand = { command: 'run' }

/** dbt's worker warms up once the views have read nothing for this long after their first answer ... */
const WARM_UP_QUIET_MS = 1_000
/** ... or this long after start, whatever the views do (a build or a refresh before then starts it at once). */
const WARM_UP_AT_MOST_MS = 10_000

/** Why BigQuery with a service-account key cannot be used: at start the key's load error, or the usual reason there is none. */
function missingKeyMessage(when: 'start' | 'save' | 'change', loaded: Result<unknown>): string {
  if (when === 'save')
    return 'BigQuery with a service-account key needs the key first: choose the key file, or use Application Default Credentials. Nothing was saved.'
  if (when === 'start' && !loaded.ok)
    return `BigQuery is chosen in Settings, but its service-account key could not be loaded: ${loaded.error}`
  const why = when === 'start' ? ' (a key kept for this session only is forgotten when the app quits)' : ''
  return `BigQuery is chosen in Settings, but no service-account key is available${why}.`
}

/** The main-process services, wired once, for the Electron app and the browser bridge alike. */
export interface AppServices {
  /** The embedded warehouse (file plus in-memory serving copy), whichever warehouse is active. */
  warehouse: ServedWarehouse
  jobs: JobRunner
  stream: Streamer
  refresh: RefreshLoop
  credentials: CredentialStore
  /** What other processes (the CLI) change in the warehouse file, noticed and reloaded. */
  outside: OutsideChanges
  /** The demo sandbox: where the views and streaming point while a presenter demos on a warehouse with imported data. */
  demo: DemoMode
  handlers: ApiHandlers
  /** Calls `listener` whenever the marts the views read hold new numbers; returns the function that stops it. */
  onMartsChanged(listener: (change: MartsChanged) => void): () => void
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
  /**
   * The browser bridge's import folder: `warehouse:importFiles` takes paths inside it. Absent (the
   * desktop app), it takes only the tokens of files picked in the open dialog.
   */
  importRoot?: string
  refreshDebounceMs?: number
  /** How often the warehouse file is looked at for changes by other processes (tests shorten it). */
  outsidePollMs?: number
  /** How long the refresh loop waits after a cancel before it refreshes what is still unmodelled (tests shorten it). */
  refreshCancelPauseMs?: number
  /** The dbt run after events land; benchmarks compare the incremental one with a full build. */
  refreshCommand?: RefreshCommand
  /** Tests only: a loopback BigQuery instead of Google. */
  bigQueryTransport?: BigQueryTransport
  /** Tests only: what stands for `dbt build` on BigQuery (the stand-in cannot run dbt). */
  bigQueryDbtBuild?: BigQueryDbtBuild
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
    warmUpDbt: () => void,
  ) {
    super(served, runDbt, warmUpDbt)
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
  const credentials = new CredentialStore({
    dir: dataDir,
    cipher: options.cipher ?? aesGcmCipher({ available: false }),
    log: options.host?.log,
  })
  // A key that cannot be loaded is no reason not to start: the reason is shown and BigQuery waits for a new key.
  const credentialsAtStart = await credentials.load()
  const log = redactingLog(
    (line) => options.host?.log?.(line),
    () => credentials.secrets(),
  )
  const deadLetters = new DeadLetterList()
  const settingsPath = join(dataDir, 'settings.json')
  // Chosen before anything runs dbt: Settings, else the repo's .venv, else the data-folder environment.
  const dbt = new DbtEnvironment({ dataDir, settingsPath, log })
  const dbtAtStart = await dbt.status()
  if (dbtAtStart.state === 'missing' && (options.autoSetUpDbt ?? process.versions.electron !== undefined))
    void dbt.setUp().catch((error: unknown) => log(`dbt: set-up failed: ${String(error)}`))

  const martsListeners = new Set<(change: MartsChanged) => void>()
  /** Tells every listener the marts changed: after each refresh of a serving copy, and each dbt build on BigQuery. */
  const martsChanged = (): void => {
    const change: MartsChanged = { changedAt: new Date().toISOString() }
    for (const listener of martsListeners) {
      // A listener that fails (a window closing) must not fail the refresh that called it.
      try {
        listener(change)
      } catch (error) {
        log(`marts:changed: a listener failed: ${messageOf(error)}`)
      }
    }
  }

  const embedded = new EmbeddedWarehouse(options.warehousePath)
  const warehouse = new ServedWarehouse(embedded, await ServingStore.create({ directory: servingDirectory(options.warehousePath) }))
  warehouse.serving.onSnapshot(martsChanged)
  // A CLI import, stream or build on this file shows in the app within seconds; raw events it left unmodelled get a refresh.
  const outside = new OutsideChanges(embedded, warehouse.serving, () => refresh.notify(), { pollMs: options.outsidePollMs })
  await warehouse.refresh()
  const refresh = new RefreshLoop(
    warehouse,
    options.refreshCommand ?? STREAM_REFRESH_COMMAND,
    options.refreshDebounceMs,
    options.refreshCancelPauseMs,
  )
  // Builds after a sample or an import run in the refresh loop's worker, warmed up below once the first views are answered, or as the sample or import starts.
  const jobs = new AppJobRunner(
    warehouse,
    dbt,
    (dbtOptions) => refresh.runInWorker(dbtOptions),
    () => void refresh.warmUp(),
  )
  const stream = new Streamer(new EmbeddedSink(warehouse, outboxFor(options.warehousePath), refresh))
  void stream.recover()
  // dbt's worker parses the project (seconds of both cores) once the dashboard's first views are
  // answered, not beside them: at 100M events their first answer took 1.85 s beside it, 0.82 s alone.
  void warehouse.serving.whenViewsAnswered(WARM_UP_QUIET_MS, WARM_UP_AT_MOST_MS).then(() => refresh.warmUp())
  outside.start()
  const demo = new DemoMode({
    real: warehouse,
    refreshCommand: options.refreshCommand ?? STREAM_REFRESH_COMMAND,
    refreshDebounceMs: options.refreshDebounceMs,
    refreshCancelPauseMs: options.refreshCancelPauseMs,
    log,
    outsideChangeId: () => outside.latest()?.id ?? null,
  })
  demo.onSnapshot(martsChanged)
  // Demo events go to the sandbox when it is shown, or when the real warehouse holds imported exports (it is entered first).
  const embeddedStream: StreamService = {
    burst: async (...args: Parameters<Streamer['burst']>) => {
      const target = await demo.streamTarget()
      return target ? target.stream.burst(...args) : stream.burst(...args)
    },
    start: async (ratePerSecond) => {
      const target = await demo.streamTarget()
      return target
        ? { ...target.stream.start(ratePerSecond), outsideChange: null, demo: demo.status() }
        : { ...stream.start(ratePerSecond), outsideChange: outside.latest(), demo: demo.status() }
    },
    stop: () => {
      const target = demo.active()
      return target ? demo.streamStatus(target) : { ...stream.stop(), outsideChange: outside.latest(), demo: demo.status() }
    },
    status: () => {
      const target = demo.active()
      return target ? demo.streamStatus(target) : { ...stream.status(), outsideChange: outside.latest(), demo: demo.status() }
    },
  }

  /** The real marts' reads, the demo marts' reads, the demo switch, the streamer (into the demo dataset only), the spend import and the connection's entry in the BigQuery referral store. */
  type ActiveBigQuery = {
    warehouse: BigQueryWarehouse
    reads: AttributionWarehouse
    demoReads: AttributionWarehouse
    demo: BigQueryDemoMode
    stream: Streamer
    /** The dbt build after streaming, and a re-model asked for by a change of the referral list. */
    refresh: BigQueryRefresh
    spend: BigQuerySpendJob
    referralKey: string
    /** dbt build of the real marts with the connection's vars. */
    buildReal: () => Promise<DbtRunResult>
  }
  const bigQueryReferrals = new BigQueryReferralStore(join(dataDir, 'bigquery-referrals.json'))
  let bigquery: ActiveBigQuery | undefined
  let costNotice: string | null = null
  /** Why the embedded warehouse is shown although Settings choose BigQuery (a key that could not be loaded). */
  let fallback: WarehouseFallback | null = null
  const readsOf = (bq: BigQueryWarehouse, isDemo: boolean, referralKey: string): AttributionWarehouse => ({
    kind: 'bigquery',
    report: (request) => bq.report(request),
    channelFlows: (filters, models) => bq.channelFlows(filters, models),
    dailyTrends: (filters, options) => bq.dailyTrends(filters, options),
    modelChannelCredits: (filters, by) => bq.modelChannelCredits(filters, by),
    markovTransitions: (filters) => bq.markovTransitions(filters),
    conversionTotals: (filters) => bq.conversionTotals(filters),
    conversionPaths: (filters, model, limit, options) => bq.conversionPaths(filters, model, limit, options),
    // The demo dataset's intraday rows are the streamer's: marked as demo wherever they show.
    recentEvents: async (limit) =>
      isDemo ? (await bq.recentEvents(limit)).map((event) => ({ ...event, is_demo: event.is_intraday })) : bq.recentEvents(limit),
    costCredits: (filters, by) => bq.costCredits(filters, by),
    dailyCost: (filters, models, channel) => bq.dailyCost(filters, models, channel),
    conversionEvents: () => bq.conversionEvents(),
    streams: () => bq.streams(),
    attributionModels: () => bq.attributionModels(),
    status: async () => ({ ...(await bq.status()), costNotice, referrals: await bigQueryReferrals.read(referralKey) }),
  })
  /** Readies the warehouse the settings choose without switching to it: a missing key is refused here, before anything changes. */
  const prepare = (settings: AppSettings, when: 'start' | 'save' | 'change'): Result<ActiveBigQuery | undefined> => {
    if (settings.warehouse !== 'bigquery') return { ok: true, value: undefined }
    const key = credentials.serviceAccountKey()
    if (settings.bigquery.credentialMode === 'service_account' && !key)
      return { ok: false, error: missingKeyMessage(when, credentialsAtStart) }
    let bq: BigQueryWarehouse
    let demoBq: BigQueryWarehouse
    try {
      const common = {
        credentials: settings.bigquery.credentialMode === 'adc' ? ({ mode: 'adc' } as const) : ({ mode: 'service_account', key } as const),
        transport: options.bigQueryTransport,
        // The dry run's estimate is shown in the header, so people see what a view costs before it grows.
        onCostlyQuery: (estimate: QueryEstimate) => {
          costNotice = `A dashboard query scans about ${estimate.text} (limit ${formatBytes(estimate.maximumBytesBilled)} per query).`
        },
      }
      bq = new BigQueryWarehouse({ settings: settings.bigquery, ...common })
      demoBq = new BigQueryWarehouse({ settings: demoBigQuerySettings(settings.bigquery), ...common })
    } catch (error) {
      return { ok: false, error: `BigQuery cannot be used with these settings: ${messageOf(error)}` }
    }
    const referralKey = BigQueryReferralStore.keyOf(settings.bigquery)
    // Every dbt run here passes the connection's unwanted referrals (demo marts included: the demo is a copy of this property).
    const dbtBuild =
      options.bigQueryDbtBuild ?? bigQueryDbtBuild(credentials, async () => referralVars(await bigQueryReferrals.read(referralKey)))
    const buildReal = async (): Promise<DbtRunResult> => {
      const result = await dbtBuild(settings.bigquery)
      if (result.success) bq.invalidateCache()
      return result
    }
    const demo = new BigQueryDemoMode({
      settings: settings.bigquery,
      client: bq.bigQuery(),
      build: async (demoSettings) => {
        const result = await dbtBuild(demoSettings)
        if (!result.success) throw new UserFacingError(`dbt could not build the demo marts: ${result.errors.join(' ').slice(0, 400)}`)
        demoBq.invalidateCache()
        martsChanged()
      },
      log,
    })
    void demo.lookForKept()
    const sink = new BigQuerySink(demoBq, settings.bigquery, dbtBuild, deadLetters, log)
    sink.refresh.onRefreshed(martsChanged)
    // Spend goes to the real marts (never the demo's), and rebuilds them.
    const spend: BigQuerySpendJob = {
      load: (paths, mapping) => importSpendToBigQuery(bq.spendTarget(), paths, mapping ? { mapping } : {}),
      build: async (select, onProgress) => {
        const result = await buildOnBigQuery(settings.bigquery, credentials, { select, onProgress })
        bq.invalidateCache()
        if (result.success) martsChanged()
        return result
      },
    }
    return {
      ok: true,
      value: {
        warehouse: bq,
        reads: readsOf(bq, false, referralKey),
        demoReads: readsOf(demoBq, true, referralKey),
        demo,
        stream: new Streamer(sink),
        refresh: sink.refresh,
        spend,
        referralKey,
        buildReal,
      },
    }
  }
  /** On BigQuery: the connection's list in the app's data folder, passed to every dbt run there; no suggestions (they read the embedded marts). */
  const bigQueryReferralService = (active: ActiveBigQuery): ReferralService => ({
    settings: () => bigQueryReferrals.read(active.referralKey),
    candidates: async () => [],
    save: async (settings) => {
      const saved = await bigQueryReferrals.write(active.referralKey, settings)
      active.refresh.remodel(active.buildReal, active.demo.active() !== undefined)
      return saved
    },
  })
  const switchTo = (next: ActiveBigQuery | undefined): void => {
    bigquery?.stream.close()
    bigquery = next
    costNotice = null
    fallback = null
  }
  /** Switches to what the settings choose; what cannot be used leaves the embedded warehouse, with the reason, never a failed start. */
  const activate = (settings: AppSettings, when: 'start' | 'change'): void => {
    const prepared = prepare(settings, when)
    if (prepared.ok) return switchTo(prepared.value)
    switchTo(undefined)
    fallback = {
      message: `${prepared.error} The embedded warehouse is shown meanwhile.`,
      action: settings.bigquery.credentialMode === 'service_account' ? 'choose-key' : 'open-settings',
    }
    log(`BigQuery is not used: ${prepared.error}`)
  }
  activate((await loadSettings(settingsPath)).settings, 'start')

  /** "Stream events" on BigQuery: into the demo dataset, made (and shown) on the first burst; the export is never written. */
  const bigQueryStream = (active: ActiveBigQuery): StreamService => ({
    burst: async (...args: Parameters<Streamer['burst']>) => {
      if (!active.demo.active()) log(`Streaming demo events into ${active.demo.describeTarget()}`)
      await active.demo.enter()
      return active.stream.burst(...args)
    },
    start: async (ratePerSecond) => {
      await active.demo.enter()
      return { ...active.stream.start(ratePerSecond), demo: active.demo.status() }
    },
    stop: () => ({ ...active.stream.stop(), demo: active.demo.status() }),
    status: () => ({ ...active.stream.status(), demo: active.demo.status() }),
  })

  const core = createApiHandlers({
    warehouse: (): AttributionWarehouse =>
      bigquery ? (bigquery.demo.active() ? bigquery.demoReads : bigquery.reads) : (demo.active()?.warehouse ?? warehouse),
    jobs,
    stream: (): StreamService => (bigquery ? bigQueryStream(bigquery) : embeddedStream),
    refresh: () => (bigquery ? { cancel: () => undefined } : (demo.active()?.refresh ?? refresh)),
    // An import or a sample is for the real warehouse: the views go back to it first.
    beforeWarehouseJob: () => void demo.leave(),
    dbt,
    modelSettings: () =>
      bigquery
        ? undefined
        : {
            settings: async () => {
              const loaded = await loadModelSettings(embedded.path)
              if (!loaded.ok) throw new UserFacingError(loaded.error)
              return loaded.value
            },
            lastBuild: () => embedded.stitchingQuality(),
            save: (change) => jobs.saveModelSettings(change),
          },
    referrals: () =>
      bigquery
        ? bigQueryReferralService(bigquery)
        : {
            settings: () => embedded.referralSettings(),
            candidates: () => embedded.referralCandidates(),
            save: (settings) => jobs.saveReferrals(settings),
          },
    bigQuerySpend: () => bigquery?.spend,
    warehouseFallback: () => fallback,
    importFolder: options.importRoot === undefined ? undefined : new ImportFolder(options.importRoot),
    ...options.host,
    log,
  })
  const settingsHandlers = createSettingsHandlers({
    settingsPath,
    credentials,
    deadLetters,
    chooseKeyFile: options.chooseKeyFile,
    onChanged: (settings) => activate(settings, 'change'),
    prepare: (settings) => {
      const prepared = prepare(settings, 'save')
      return prepared.ok ? { ok: true, value: () => switchTo(prepared.value) } : prepared
    },
    log,
    transport: options.bigQueryTransport,
  })
  const demoHandlers = createDemoHandlers(() => bigquery?.demo ?? demo)
  const close = async (): Promise<void> => {
    dbt.close()
    await demo.close()
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
    demo,
    dbt,
    handlers: { ...core, ...settingsHandlers, ...demoHandlers },
    onMartsChanged: (listener) => {
      martsListeners.add(listener)
      return () => martsListeners.delete(listener)
    },
    close,
    shutdown: (timeoutMs = SHUTDOWN_TIMEOUT_MS) => {
      dbt.close()
      bigquery?.stream.close()
      stream.stop()
      demo.active()?.stream.stop()
      refresh.close()
      killDbtChildren()
      return closeWithin(close, timeoutMs, log)
    },
  }
}
