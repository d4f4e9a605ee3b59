import {
  type AttributionModel,
  type ConversionEvent,
  MAX_LABEL_LENGTH,
  REPORT_GROUPINGS,
  type ReportGrouping,
  type Result,
  dateProblem,
  dateRangeProblem,
  isAttributionModel,
  isReportGrouping,
  modelProblem,
  validateConversionEvents,
  validateReportRequest,
} from '@shared/attribution'
import { type SpendImportRequest, type SpendMapping, spendMappingProblem } from '@shared/spend'
import {
  type BreakdownRequest,
  type CompareRequest,
  type DashboardFilters,
  type ModelSettingsChoice,
  type ModelComparisonRequest,
  PATH_SORT_COLUMNS,
  type PathFilter,
  type PathSortColumn,
  type PathsRequest,
  type PeriodComparisonRequest,
  STREAM_BURST_MAX,
  STREAM_BURST_MIN,
  STREAM_BURST_MODES,
  STREAM_RATE_MAX,
  STREAM_RATE_MIN,
  type StreamBurstRequest,
  type TrendsRequest,
} from '@shared/api'
import { isRecord } from '@shared/is-record'

/** Most events the live feed may ask for at once. */
export const MAX_FEED_LIMIT = 500
/** Most files one import may name, and the longest path accepted. */
export const MAX_IMPORT_FILES = 100
export const MAX_PATH_LENGTH = 4096
/** Longest trend window in days. */
export const MAX_TREND_DAYS = 90

/** Checks the filters every dashboard view shares, reusing the report request's rules. */
export function validateDashboardFilters(input: unknown): Result<DashboardFilters> {
  if (!isRecord(input)) return { ok: false, error: 'The request must be an object.' }
  const checked = validateReportRequest({ ...input, model: 'first_click', by: 'channel', channel: undefined })
  if (!checked.ok) return checked
  const { lookbackDays, conversionEvents, fromDate, toDate, streamId } = checked.value
  const filters: DashboardFilters = { lookbackDays, conversionEvents: [...conversionEvents] }
  if (fromDate) filters.fromDate = fromDate
  if (toDate) filters.toDate = toDate
  if (streamId) filters.streamId = streamId
  return { ok: true, value: filters }
}

/** Checks a trends request. */
export function validateTrendsRequest(input: unknown): Result<TrendsRequest> {
  const filters = validateDashboardFilters(input)
  if (!filters.ok) return filters
  const raw = input as Record<string, unknown>
  if (typeof raw.days !== 'number' || !Number.isInteger(raw.days) || raw.days < 1 || raw.days > MAX_TREND_DAYS) {
    return { ok: false, error: `days must be a whole number from 1 to ${MAX_TREND_DAYS}.` }
  }
  if (typeof raw.byChannel !== 'boolean') return { ok: false, error: 'byChannel must be true or false.' }
  const models = validateModelList(raw.models, 1, 2)
  if (!models.ok) return models
  return { ok: true, value: { ...filters.value, days: raw.days, byChannel: raw.byChannel, models: models.value } }
}

/** Checks a list of `min`..`max` distinct model ids. */
function validateModelList(input: unknown, min: number, max: number): Result<AttributionModel[]> {
  if (!Array.isArray(input) || input.length < min || input.length > max) {
    return { ok: false, error: `models must list ${min === max ? min : `${min} to ${max}`} attribution models.` }
  }
  const unknown = input.find((model) => !isAttributionModel(model))
  if (unknown !== undefined) return { ok: false, error: modelProblem(unknown) }
  return { ok: true, value: input as AttributionModel[] }
}

/** Checks a comparison of two models. */
export function validateCompareRequest(input: unknown): Result<CompareRequest> {
  const filters = validateDashboardFilters(input)
  if (!filters.ok) return filters
  const models = validateModelList((input as Record<string, unknown>).models, 2, 2)
  if (!models.ok) return models
  return { ok: true, value: { ...filters.value, models: [models.value[0] as AttributionModel, models.value[1] as AttributionModel] } }
}

/** Most conversion paths one request may list. */
export const MAX_PATHS_LIMIT = 200

/** Longest path a filter may ask for (touches). */
export const MAX_PATH_FILTER_LENGTH = 1000

/** The optional dimension of a request: absent, or one of the groupings. */
function validateOptionalGrouping(value: unknown): Result<ReportGrouping | undefined> {
  if (value === undefined) return { ok: true, value: undefined }
  if (isReportGrouping(value)) return { ok: true, value }
  return { ok: false, error: `Unknown dimension: use one of ${REPORT_GROUPINGS.join(', ')}.` }
}

/** Checks the model comparison's filters and its dimension. */
export function validateModelComparisonRequest(input: unknown): Result<ModelComparisonRequest> {
  const filters = validateDashboardFilters(input)
  if (!filters.ok) return filters
  const by = validateOptionalGrouping((input as Record<string, unknown>).by)
  if (!by.ok) return by
  return { ok: true, value: by.value ? { ...filters.value, by: by.value } : filters.value }
}

function isWholeIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
}

/** Checks a paths filter: values of at most MAX_LABEL_LENGTH characters, lengths 0..MAX_PATH_FILTER_LENGTH. */
function validatePathFilter(input: unknown): Result<PathFilter | undefined> {
  if (input === undefined) return { ok: true, value: undefined }
  if (!isRecord(input)) return { ok: false, error: 'filter must be an object.' }
  const filter: PathFilter = {}
  for (const key of ['contains', 'startsWith', 'endsWith'] as const) {
    const value = input[key]
    if (value === undefined || value === '') continue
    if (typeof value !== 'string' || value.length > MAX_LABEL_LENGTH)
      return { ok: false, error: `filter.${key} must be a value of at most ${MAX_LABEL_LENGTH} characters.` }
    filter[key] = value
  }
  for (const key of ['minLength', 'maxLength'] as const) {
    const value = input[key]
    if (value === undefined) continue
    if (!isWholeIn(value, 0, MAX_PATH_FILTER_LENGTH))
      return { ok: false, error: `filter.${key} must be a whole number of touches from 0 to ${MAX_PATH_FILTER_LENGTH}.` }
    filter[key] = value
  }
  if (filter.minLength !== undefined && filter.maxLength !== undefined && filter.minLength > filter.maxLength) {
    return { ok: false, error: `The shortest path length (${filter.minLength}) is above the longest (${filter.maxLength}).` }
  }
  return { ok: true, value: filter }
}

/** Checks a conversion paths request: the page, its order, its filter and its dimension. */
export function validatePathsRequest(input: unknown): Result<PathsRequest> {
  const filters = validateDashboardFilters(input)
  if (!filters.ok) return filters
  const raw = input as Record<string, unknown>
  if (!isAttributionModel(raw.model)) return { ok: false, error: modelProblem(raw.model) }
  if (!isWholeIn(raw.limit, 1, MAX_PATHS_LIMIT)) return { ok: false, error: `limit must be a whole number from 1 to ${MAX_PATHS_LIMIT}.` }
  const request: PathsRequest = { ...filters.value, model: raw.model, limit: raw.limit }
  if (raw.offset !== undefined) {
    if (!isWholeIn(raw.offset, 0, Number.MAX_SAFE_INTEGER))
      return { ok: false, error: 'offset must be a whole number of paths, 0 or more.' }
    request.offset = raw.offset
  }
  const by = validateOptionalGrouping(raw.by)
  if (!by.ok) return by
  if (by.value) request.by = by.value
  if (raw.sort !== undefined) {
    const sort = raw.sort
    const column = isRecord(sort) ? PATH_SORT_COLUMNS.find((each) => each === sort.column) : undefined
    if (!isRecord(sort) || !column || (sort.direction !== 'asc' && sort.direction !== 'desc')) {
      return { ok: false, error: `sort must name a column (${PATH_SORT_COLUMNS.join(', ')}) and a direction (asc or desc).` }
    }
    request.sort = { column: column satisfies PathSortColumn, direction: sort.direction }
  }
  const filter = validatePathFilter(raw.filter)
  if (!filter.ok) return filter
  if (filter.value && Object.keys(filter.value).length > 0) request.filter = filter.value
  return { ok: true, value: request }
}

/** Checks a previous-period comparison: the view's filters and, both or neither, the earlier period's dates. */
export function validatePeriodComparisonRequest(input: unknown): Result<PeriodComparisonRequest> {
  const filters = validateDashboardFilters(input)
  if (!filters.ok) return filters
  const raw = input as Record<string, unknown>
  if (raw.compareFromDate === undefined && raw.compareToDate === undefined) return filters
  for (const key of ['compareFromDate', 'compareToDate'] as const) {
    const problem = dateProblem(key, raw[key])
    if (problem) return { ok: false, error: problem }
  }
  const [compareFromDate, compareToDate] = [raw.compareFromDate as string, raw.compareToDate as string]
  const reversed = dateRangeProblem('compareFromDate', compareFromDate, 'compareToDate', compareToDate)
  if (reversed) return { ok: false, error: reversed }
  return { ok: true, value: { ...filters.value, compareFromDate, compareToDate } }
}

/** Checks a channel breakdown request. */
export function validateBreakdownRequest(input: unknown): Result<BreakdownRequest> {
  if (!isRecord(input)) return { ok: false, error: 'The request must be an object.' }
  const checked = validateReportRequest(input)
  if (!checked.ok) return checked
  const { model, by, channel, lookbackDays, conversionEvents, fromDate, toDate, streamId } = checked.value
  const request: BreakdownRequest = { model, by, lookbackDays, conversionEvents: [...conversionEvents] }
  if (channel) request.channel = channel
  if (fromDate) request.fromDate = fromDate
  if (toDate) request.toDate = toDate
  if (streamId) request.streamId = streamId
  return { ok: true, value: request }
}

/** Checks the live feed's size. */
export function validateFeedRequest(input: unknown): Result<{ limit: number }> {
  if (!isRecord(input)) return { ok: false, error: 'The request must be an object.' }
  const { limit } = input
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_FEED_LIMIT) {
    return { ok: false, error: `limit must be a whole number from 1 to ${MAX_FEED_LIMIT}.` }
  }
  return { ok: true, value: { limit } }
}

/** Checks an empty request object (channels that take no arguments). */
export function validateEmptyRequest(input: unknown): Result<Record<string, never>> {
  if (input === undefined || input === null) return { ok: true, value: {} }
  if (!isRecord(input) || Object.keys(input).length > 0) return { ok: false, error: 'This request takes no arguments.' }
  return { ok: true, value: {} }
}

/** Checks a `modelling:saveSettings` request: exactly `{ userIdStitching: true | false }`. */
export function validateModelSettingsRequest(input: unknown): Result<ModelSettingsChoice> {
  if (!isRecord(input)) return { ok: false, error: 'The model settings must be an object.' }
  const extra = Object.keys(input).filter((key) => key !== 'userIdStitching')
  if (extra.length > 0) return { ok: false, error: `Unknown model setting: ${extra.slice(0, 3).join(', ')}.` }
  if (typeof input.userIdStitching !== 'boolean') return { ok: false, error: 'userIdStitching must be true or false.' }
  return { ok: true, value: { userIdStitching: input.userIdStitching } }
}

/** Checks a request to model conversion events: GA4 event names. */
export function validateModelEventsRequest(input: unknown): Result<{ events: ConversionEvent[] }> {
  if (!isRecord(input)) return { ok: false, error: 'The request must be an object with events.' }
  const events = validateConversionEvents(input.events)
  return events.ok ? { ok: true, value: { events: events.value } } : events
}

/** Checks the names of files to import: dialog tokens, or paths in the import folder (the host resolves them). */
export function validateImportRequest(input: unknown): Result<{ files: string[] }> {
  if (!isRecord(input) || !Array.isArray(input.files)) return { ok: false, error: 'files must be a list of chosen files.' }
  const { files } = input
  if (files.length === 0 || files.length > MAX_IMPORT_FILES) return { ok: false, error: `Choose 1 to ${MAX_IMPORT_FILES} files.` }
  if (
    !files.every(
      (file): file is string => typeof file === 'string' && file.length > 0 && file.length <= MAX_PATH_LENGTH && !file.includes('\0'),
    )
  ) {
    return { ok: false, error: 'Every file must be a non-empty string of reasonable length.' }
  }
  return { ok: true, value: { files } }
}

/** Checks a `cost:importSpend` request: files as for an import, and an optional platform mapping. */
export function validateSpendImportRequest(input: unknown): Result<SpendImportRequest> {
  const files = validateImportRequest(input)
  if (!files.ok) return files
  const { mapping } = input as Record<string, unknown>
  if (mapping === undefined) return files
  const problem = spendMappingProblem(mapping)
  if (problem) return { ok: false, error: problem }
  const { google_ads: google, meta_ads: meta } = mapping as SpendMapping
  return {
    ok: true,
    value: {
      files: files.value.files,
      mapping: {
        google_ads: { source: google.source.trim(), medium: google.medium.trim() },
        meta_ads: { source: meta.source.trim(), medium: meta.medium.trim() },
      },
    },
  }
}

/** Checks a link to open in the OS browser: https only. */
export function validateExternalUrl(input: unknown): Result<{ url: string }> {
  if (!isRecord(input) || typeof input.url !== 'string' || input.url.length > 2048) return { ok: false, error: 'url must be a string.' }
  let parsed: URL
  try {
    parsed = new URL(input.url)
  } catch {
    return { ok: false, error: 'That is not a valid link.' }
  }
  if (parsed.protocol !== 'https:') return { ok: false, error: 'Only https: links open outside the app.' }
  return { ok: true, value: { url: parsed.toString() } }
}

/** Checks a burst size and, when given, its mode for "Stream events". */
export function validateBurstRequest(input: unknown): Result<StreamBurstRequest> {
  if (!isRecord(input)) return { ok: false, error: 'The request must be an object.' }
  const { count, mode } = input
  if (typeof count !== 'number' || !Number.isInteger(count) || count < STREAM_BURST_MIN || count > STREAM_BURST_MAX) {
    return { ok: false, error: `count must be a whole number from ${STREAM_BURST_MIN} to ${STREAM_BURST_MAX}.` }
  }
  if (mode === undefined) return { ok: true, value: { count } }
  const known = STREAM_BURST_MODES.find((candidate) => candidate === mode)
  if (!known) return { ok: false, error: `mode must be one of ${STREAM_BURST_MODES.map((name) => `'${name}'`).join(', ')}.` }
  return { ok: true, value: { count, mode: known } }
}

/** Checks the continuous mode's rate. */
export function validateStreamStartRequest(input: unknown): Result<{ ratePerSecond: number }> {
  if (!isRecord(input)) return { ok: false, error: 'The request must be an object.' }
  const { ratePerSecond } = input
  if (
    typeof ratePerSecond !== 'number' ||
    !Number.isInteger(ratePerSecond) ||
    ratePerSecond < STREAM_RATE_MIN ||
    ratePerSecond > STREAM_RATE_MAX
  ) {
    return { ok: false, error: `The rate must be a whole number of events per second from ${STREAM_RATE_MIN} to ${STREAM_RATE_MAX}.` }
  }
  return { ok: true, value: { ratePerSecond } }
}
