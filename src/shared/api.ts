/**
 * The one contract between the renderer and the main process. Channels are `domain:verb`; the main
 * process binds a handler per channel, the preload exposes one method per channel, and the browser
 * bridge serves the same channels over HTTP. Every handler answers with a Result, never a throw.
 */
import type {
  AttributionModel,
  AttributionModelInfo,
  ConversionEvent,
  ConversionEventInfo,
  ReportGrouping,
  ReportRequest,
  ReportResult,
  Result,
} from './attribution'
import type { CostReturnRequest, CostReturnResult } from './cost-return'
import { DEMO_CHANNEL_KEYS, type DemoChannels, type DemoStatus } from './demo-api'
import type { ReferralSettings, ReferralSettingsView } from './referrals'
import { SETTINGS_CHANNEL_KEYS, type SettingsChannels } from './settings-api'
import type { ImportedSpendFile, SpendImportRequest } from './spend'

export type { DemoSandboxInfo, DemoStatus } from './demo-api'

/** Settings every dashboard view shares. */
export interface DashboardFilters {
  lookbackDays: number
  conversionEvents: ConversionEvent[]
  /** Inclusive conversion-date range `YYYY-MM-DD`; absent means all data. */
  fromDate?: string
  toDate?: string
  /** Only conversions (and journeys) of this GA4 stream; absent means every stream. */
  streamId?: string
}

/** The two models a comparison puts side by side: `a` on the left of the flow chart, `b` on the right. */
/** One GA4 stream of the modelled events, for the header's stream picker and the CLI's `--stream`. */
export interface StreamInfo {
  streamId: string
  /** WEB, IOS or ANDROID, as the export writes it. */
  platform: string
  /** Events of the stream the models have read. */
  events: number
}

/** How the models read the warehouse's data; one file beside the warehouse, the CLI's `settings` reads and writes the same. */
export interface ModelSettingsChoice {
  /** Joins a signed-in person's devices into one journey by user_id. */
  userIdStitching: boolean
}

/** What the last build did with user ids (rpt_data_quality). */
export interface StitchingQuality {
  isUserIdStitchingOn: boolean
  /** Devices (user_pseudo_id per stream) joined to a signed-in person. */
  stitchedDevices: number
  /** The persons they were joined to. */
  stitchedUsers: number
}

/** `modelling:getSettings` answer: the stored choice, and what the shown numbers were built with (null before a build). */
export interface ModelSettingsView {
  settings: ModelSettingsChoice
  lastBuild: StitchingQuality | null
}

export interface CompareRequest extends DashboardFilters {
  models: [AttributionModel, AttributionModel]
}

/** One channel under both compared models. */
export interface ComparisonRow {
  channel: string
  a_conversions: number
  a_revenue_usd: string
  b_conversions: number
  b_revenue_usd: string
}

/**
 * Credit that model `a` gives `a_channel` and model `b` gives `b_channel`, summed over conversions. For
 * fractional models a conversion's share is credit_a × credit_b, so the flows still add up to its one conversion.
 */
export interface ChannelFlow {
  a_channel: string
  b_channel: string
  conversions: number
  revenue_usd: string
}

/** Two models compared. */
export interface ComparisonResult {
  models: [AttributionModel, AttributionModel]
  rows: ComparisonRow[]
  /** Every (a, b) channel pair with its credit, including pairs where both are the same; empty when `flows_available` is false. */
  flows: ChannelFlow[]
  /** False when a model credits channels only in total (data_driven): there is no conversion-by-conversion flow. */
  flows_available: boolean
  totals: { conversions: number; revenue_usd: string }
  /** Credit the two models give to different channels, and its share of all conversions (0..1). */
  moved_conversions: number
  moved_share: number
}

/** What the model comparison asks for: the filters and the dimension its rows are (channel when absent). */
export interface ModelComparisonRequest extends DashboardFilters {
  by?: ReportGrouping
}

/** Every model per value of the dimension, for the model comparison table. */
export interface ModelComparisonResult {
  /** The models answered: data_driven only by channel (it credits channels, not sources or campaigns). */
  models: AttributionModel[]
  by: ReportGrouping
  /** `channel` holds the dimension's value: a channel, a "source / medium", a source, a medium or a campaign. */
  rows: Array<{ channel: string; cells: Record<AttributionModel, { conversions: number; revenue_usd: string }> }>
  totals: { conversions: number; revenue_usd: string }
}

/** Columns the paths can be sorted by; `touches` (a path's length) and `days` are the averages over its conversions. */
export const PATH_SORT_COLUMNS = ['path', 'conversions', 'revenue', 'touches', 'days'] as const
export type PathSortColumn = (typeof PATH_SORT_COLUMNS)[number]

/** How the paths are ordered; ties go to more conversions, then more revenue, then the path's text. */
export interface PathSort {
  column: PathSortColumn
  direction: 'asc' | 'desc'
}

/** Which paths are listed; values match a path's elements whole and ignore case. */
export interface PathFilter {
  /** Paths with this value anywhere, first, or last. */
  contains?: string
  startsWith?: string
  endsWith?: string
  /** Touches on the path, inclusive. */
  minLength?: number
  maxLength?: number
}

/** What the conversion paths view asks for. */
export interface PathsRequest extends DashboardFilters {
  /** The model whose credit is split into early, middle and late touches. */
  model: AttributionModel
  /** Paths on the page, and how many matching paths come before it. */
  limit: number
  offset?: number
  /** What a path's steps are: channels by default, or sources, mediums, "source / medium"s or campaigns. */
  by?: ReportGrouping
  /** Most conversions first when absent. */
  sort?: PathSort
  filter?: PathFilter
}

/** One channel path: the channels of the sessions in the window, oldest first, as they led to conversions. */
export interface ConversionPath {
  /** Empty for conversions with no session in the window (credited to Unassigned). */
  channels: string[]
  conversions: number
  revenue_usd: string
  /** Averages over the path's conversions: sessions in the window, and days from the first of them to the conversion. */
  avg_touches: number
  avg_days_to_conversion: number
  /**
   * Shares (0..1, summing to 1) of the path's credit under the model given to the first touch (early), the
   * touches between (middle) and the last touch (late); a one-session path is all late. Null for data_driven.
   */
  credit: { early: number; middle: number; late: number } | null
}

/** One page of conversion paths. */
export interface PathsResult {
  model: AttributionModel
  by: ReportGrouping
  /** The page: paths `offset + 1` to `offset + paths.length` of the matching ones in the asked order. */
  paths: ConversionPath[]
  offset: number
  /** Distinct paths in all, and the conversions and revenue of those not listed. */
  total_paths: number
  other: { conversions: number; revenue_usd: string }
  totals: { conversions: number; revenue_usd: string }
  /** The paths the filter lets through (all when there is no filter), and what they hold. */
  matching: { paths: number; conversions: number; revenue_usd: string }
}

/** What the previous-period comparison asks for: a view's filters and, optionally, the period to compare with. */
export interface PeriodComparisonRequest extends DashboardFilters {
  /** Both or neither: the earlier period; absent, the same number of days just before the current one. */
  compareFromDate?: string
  compareToDate?: string
}

/** Conversions and revenue of one inclusive date range. */
export interface PeriodTotals {
  from_date: string
  to_date: string
  conversions: number
  revenue_usd: string
}

/** A view's conversions and revenue against an earlier period; null periods when there is no data at all. */
export interface PeriodComparisonResult {
  current: PeriodTotals | null
  previous: PeriodTotals | null
  /** (current − previous) ÷ previous: 0.25 is +25%; null when the previous period has none. */
  conversions_change: number | null
  revenue_change: number | null
}

/** One day of one model, optionally of one channel. */
export interface TrendPoint {
  date: string
  model: AttributionModel
  channel?: string
  conversions: number
  revenue_usd: string
}

/** Conversions per day for the last `days` days of data, or of the filters' date range when set. */
export interface TrendsResult {
  /** Inclusive range the points cover: ends at `toDate` (else the newest conversion date), starts no earlier than `fromDate`. */
  from_date: string
  to_date: string
  points: TrendPoint[]
}

/** What the trends view asks for. */
export interface TrendsRequest extends DashboardFilters {
  /** The models drawn (one or two); "by model" shows the second minus the first. */
  models: AttributionModel[]
  /** Most days shown, counted back from the end of the range; `fromDate`, when later, starts the window. */
  days: number
  byChannel: boolean
}

/** What the channels view asks for: a breakdown, optionally inside one channel. */
export interface BreakdownRequest extends DashboardFilters {
  model: AttributionModel
  by: ReportRequest['by']
  channel?: string
}

/** One event of the live feed. */
export interface FeedEvent {
  event_key: string
  event_at: string
  event_name: string
  user_pseudo_id: string | null
  source: string | null
  medium: string | null
  value_usd: string | null
  is_intraday: boolean
  /** For streamed events: stored now (`new`), or a repeat of an event id already stored (`duplicate`). */
  delivery: 'new' | 'duplicate' | null
  /** Made up by "Stream events" (streamed, or in events_intraday of the embedded warehouse), never a real visitor's. */
  is_demo?: boolean
  /** For conversions, once the models have been refreshed: the channel each model credits. */
  first_click_channel: string | null
  last_click_channel: string | null
}

/**
 * How a burst is made: `realistic` is the live mix as it comes; `demo` adds a returning visitor who
 * converts through another channel than the one that first brought them, so first and last click differ.
 */
export type StreamBurstMode = 'realistic' | 'demo'

/** Every StreamBurstMode, for validating requests. */
export const STREAM_BURST_MODES: readonly StreamBurstMode[] = ['realistic', 'demo']

/** One burst of "Stream events": `count` live events; `mode` defaults to `realistic`. */
export interface StreamBurstRequest {
  count: number
  mode?: StreamBurstMode
}

/** What one burst of streamed events did. */
export interface StreamBurstResult {
  queued: number
  added: number
  duplicates: number
  rejected: number
  /** Events of the previous burst sent again (a flaky tag's retry), counted in `queued` on top of the burst's size. */
  replayed?: number
  /** Events of a demo burst's returning visitor (an earlier visit and today's purchase), counted in `queued` on top of the burst's size. */
  demoJourney?: number
}

/** The automatic dbt refresh after events land. */
export interface RefreshState {
  /** `cancelled`: a person stopped the run; the loop picks the events up again after a short pause. */
  state: 'idle' | 'waiting' | 'running' | 'failed' | 'cancelled'
  /** When the marts last refreshed successfully, ISO 8601 UTC. */
  lastSuccessAt: string | null
  /** dbt's message when the last refresh failed; the views keep the last good numbers meanwhile. */
  lastError: string | null
  lastDurationMs: number | null
  progressPercent: number | null
  progressMessage: string | null
  /** Events stored in the warehouse but not yet read by a successful refresh (the backlog). */
  unmodelledEvents?: number
  /** Events the last successful refresh read. */
  lastRunEvents?: number | null
}

/**
 * A change another process (the CLI's import, stream or build; dbt) made to the warehouse file the
 * app has open, which the app noticed and reloaded. Changes noticed close together are summed.
 */
export interface OutsideChange {
  /** Goes up with every change noticed, so a window can tell a new one from the one it showed. */
  id: number
  /** When the app noticed it (last), ISO 8601 UTC. */
  noticedAt: string
  /** Rows added to the day tables (an import or sample data) and to events_intraday (a stream). */
  importedEvents: number
  streamedEvents: number
  importedFiles: number
  /** When the other process rebuilt the models (rpt_build_info.built_at), ISO 8601 UTC; null when it did not. */
  modelsBuiltAt: string | null
}

/** The streamer and the refresh loop, for the header's stream controls. */
export interface StreamStatus {
  isStreaming: boolean
  ratePerSecond: number | null
  /** Events stored by this app session, duplicates recognised, and events still in the outbox. */
  storedEvents: number
  duplicateEvents: number
  pendingEvents: number
  rejectedEvents: number
  refresh: RefreshState
  /** The newest change another process made to the warehouse file, for the header's notice; absent on BigQuery. */
  outsideChange?: OutsideChange | null
  /** The continuous rate this machine keeps up with, from recent refreshes; null until it has measured one. */
  sustainableRatePerSecond?: number | null
  /** Whether the views and streaming use the demo sandbox; absent on BigQuery. */
  demo?: DemoStatus
}

/** What the warehouse holds and how fresh it is. */
export interface WarehouseStatus {
  kind: 'embedded' | 'bigquery'
  /** Where the data lives, for people (a file path or a project.dataset); never a secret. */
  location: string
  events: number
  intradayEvents: number
  hasModels: boolean
  /** Newest event time in the raw tables, ISO 8601 UTC. */
  newestEventAt: string | null
  /** When the marts were last built, ISO 8601 UTC. */
  modelsBuiltAt: string | null
  /** The range of conversion dates in the marts. */
  firstConversionDate: string | null
  lastConversionDate: string | null
  /** BigQuery only: the dry-run estimate of the last costly dashboard query, for people to see what views cost. */
  costNotice?: string | null
  /** Set while Settings choose BigQuery but the app could not use it and shows the embedded warehouse instead. */
  fallback?: WarehouseFallback | null
  /** The unwanted referrals and self-referral switch the shown numbers were modelled with (embedded warehouse). */
  referrals?: ReferralSettings | null
}

/** Why the app shows the embedded warehouse although Settings choose BigQuery, and what brings BigQuery back. */
export interface WarehouseFallback {
  /** For people: what could not be loaded, and that the embedded warehouse is shown meanwhile. */
  message: string
  /** `choose-key`: choosing a service-account key in Settings; `open-settings`: anything else there. */
  action: 'choose-key' | 'open-settings'
}

/** A file picked in the open dialog: an opaque token for `warehouse:importFiles`, and its name to show. */
export interface ChosenFile {
  token: string
  /** The file's name without its folder. */
  name: string
}

/** Progress of a long job (generation, import, dbt build), pushed to the renderer. */
export interface JobProgress {
  /** `dbt-setup`: the first-run install of dbt into the app's data folder. */
  job: 'generate' | 'import' | 'build' | 'dbt-setup'
  phase: string
  /** 0..100 where known. */
  percent?: number
  message: string
}

/** The marts the views read hold new numbers (a refresh of the serving copy, or a dbt build on BigQuery), pushed so the views reload. */
export interface MartsChanged {
  /** When the main process saw the change, ISO 8601 UTC. */
  changedAt: string
}

/** Where the dbt the app runs comes from: the executable named in Settings, the repo's .venv (development) or the app's own environment in its data folder. */
export type DbtSource = 'setting' | 'repo' | 'data-folder'

/** Whether the app has a dbt to run, and how its first-run set-up is going. */
export interface DbtSetupStatus {
  /** `missing`: no usable dbt and no set-up running; `failed`: the last set-up or check failed (see `error`). */
  state: 'ready' | 'missing' | 'installing' | 'failed'
  source: DbtSource | null
  /** The dbt executable the app runs, when there is one. */
  executable: string | null
  /** dbt-core's version and the adapters it found, when known. */
  dbtVersion: string | null
  adapters: string[]
  /** The dbt executable named in Settings, whether or not it is the one in use. */
  settingExecutable: string | null
  /** The newest progress of a running set-up. */
  progress: JobProgress | null
  /** Why the last set-up or the check of the named dbt failed, in words a person can act on. */
  error: string | null
  /** Something that works but deserves attention (e.g. the system Python was used). */
  notice: string | null
}

/** Request/response channels, keyed by channel name (settings and credentials in settings-api.ts). */
export interface ApiChannels extends SettingsChannels, DemoChannels {
  'attribution:models': (request: Record<string, never>) => Promise<Result<AttributionModelInfo[]>>
  'attribution:compare': (request: CompareRequest) => Promise<Result<ComparisonResult>>
  'attribution:modelComparison': (request: ModelComparisonRequest) => Promise<Result<ModelComparisonResult>>
  'attribution:paths': (request: PathsRequest) => Promise<Result<PathsResult>>
  'attribution:trends': (request: TrendsRequest) => Promise<Result<TrendsResult>>
  'attribution:breakdown': (request: BreakdownRequest) => Promise<Result<ReportResult>>
  /** Cost, conversions, revenue, cost per conversion and ROAS under every model (the Cost & return view). */
  'cost:report': (request: CostReturnRequest) => Promise<Result<CostReturnResult>>
  /** Imports ad spend files named as for `warehouse:importFiles`, then rebuilds the cost mart. */
  'cost:importSpend': (request: SpendImportRequest) => Promise<Result<ImportedSpendFile[]>>
  /** Conversions and revenue of the filters' period against an earlier one (the previous period of the same length by default). */
  'attribution:periodComparison': (request: PeriodComparisonRequest) => Promise<Result<PeriodComparisonResult>>
  /** The event names in the warehouse, most frequent first, each with its count and whether it is modelled. */
  'attribution:conversionEvents': (request: Record<string, never>) => Promise<Result<ConversionEventInfo[]>>
  /**
   * Models the named events as conversions (a dbt build, progress as `job:progress`, job `build`);
   * they stay modelled from then on, for the app and the CLI. Answers the new list.
   */
  'attribution:modelEvents': (request: { events: ConversionEvent[] }) => Promise<Result<ConversionEventInfo[]>>
  /** The GA4 streams of the modelled events, most events first (the header's stream picker). */
  'attribution:streams': (request: Record<string, never>) => Promise<Result<StreamInfo[]>>
  'events:recent': (request: { limit: number }) => Promise<Result<FeedEvent[]>>
  'warehouse:status': (request: Record<string, never>) => Promise<Result<WarehouseStatus>>
  'warehouse:generateSample': (request: Record<string, never>) => Promise<Result<WarehouseStatus>>
  /**
   * Imports files the main process lets the renderer name: in the desktop app the tokens of
   * `warehouse:chooseFiles`, in the browser bridge paths inside its import folder.
   */
  'warehouse:importFiles': (request: { files: string[] }) => Promise<Result<WarehouseStatus>>
  /** The open dialog: a token per picked file for `warehouse:importFiles` (null when cancelled); desktop app only. */
  'warehouse:chooseFiles': (request: Record<string, never>) => Promise<Result<ChosenFile[] | null>>
  'warehouse:chooseAndImport': (request: Record<string, never>) => Promise<Result<WarehouseStatus | null>>
  'shell:openExternal': (request: { url: string }) => Promise<Result<null>>
  'stream:burst': (request: StreamBurstRequest) => Promise<Result<StreamBurstResult>>
  'stream:start': (request: { ratePerSecond: number }) => Promise<Result<StreamStatus>>
  'stream:stop': (request: Record<string, never>) => Promise<Result<StreamStatus>>
  'stream:status': (request: Record<string, never>) => Promise<Result<StreamStatus>>
  'refresh:cancel': (request: Record<string, never>) => Promise<Result<StreamStatus>>
  'dbt:status': (request: Record<string, never>) => Promise<Result<DbtSetupStatus>>
  /** Installs dbt into the app's data folder (progress as `job:progress`, job `dbt-setup`); resumes an interrupted set-up. */
  'dbt:setup': (request: Record<string, never>) => Promise<Result<DbtSetupStatus>>
  /** Points the app at an existing dbt executable after checking it (`null` forgets it). */
  'dbt:useExecutable': (request: { path: string | null }) => Promise<Result<DbtSetupStatus>>
  /** The warehouse's model settings (user-id stitching) and the last build's devices joined (embedded warehouse). */
  'modelling:getSettings': (request: Record<string, never>) => Promise<Result<ModelSettingsView>>
  /** Stores them beside the warehouse and re-models the users they touch (progress as `job:progress`, job `build`). */
  'modelling:saveSettings': (request: ModelSettingsChoice) => Promise<Result<ModelSettingsView>>
  /** The unwanted referrals and self-referral switch the warehouse keeps, with candidates from the data. */
  'referrals:get': (request: Record<string, never>) => Promise<Result<ReferralSettingsView>>
  /** Stores them (an invalid regex is refused) and re-models the users they touch (progress as `job:progress`, job `build`). */
  'referrals:save': (request: ReferralSettings) => Promise<Result<ReferralSettingsView>>
}

/** Push channels from the main process to the renderer. */
export interface ApiEvents {
  'job:progress': JobProgress
  'marts:changed': MartsChanged
}

export type ApiChannel = keyof ApiChannels
export type ApiRequest<C extends ApiChannel> = Parameters<ApiChannels[C]>[0]
export type ApiResponse<C extends ApiChannel> = Awaited<ReturnType<ApiChannels[C]>>

/** One `true` per channel of a contract: a mapped type, so a channel left out or not in the contract fails to compile. */
export type ChannelKeys<C extends string> = { readonly [K in C]: true }

/** Every request channel, once; the preload, the HTTP twin, the fake, the IPC binding and the bridge derive theirs from it. */
export const API_CHANNEL_KEYS: ChannelKeys<ApiChannel> = {
  'attribution:models': true,
  'attribution:compare': true,
  'attribution:modelComparison': true,
  'attribution:paths': true,
  'attribution:trends': true,
  'attribution:breakdown': true,
  'cost:report': true,
  'cost:importSpend': true,
  'attribution:periodComparison': true,
  'attribution:conversionEvents': true,
  'attribution:modelEvents': true,
  'attribution:streams': true,
  'events:recent': true,
  'warehouse:status': true,
  'warehouse:generateSample': true,
  'warehouse:importFiles': true,
  'warehouse:chooseFiles': true,
  'warehouse:chooseAndImport': true,
  'shell:openExternal': true,
  'stream:burst': true,
  'stream:start': true,
  'stream:stop': true,
  'stream:status': true,
  'refresh:cancel': true,
  'dbt:status': true,
  'dbt:setup': true,
  'dbt:useExecutable': true,
  'modelling:getSettings': true,
  'modelling:saveSettings': true,
  'referrals:get': true,
  'referrals:save': true,
  ...SETTINGS_CHANNEL_KEYS,
  ...DEMO_CHANNEL_KEYS,
}

/** Every request channel of the contract, as a list (complete because API_CHANNEL_KEYS is). */
export const API_CHANNELS: readonly ApiChannel[] = Object.freeze(Object.keys(API_CHANNEL_KEYS) as ApiChannel[])

/** True when a name from outside (a URL, a message) is a channel of the contract. */
export function isApiChannel(name: string): name is ApiChannel {
  return Object.hasOwn(API_CHANNEL_KEYS, name)
}

/** Burst sizes the "Stream events" button may ask for, and the continuous mode's rate bounds. */
export const STREAM_BURST_MIN = 5
export const STREAM_BURST_MAX = 20
export const STREAM_BURST_DEFAULT = 10
export const STREAM_RATE_MIN = 1
export const STREAM_RATE_MAX = 20_000

/** The request methods as the renderer calls them: `api.attribution.compare(request)`. */
export type RendererMethods = {
  [C in ApiChannel as DomainOf<C>]: {
    [D in ApiChannel as D extends `${DomainOf<C>}:${infer Verb}` ? Verb : never]: ApiChannels[D]
  }
}

/** The API as the renderer sees it: one method per channel, plus the events pushed from the main process. */
export type RendererApi = RendererMethods & {
  onJobProgress(listener: (progress: JobProgress) => void): () => void
  onMartsChanged(listener: (change: MartsChanged) => void): () => void
}

type DomainOf<C extends string> = C extends `${infer Domain}:${string}` ? Domain : never

/** How a transport carries one channel's request: IPC in the preload, HTTP in the browser twin, canned answers in the fake. */
export type ChannelCall = <C extends ApiChannel>(channel: C, request: ApiRequest<C>) => Promise<ApiResponse<C>>

/** One method per channel of API_CHANNELS, grouped as `api.<domain>.<verb>`, each handing its request to `call`. */
export function rendererMethods(call: ChannelCall): RendererMethods {
  const methods: Record<string, Record<string, (request: never) => Promise<unknown>>> = {}
  for (const channel of API_CHANNELS) {
    const [domain = '', verb = ''] = channel.split(':')
    ;(methods[domain] ??= {})[verb] = (request: ApiRequest<typeof channel>) => call(channel, request)
  }
  // API_CHANNELS is complete by its mapped type, and split at ':' exactly as DomainOf splits the names.
  return methods as unknown as RendererMethods
}
