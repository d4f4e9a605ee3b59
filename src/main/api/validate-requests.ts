import { type AttributionModel, type Result, isAttributionModel, modelProblem, validateReportRequest } from '../../shared/attribution'
import {
  type BreakdownRequest,
  type CompareRequest,
  type DashboardFilters,
  type PathsRequest,
  STREAM_BURST_MAX,
  STREAM_BURST_MIN,
  STREAM_BURST_MODES,
  STREAM_RATE_MAX,
  STREAM_RATE_MIN,
  type StreamBurstRequest,
  type TrendsRequest,
} from '../../shared/api'

/** Most events the live feed may ask for at once. */
export const MAX_FEED_LIMIT = 500
/** Most files one import may name, and the longest path accepted. */
export const MAX_IMPORT_FILES = 100
export const MAX_PATH_LENGTH = 4096
/** Longest trend window in days. */
export const MAX_TREND_DAYS = 90

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

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

/** Checks a conversion paths request. */
export function validatePathsRequest(input: unknown): Result<PathsRequest> {
  const filters = validateDashboardFilters(input)
  if (!filters.ok) return filters
  const raw = input as Record<string, unknown>
  if (!isAttributionModel(raw.model)) return { ok: false, error: modelProblem(raw.model) }
  if (typeof raw.limit !== 'number' || !Number.isInteger(raw.limit) || raw.limit < 1 || raw.limit > MAX_PATHS_LIMIT) {
    return { ok: false, error: `limit must be a whole number from 1 to ${MAX_PATHS_LIMIT}.` }
  }
  return { ok: true, value: { ...filters.value, model: raw.model, limit: raw.limit } }
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

/** Checks the names of files to import: dialog tokens, or paths in the import folder (the host resolves them). */
export function validateImportRequest(input: unknown): Result<{ files: string[] }> {
  if (!isRecord(input) || !Array.isArray(input.files)) return { ok: false, error: 'files must be a list of chosen files.' }
  const { files } = input
  if (files.length === 0 || files.length > MAX_IMPORT_FILES) return { ok: false, error: `Choose 1 to ${MAX_IMPORT_FILES} files.` }
  if (!files.every((file): file is string => typeof file === 'string' && file.length > 0 && file.length <= MAX_PATH_LENGTH && !file.includes('\0'))) {
    return { ok: false, error: 'Every file must be a non-empty string of reasonable length.' }
  }
  return { ok: true, value: { files } }
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
  if (typeof ratePerSecond !== 'number' || !Number.isInteger(ratePerSecond) || ratePerSecond < STREAM_RATE_MIN || ratePerSecond > STREAM_RATE_MAX) {
    return { ok: false, error: `The rate must be a whole number of events per second from ${STREAM_RATE_MIN} to ${STREAM_RATE_MAX}.` }
  }
  return { ok: true, value: { ratePerSecond } }
}
