import { type Result, listAttributionModels } from '../../shared/attribution'
import type { ApiChannel, ApiResponse, DbtSetupStatus, JobProgress, WarehouseFallback, WarehouseStatus } from '../../shared/api'
import type { SettingsChannels } from '../../shared/settings-api'
import { UserFacingError, messageOf } from '../errors'
import type { DbtEnvironment } from '../dbt/dbt-environment-setup'
import { attributionReport, compareModels, conversionPaths, modelComparison, modelTrends } from '../services/model-reports'
import type { JobRunner } from '../services/jobs'
import type { LiveStream } from '../stream/live-stream'

/** What "Stream events" needs from a warehouse's streamer (embedded or BigQuery). */
export type StreamService = Pick<LiveStream, 'burst' | 'start' | 'stop' | 'status'>
import type { RefreshLoop } from '../stream/refresh-loop'
import type { AttributionWarehouse } from '../warehouse/warehouse'
import {
  validateBreakdownRequest,
  validateCompareRequest,
  validateDashboardFilters,
  validateEmptyRequest,
  validateExternalUrl,
  validateFeedRequest,
  validateBurstRequest,
  validateImportRequest,
  validatePathsRequest,
  validateStreamStartRequest,
  validateTrendsRequest,
} from './validate-requests'

/** One handler per channel: untrusted input in, a Result out, never a throw. */
export type ApiHandlers = { [C in ApiChannel]: (input: unknown) => Promise<ApiResponse<C>> }

/** The handlers built here; the settings channels come from createSettingsHandlers. */
export type CoreApiHandlers = Omit<ApiHandlers, keyof SettingsChannels>

/** What the handlers need from the host: Electron provides dialogs and the OS browser, the bridge does not. */
export interface HandlerHost {
  warehouse: () => AttributionWarehouse
  jobs: JobRunner
  /** The active warehouse's streamer, and the dbt refresh that follows it. */
  stream: () => StreamService
  refresh: () => Pick<RefreshLoop, 'cancel'>
  /** Lets the person pick GA4 export files; undefined where there is no file dialog (the browser bridge). */
  chooseImportFiles?: () => Promise<string[] | null>
  openExternal?: (url: string) => Promise<void>
  /** The app's dbt and its first-run set-up; undefined where the host has none (the dbt channels then say so). */
  dbt?: Pick<DbtEnvironment, 'status' | 'setUp' | 'useExecutable'>
  /** Why the embedded warehouse is shown although Settings choose BigQuery; null or absent when it is not. */
  warehouseFallback?: () => WarehouseFallback | null
  log?: (message: string) => void
}

/** Checks a `dbt:useExecutable` request: a path, or null to forget the named dbt (the path itself is checked by running it). */
function validateUseExecutableRequest(input: unknown): Result<{ path: string | null }> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, error: 'The request must be an object.' }
  const { path } = input as Record<string, unknown>
  if (path !== null && typeof path !== 'string') return { ok: false, error: 'path must be the dbt executable\'s path, or null.' }
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
  return {
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
    'attribution:models': (input) => validated(validateEmptyRequest(input), () => guard(async () => listAttributionModels())),
    'attribution:compare': (input) => validated(validateCompareRequest(input), (request) => guard(() => compareModels(host.warehouse(), request))),
    'attribution:modelComparison': (input) =>
      validated(validateDashboardFilters(input), (filters) => guard(() => modelComparison(host.warehouse(), filters))),
    'attribution:paths': (input) => validated(validatePathsRequest(input), (request) => guard(() => conversionPaths(host.warehouse(), request))),
    'attribution:trends': (input) => validated(validateTrendsRequest(input), (request) => guard(() => modelTrends(host.warehouse(), request))),
    'attribution:breakdown': (input) =>
      validated(validateBreakdownRequest(input), (request) => guard(() => attributionReport(host.warehouse(), request))),
    'events:recent': (input) => validated(validateFeedRequest(input), ({ limit }) => guard(() => host.warehouse().recentEvents(limit))),
    'warehouse:status': (input) => validated(validateEmptyRequest(input), () => guard(() => withFallback(host.warehouse().status()))),
    'warehouse:generateSample': (input) => validated(validateEmptyRequest(input), () => guard(() => withFallback(host.jobs.generateSample()))),
    'warehouse:importFiles': (input) => validated(validateImportRequest(input), ({ paths }) => guard(() => withFallback(host.jobs.importFiles(paths)))),
    'warehouse:chooseAndImport': (input) =>
      validated(validateEmptyRequest(input), () =>
        guard(async (): Promise<WarehouseStatus | null> => {
          if (!host.chooseImportFiles) {
            throw new UserFacingError('The browser preview cannot open files: run `npx attribution import FILE...` in a terminal instead.')
          }
          const paths = await host.chooseImportFiles()
          return paths && paths.length > 0 ? withFallback(host.jobs.importFiles(paths)) : null
        }),
      ),
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
