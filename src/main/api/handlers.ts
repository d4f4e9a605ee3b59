import {
  type ConversionEvent,
  type Result,
  absentConversionEventsProblem,
  conversionEventsProblem,
  unknownStreamMessage,
} from '@shared/attribution'
import type {
  ApiChannel,
  ApiResponse,
  ChosenFile,
  DbtSetupStatus,
  JobProgress,
  ModelSettingsChoice,
  ModelSettingsView,
  StitchingQuality,
  StreamStatus,
  WarehouseFallback,
  WarehouseStatus,
} from '@shared/api'
import type { DemoChannels } from '@shared/demo-api'
import type { SettingsChannels } from '@shared/settings-api'
import { type ReferralCandidate, type ReferralSettings, type ReferralSettingsView, validateReferralSettings } from '@shared/referrals'
import { UserFacingError, messageOf, withoutQuotedValues } from '../errors'
import type { DbtEnvironment } from '../dbt/dbt-environment-setup'
import {
  attributionReport,
  compareModels,
  conversionPaths,
  modelComparison,
  modelTrends,
  periodComparison,
} from '../services/model-reports'
import { validateCostReturnRequest } from '@shared/cost-return'
import { costAndReturn } from '../services/cost-return'
import { attributionModelRegistry } from '../services/model-registry'
import type { BigQuerySpendJob, JobRunner } from '../services/jobs'
import type { Streamer } from '../stream/streamer'

/** What "Stream events" needs from a warehouse's streamer (embedded or BigQuery); starting may first make the demo sandbox. */
export type StreamService = Pick<Streamer, 'burst' | 'stop' | 'status'> & {
  start(ratePerSecond: number): StreamStatus | Promise<StreamStatus>
}
import type { RefreshLoop } from '../stream/refresh-loop'
import type { AttributionWarehouse } from '../warehouse/warehouse'
import { type ImportAccess, PickedFiles } from './import-access'
import {
  validateBreakdownRequest,
  validateCompareRequest,
  validateEmptyRequest,
  validateExternalUrl,
  validateFeedRequest,
  validateBurstRequest,
  validateImportRequest,
  validateModelComparisonRequest,
  validateModelEventsRequest,
  validateModelSettingsRequest,
  validatePathsRequest,
  validateSpendImportRequest,
  validatePeriodComparisonRequest,
  validateStreamStartRequest,
  validateTrendsRequest,
} from './validate-requests'

/** One handler per channel: untrusted input in, a Result out, never a throw. */
export type ApiHandlers = { [C in ApiChannel]: (input: unknown) => Promise<ApiResponse<C>> }

/** The handlers built here; the settings channels come from createSettingsHandlers. */
export type CoreApiHandlers = Omit<ApiHandlers, keyof SettingsChannels | keyof DemoChannels>

/** What the handlers need from the host: Electron provides dialogs and the OS browser, the bridge does not. */
export interface HandlerHost {
  warehouse: () => AttributionWarehouse
  jobs: JobRunner
  /** The active warehouse's streamer, and the dbt refresh that follows it. */
  stream: () => StreamService
  refresh: () => Pick<RefreshLoop, 'cancel'>
  /** Lets the person pick GA4 export files; undefined where there is no file dialog (the browser bridge). */
  chooseImportFiles?: () => Promise<string[] | null>
  /** The browser bridge's folder whose files may be named by path; absent, only tokens of the open dialog are imported. */
  importFolder?: ImportAccess
  openExternal?: (url: string) => Promise<void>
  /** The app's dbt and its first-run set-up; undefined where the host has none (the dbt channels then say so). */
  dbt?: Pick<DbtEnvironment, 'status' | 'setUp' | 'useExecutable'>
  /** The embedded warehouse's model settings; undefined while BigQuery is shown. */
  modelSettings?: () => ModelSettingsService | undefined
  /** The embedded warehouse's unwanted referrals; undefined while BigQuery is shown (they are then dbt vars). */
  referrals?: () => ReferralService | undefined
  /** While BigQuery is shown: where a spend import goes instead of the embedded warehouse. */
  bigQuerySpend?: () => BigQuerySpendJob | undefined
  /** Why the embedded warehouse is shown although Settings choose BigQuery; null or absent when it is not. */
  warehouseFallback?: () => WarehouseFallback | null
  /** Called before an import or a sample generation: they are for the real warehouse, not the demo sandbox. */
  beforeWarehouseJob?: () => void
  log?: (message: string) => void
}

/** What the model-settings channels need: the embedded warehouse's settings file, its last build's stitching, and the job that re-models. */
export interface ModelSettingsService {
  settings: () => Promise<ModelSettingsChoice>
  lastBuild: () => Promise<StitchingQuality | null>
  save: (change: ModelSettingsChoice) => Promise<ModelSettingsChoice>
}

/** What the referral channels need: the embedded warehouse's store and the job that re-models. */
export interface ReferralService {
  settings: () => Promise<ReferralSettings>
  candidates: () => Promise<ReferralCandidate[]>
  save: (settings: ReferralSettings) => Promise<ReferralSettings>
}

/** Checks a `dbt:useExecutable` request: a path, or null to forget the named dbt (the path itself is checked by running it). */
function validateUseExecutableRequest(input: unknown): Result<{ path: string | null }> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, error: 'The request must be an object.' }
  const { path } = input as Record<string, unknown>
  if (path !== null && typeof path !== 'string') return { ok: false, error: "path must be the dbt executable's path, or null." }
  return { ok: true, value: { path } }
}

/** Builds every channel's handler over the host's services. */
export function createApiHandlers(host: HandlerHost): CoreApiHandlers {
  const guard = <T>(work: () => Promise<T>): Promise<Result<T>> => settle(work, host.log)
  const dbt = () => {
    if (!host.dbt) throw new UserFacingError('This host cannot set up dbt: run `npm install` (it creates the Python virtualenv with dbt).')
    return host.dbt
  }
  // Every answer that carries a status also says why BigQuery is not in use, so the notice never flickers away.
  const withFallback = async (status: Promise<WarehouseStatus>): Promise<WarehouseStatus> => {
    const answered = await status
    const fallback = host.warehouseFallback?.() ?? null
    return fallback ? { ...answered, fallback } : answered
  }
  // The open dialog's picks, by token: the only files the desktop app's renderer can name.
  const picked = new PickedFiles()
  const importAccess: ImportAccess = host.importFolder ?? picked
  /** Imports files named by the host, and fails without quoting what they hold (their paths stay). */
  const importAndBuild = async (paths: string[]): Promise<Result<WarehouseStatus>> => {
    host.beforeWarehouseJob?.()
    const result = await guard(() => withFallback(host.jobs.importFiles(paths)))
    return result.ok ? result : { ok: false, error: withoutQuotedValues(result.error, paths) }
  }
  /** Refuses a view of events that do not occur or are not modelled yet (the picker models them first). */
  const checkEvents = async (events: readonly ConversionEvent[]): Promise<void> => {
    const known = await host.warehouse().conversionEvents()
    // Nothing modelled: the marts are not built, which the view's own query says in its words.
    if (!known.some((info) => info.modelled)) return
    const problem = conversionEventsProblem(
      events,
      known,
      (missing) => `choose ${missing.join(', ')} under Conversions to model ${missing.length === 1 ? 'it' : 'them'}`,
    )
    if (problem) throw new UserFacingError(problem)
  }
  /** Refuses a stream the modelled events do not hold, naming those they do (the CLI's `--stream` says the same). */
  const checkStream = async (streamId: string | undefined): Promise<void> => {
    if (streamId === undefined) return
    const streams = await host.warehouse().streams()
    if (streams.length === 0 || streams.some((stream) => stream.streamId === streamId)) return
    throw new UserFacingError(unknownStreamMessage(streamId, streams))
  }
  /** A view's answer after checking its events and stream (see checkEvents, checkStream). */
  const view = <T>(events: readonly ConversionEvent[], work: () => Promise<T>, streamId?: string): Promise<Result<T>> =>
    guard(async () => {
      await Promise.all([checkEvents(events), checkStream(streamId)])
      return work()
    })
  const noDialog = (): never => {
    throw new UserFacingError('The browser preview cannot open files: run `npx attribution import FILE...` in a terminal instead.')
  }
  const referrals = (): ReferralService => {
    const service = host.referrals?.()
    if (!service) throw new UserFacingError('This host keeps no unwanted-referral list.')
    return service
  }
  const modelSettings = (): ModelSettingsService => {
    const service = host.modelSettings?.()
    if (!service)
      throw new UserFacingError(
        'User-id stitching is a setting of the embedded warehouse; on BigQuery pass the dbt var user_id_stitching (docs/runbook.md).',
      )
    return service
  }
  const modelSettingsView = async (settings?: ModelSettingsChoice): Promise<ModelSettingsView> => ({
    settings: settings ?? (await modelSettings().settings()),
    lastBuild: await modelSettings().lastBuild(),
  })
  const referralView = async (settings?: ReferralSettings): Promise<ReferralSettingsView> => ({
    settings: settings ?? (await referrals().settings()),
    candidates: await referrals().candidates(),
  })
  return {
    'modelling:getSettings': (input) => validated(validateEmptyRequest(input), () => guard(() => modelSettingsView())),
    'modelling:saveSettings': (input) =>
      validated(validateModelSettingsRequest(input), (change) => guard(async () => modelSettingsView(await modelSettings().save(change)))),
    'referrals:get': (input) => validated(validateEmptyRequest(input), () => guard(() => referralView())),
    'referrals:save': (input) =>
      validated(validateReferralSettings(input), (settings) => guard(async () => referralView(await referrals().save(settings)))),
    'dbt:status': (input) => validated(validateEmptyRequest(input), () => guard(() => dbt().status())),
    'dbt:setup': (input) =>
      validated(validateEmptyRequest(input), () =>
        guard(async (): Promise<DbtSetupStatus> => {
          const status = await dbt().setUp()
          if (status.state === 'failed' && status.error) throw new UserFacingError(status.error)
          return status
        }),
      ),
    'dbt:useExecutable': (input) =>
      validated(validateUseExecutableRequest(input), ({ path }) =>
        guard(async () => {
          const used = await dbt().useExecutable(path)
          if (!used.ok) throw new UserFacingError(used.error)
          return used.value
        }),
      ),
    'attribution:models': (input) => validated(validateEmptyRequest(input), () => guard(() => attributionModelRegistry(host.warehouse()))),
    'attribution:compare': (input) =>
      validated(validateCompareRequest(input), (request) =>
        view(request.conversionEvents, () => compareModels(host.warehouse(), request), request.streamId),
      ),
    'attribution:modelComparison': (input) =>
      validated(validateModelComparisonRequest(input), (request) =>
        view(request.conversionEvents, () => modelComparison(host.warehouse(), request), request.streamId),
      ),
    'attribution:periodComparison': (input) =>
      validated(validatePeriodComparisonRequest(input), (request) =>
        view(request.conversionEvents, () => periodComparison(host.warehouse(), request), request.streamId),
      ),
    'attribution:paths': (input) =>
      validated(validatePathsRequest(input), (request) =>
        view(request.conversionEvents, () => conversionPaths(host.warehouse(), request), request.streamId),
      ),
    'attribution:trends': (input) =>
      validated(validateTrendsRequest(input), (request) =>
        view(request.conversionEvents, () => modelTrends(host.warehouse(), request), request.streamId),
      ),
    'attribution:breakdown': (input) =>
      validated(validateBreakdownRequest(input), (request) =>
        view(request.conversionEvents, () => attributionReport(host.warehouse(), request), request.streamId),
      ),
    'cost:report': (input) =>
      validated(validateCostReturnRequest(input), (request) =>
        view(request.conversionEvents, () => costAndReturn(host.warehouse(), request)),
      ),
    'cost:importSpend': (input) =>
      validated(validateSpendImportRequest(input), async ({ files, mapping }) => {
        const paths = await importAccess.resolve(files)
        if (!paths.ok) return paths
        const result = await guard(() => host.jobs.importSpend(paths.value, mapping, host.bigQuerySpend?.()))
        return result.ok ? result : { ok: false, error: withoutQuotedValues(result.error, paths.value) }
      }),
    'attribution:streams': (input) => validated(validateEmptyRequest(input), () => guard(() => host.warehouse().streams())),
    'attribution:conversionEvents': (input) =>
      validated(validateEmptyRequest(input), () => guard(() => host.warehouse().conversionEvents())),
    'attribution:modelEvents': (input) =>
      validated(validateModelEventsRequest(input), ({ events }) =>
        guard(async () => {
          const warehouse = host.warehouse()
          if (warehouse.kind === 'bigquery') {
            throw new UserFacingError(
              `On BigQuery, model ${events.join(', ')} with dbt: --vars '{conversion_events: [${events.join(', ')}]}' (docs/runbook.md).`,
            )
          }
          const absent = absentConversionEventsProblem(events, await warehouse.conversionEvents())
          if (absent) throw new UserFacingError(absent)
          await host.jobs.modelEvents(events)
          return host.warehouse().conversionEvents()
        }),
      ),
    'events:recent': (input) =>
      validated(validateFeedRequest(input), ({ limit }) =>
        guard(async () => {
          const warehouse = host.warehouse()
          const events = await warehouse.recentEvents(limit)
          // Every streamed or intraday row of the embedded warehouse was made up by "Stream events": marked so wherever it shows.
          return warehouse.kind === 'embedded'
            ? events.map((event) => ({ ...event, is_demo: event.delivery !== null || event.is_intraday }))
            : events
        }),
      ),
    'warehouse:status': (input) => validated(validateEmptyRequest(input), () => guard(() => withFallback(host.warehouse().status()))),
    'warehouse:generateSample': (input) =>
      validated(validateEmptyRequest(input), () =>
        guard(() => {
          host.beforeWarehouseJob?.()
          return withFallback(host.jobs.generateSample())
        }),
      ),
    'warehouse:importFiles': (input) =>
      validated(validateImportRequest(input), async ({ files }) => {
        const paths = await importAccess.resolve(files)
        return paths.ok ? importAndBuild(paths.value) : paths
      }),
    'warehouse:chooseFiles': (input) =>
      validated(validateEmptyRequest(input), () =>
        guard(async (): Promise<ChosenFile[] | null> => {
          const paths = await (host.chooseImportFiles ?? noDialog)()
          return paths && paths.length > 0 ? picked.grant(paths) : null
        }),
      ),
    'warehouse:chooseAndImport': (input) =>
      validated(validateEmptyRequest(input), async (): Promise<Result<WarehouseStatus | null>> => {
        const chosen = await guard(async () => (host.chooseImportFiles ?? noDialog)())
        if (!chosen.ok) return chosen
        return chosen.value && chosen.value.length > 0 ? importAndBuild(chosen.value) : { ok: true, value: null }
      }),
    'stream:burst': (input) => validated(validateBurstRequest(input), ({ count, mode }) => guard(() => host.stream().burst(count, mode))),
    'stream:start': (input) =>
      validated(validateStreamStartRequest(input), ({ ratePerSecond }) => guard(async () => host.stream().start(ratePerSecond))),
    'stream:stop': (input) => validated(validateEmptyRequest(input), () => guard(async () => host.stream().stop())),
    'stream:status': (input) => validated(validateEmptyRequest(input), () => guard(async () => host.stream().status())),
    'refresh:cancel': (input) =>
      validated(validateEmptyRequest(input), () =>
        guard(async () => {
          host.refresh().cancel()
          return host.stream().status()
        }),
      ),
    'shell:openExternal': (input) =>
      validated(validateExternalUrl(input), ({ url }) =>
        guard(async () => {
          if (!host.openExternal) throw new UserFacingError('Links open from the desktop app only.')
          await host.openExternal(url)
          return null
        }),
      ),
  }
}

async function validated<I, T>(input: Result<I>, run: (value: I) => Promise<Result<T>>): Promise<Result<T>> {
  return input.ok ? run(input.value) : { ok: false, error: input.error }
}

/** Turns a throw into an error Result; only person-readable messages are passed on as they are. */
async function settle<T>(work: () => Promise<T>, log?: (message: string) => void): Promise<Result<T>> {
  try {
    return { ok: true, value: await work() }
  } catch (error) {
    if (error instanceof UserFacingError) return { ok: false, error: error.message }
    log?.(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    return { ok: false, error: `Something went wrong: ${messageOf(error)}` }
  }
}

export type { JobProgress }
