/** Domain types and rules of attribution shared by the CLI, the main process and the renderer. */

import { GENERATED_ATTRIBUTION_MODELS, GENERATED_LOOKBACK_DAYS } from './generated/vocabulary'

/** One model as dbt's macro attribution_models() defines it. */
type GeneratedModel = (typeof GENERATED_ATTRIBUTION_MODELS)[number]

/**
 * Every attribution model, in the order views list them, as dbt defines them (generated from the
 * macro attribution_models()). The rule-based models are rows of the credits mart (fractional credit
 * per conversion and touchpoint); `data_driven` is solved from the Markov transitions mart when
 * asked. Adding a model: docs/adding-a-model.md.
 */
export const ATTRIBUTION_MODELS = GENERATED_ATTRIBUTION_MODELS.map((model) => model.id)
export type AttributionModel = GeneratedModel['id']

/** The models whose credit the credits mart holds per conversion and touchpoint (all with a weight in dbt). */
export type RuleBasedModel = Extract<GeneratedModel, { isRuleBased: true }>['id']

/** The models the app solves itself (data_driven): the ones dbt gives no weight. */
const APP_SOLVED_MODELS: readonly string[] = GENERATED_ATTRIBUTION_MODELS.flatMap((model): string[] =>
  model.isRuleBased ? [] : [model.id],
)

/**
 * True for a model whose credit the credits mart holds: every model but those the app solves, so a
 * model added in dbt (and listed by the warehouse's rpt_attribution_models) counts without a change here.
 */
export function isRuleBasedModel(model: string): model is RuleBasedModel {
  return !APP_SOLVED_MODELS.includes(model)
}

/** The rule-based models of this build of the app. */
export const RULE_BASED_MODELS = ATTRIBUTION_MODELS.filter(isRuleBasedModel)

/** What the API lists about a model, for pickers and tables. */
export interface AttributionModelInfo {
  id: AttributionModel
  /** Short name for a picker or a column head. */
  name: string
  /** One or two sentences an analyst reads to know how credit is given. */
  description: string
  /** False for data_driven: its credit is per channel in total, so it has no per-conversion flows or per-source split. */
  perConversion: boolean
}

/** A model's name when dbt gives none: its id in words ("first_touch_copy" is "First touch copy"). */
export function modelLabelFromId(id: string): string {
  const words = id.replace(/_/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** The registry of models: one entry per id, in ATTRIBUTION_MODELS order (the warehouse's rpt_attribution_models may list more). */
export const MODEL_REGISTRY: Readonly<Record<AttributionModel, Omit<AttributionModelInfo, 'id'>>> = Object.fromEntries(
  GENERATED_ATTRIBUTION_MODELS.map((model) => {
    const name: string | null = model.name
    return [model.id, { name: name ?? modelLabelFromId(model.id), description: model.description, perConversion: model.isRuleBased }]
  }),
) as Record<AttributionModel, Omit<AttributionModelInfo, 'id'>>

/** Every model as the API lists it. */
export function listAttributionModels(): AttributionModelInfo[] {
  return ATTRIBUTION_MODELS.map((id) => ({ id, ...MODEL_REGISTRY[id] }))
}

/** The groupings a model can report by: data_driven credits channels only. */
export function groupingsOfModel(model: AttributionModel): readonly ReportGrouping[] {
  return isRuleBasedModel(model) ? REPORT_GROUPINGS : ['channel']
}

/** A message when the model cannot report by the grouping (or drill into a channel), else undefined. */
export function modelGroupingProblem(model: AttributionModel, by: ReportGrouping, channel?: string): string | undefined {
  if (isRuleBasedModel(model)) return undefined
  if (by !== 'channel') return `The ${MODEL_REGISTRY[model].name} model credits channels, not sources or campaigns: group it by channel.`
  if (channel !== undefined)
    return `The ${MODEL_REGISTRY[model].name} model credits channels in total, so it cannot drill into one channel's sources.`
  return undefined
}

/**
 * A GA4 event name counted as a conversion: any key event (`purchase`, `generate_lead`, a custom
 * name). GA4's rule for names: a letter, then letters, digits and underscores, 40 at most.
 */
export type ConversionEvent = string

/** GA4's event-name rule, the same as dbt's `ga4_event_name_pattern`. */
export const GA4_EVENT_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,39}$/

/** Most conversion events one request may choose. */
export const MAX_CONVERSION_EVENTS = 20

/** An event name in the warehouse, how often it occurs and whether the marts hold it as a conversion. */
export interface ConversionEventInfo {
  name: ConversionEvent
  /** Events of this name the models have read (stg_ga4__events, de-duplicated). */
  events: number
  /** True when the marts hold its conversions, so choosing it needs no build. */
  modelled: boolean
}

/** Lookback window bounds in days (dbt's min/max/default_lookback_days()); the marts hold every value in between. */
export const LOOKBACK_MIN_DAYS: number = GENERATED_LOOKBACK_DAYS.min
export const LOOKBACK_MAX_DAYS: number = GENERATED_LOOKBACK_DAYS.max
export const LOOKBACK_DEFAULT_DAYS: number = GENERATED_LOOKBACK_DAYS.default
export const DEFAULT_CONVERSION_EVENTS: readonly ConversionEvent[] = ['purchase']

/** Ways a report can group conversions (GA4's attribution dimensions). */
export const REPORT_GROUPINGS = ['channel', 'source_medium', 'campaign', 'source', 'medium'] as const
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number]

/** Each grouping as GA4 names the dimension, in the order pickers list them. */
export const GROUPING_LABELS: Readonly<Record<ReportGrouping, string>> = {
  channel: 'Default channel group',
  source_medium: 'Source / medium',
  source: 'Source',
  medium: 'Medium',
  campaign: 'Campaign',
}

/** One group's keys as one label, as GA4 writes it ("google / cpc" for source / medium). */
export function groupLabel(row: Pick<ReportRow, 'channel' | 'source' | 'medium' | 'campaign'>, by: ReportGrouping): string {
  return GROUPING_KEYS[by].map((key) => row[key] ?? '').join(' / ')
}

/** What a report is asked for. */
export interface ReportRequest {
  model: AttributionModel
  lookbackDays: number
  conversionEvents: readonly ConversionEvent[]
  by: ReportGrouping
  /** Inclusive conversion-date range, `YYYY-MM-DD`; absent means all data. */
  fromDate?: string
  toDate?: string
  /** Only conversions credited to this channel (for drilling down). */
  channel?: string
  /** Only conversions in this GA4 stream (`stream_id`: web, iOS or Android); absent means every stream. */
  streamId?: string
}

/** One group of a report; only the keys of the grouping are present. */
export interface ReportRow {
  channel?: string
  source?: string
  medium?: string
  campaign?: string
  /** Credited conversions: whole for single-touch models, fractional (6 decimals) for shared credit. */
  conversions: number
  /** Exact decimal rendered as a string with two decimals, so cents never drift. */
  revenue_usd: string
}

/** A report as the CLI prints it with `--format json` and the app receives it. */
export interface ReportResult {
  model: AttributionModel
  lookback_days: number
  conversion_events: ConversionEvent[]
  by: ReportGrouping
  rows: ReportRow[]
  totals: { conversions: number; revenue_usd: string }
}

/** The group-key columns of each grouping, in display order. */
export const GROUPING_KEYS: Record<ReportGrouping, ReadonlyArray<'channel' | 'source' | 'medium' | 'campaign'>> = {
  channel: ['channel'],
  source_medium: ['source', 'medium'],
  campaign: ['campaign'],
  source: ['source'],
  medium: ['medium'],
}

/** A message for a lookback outside the supported window, or undefined when it is fine. */
export function lookbackProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return `Lookback must be a whole number of days, got ${String(value)}.`
  if (value < LOOKBACK_MIN_DAYS || value > LOOKBACK_MAX_DAYS)
    return `Lookback must be between ${LOOKBACK_MIN_DAYS} and ${LOOKBACK_MAX_DAYS} days, got ${value}.`
  return undefined
}

/** True when the value is a GA4 event name. */
export function isConversionEvent(value: unknown): value is ConversionEvent {
  return typeof value === 'string' && GA4_EVENT_NAME_PATTERN.test(value)
}

/** True when the value names an attribution model. */
export function isAttributionModel(value: unknown): value is AttributionModel {
  return typeof value === 'string' && (ATTRIBUTION_MODELS as readonly string[]).includes(value)
}

/** The message for a value that names no model, listing the models. */
export function modelProblem(value: unknown): string {
  const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value
  return `Unknown attribution model ${shown}: use one of ${ATTRIBUTION_MODELS.join(', ')}.`
}

/** True when the value names a report grouping. */
export function isReportGrouping(value: unknown): value is ReportGrouping {
  return typeof value === 'string' && (REPORT_GROUPINGS as readonly string[]).includes(value)
}

/** A result a caller can show: the value, or a message a person can act on. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string }

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** True for a real calendar date written YYYY-MM-DD (`2026-02-31` and `2026-13-01` are not). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const match = ISO_DATE.exec(value)
  if (!match) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/** A message naming `field` when the value is not a real date, or undefined when it is fine. */
export function dateProblem(field: string, value: unknown): string | undefined {
  if (isCalendarDate(value)) return undefined
  const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value
  if (typeof value === 'string' && ISO_DATE.test(value))
    return `${field} must be a real calendar date, got ${shown}: that day does not exist.`
  return `${field} must be a date written YYYY-MM-DD, got ${shown}.`
}

/** A message for a range whose start is after its end, naming both fields, or undefined. */
export function dateRangeProblem(
  fromField: string,
  fromDate: string | undefined,
  toField: string,
  toDate: string | undefined,
): string | undefined {
  if (fromDate === undefined || toDate === undefined || fromDate <= toDate) return undefined
  return `${fromField} (${fromDate}) is after ${toField} (${toDate}): the range is reversed.`
}
/** Longest channel, source or campaign name a request may carry. */
export const MAX_LABEL_LENGTH = 200

/** Checks conversion event names (GA4's name rule), giving the list or a message naming the bad one. */
export function validateConversionEvents(input: unknown): Result<ConversionEvent[]> {
  if (!Array.isArray(input) || input.length === 0) return { ok: false, error: 'Choose at least one conversion event.' }
  if (input.length > MAX_CONVERSION_EVENTS) return { ok: false, error: `Choose at most ${MAX_CONVERSION_EVENTS} conversion events.` }
  const bad = input.find((name) => !isConversionEvent(name))
  if (bad !== undefined) {
    const shown = typeof bad === 'string' ? JSON.stringify(bad.slice(0, 60)) : typeof bad
    return {
      ok: false,
      error: `${shown} is not a GA4 event name: a letter, then letters, digits or underscores, at most 40 characters.`,
    }
  }
  return { ok: true, value: [...new Set(input as ConversionEvent[])] }
}

/** A message naming the chosen events that do not occur in the warehouse (listing the most frequent), else undefined. */
export function absentConversionEventsProblem(
  chosen: readonly ConversionEvent[],
  known: readonly ConversionEventInfo[],
): string | undefined {
  const names = new Set(known.map((info) => info.name))
  const absent = chosen.filter((name) => !names.has(name))
  if (absent.length === 0) return undefined
  const common = known
    .slice(0, 5)
    .map((info) => info.name)
    .join(', ')
  const shown = absent.map((name) => JSON.stringify(name)).join(', ')
  return `No event named ${shown} occurs in the warehouse (names are case-sensitive)${common ? `; the most frequent are ${common}` : ''}.`
}

/**
 * A message when a chosen event does not occur in the warehouse or is not modelled yet, else
 * undefined. `howToModel` says what models the missing ones (the CLI's build command, the app's picker).
 */
export function conversionEventsProblem(
  chosen: readonly ConversionEvent[],
  known: readonly ConversionEventInfo[],
  howToModel: (events: ConversionEvent[]) => string,
): string | undefined {
  const absent = absentConversionEventsProblem(chosen, known)
  if (absent) return absent
  const modelled = new Set(known.filter((info) => info.modelled).map((info) => info.name))
  const unmodelled = chosen.filter((name) => !modelled.has(name))
  if (unmodelled.length === 0) return undefined
  return `${unmodelled.join(', ')} ${unmodelled.length === 1 ? 'is' : 'are'} not modelled as a conversion yet: ${howToModel(unmodelled)}.`
}

/** Checks an untrusted report request (CLI flags, IPC, HTTP) field by field. */
/** GA4 stream ids are numbers written as text (`2100450278`). */
export const STREAM_ID = /^[0-9]{1,20}$/

/** Why a value is not a stream id, or undefined when it is one. */
export function streamIdProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && STREAM_ID.test(value)) return undefined
  return `A stream is its GA4 stream_id, digits only (e.g. 2100450278), got ${JSON.stringify(String(value).slice(0, 40))}.`
}

/** Why a stream cannot be shown: not among the modelled events' streams, which are named (app and CLI alike). */
export function unknownStreamMessage(streamId: string, streams: ReadonlyArray<{ streamId: string; platform: string }>): string {
  const known = streams.map((stream) => `${stream.streamId} (${stream.platform})`).join(', ')
  return `No modelled events are of stream ${streamId}. ${known ? `Streams: ${known}.` : 'The events carry no stream_id.'}`
}

export function validateReportRequest(input: unknown): Result<ReportRequest> {
  if (typeof input !== 'object' || input === null) return { ok: false, error: 'A report request must be an object.' }
  const raw = input as Record<string, unknown>
  if (!isAttributionModel(raw.model)) return { ok: false, error: modelProblem(raw.model) }
  const lookback = lookbackProblem(raw.lookbackDays)
  if (lookback) return { ok: false, error: lookback }
  const events = validateConversionEvents(raw.conversionEvents)
  if (!events.ok) return events
  if (!isReportGrouping(raw.by)) return { ok: false, error: `Unknown grouping: use ${REPORT_GROUPINGS.join(', ')}.` }
  for (const key of ['fromDate', 'toDate'] as const) {
    const problem = raw[key] === undefined ? undefined : dateProblem(key, raw[key])
    if (problem) return { ok: false, error: problem }
  }
  const request: ReportRequest = { model: raw.model, lookbackDays: raw.lookbackDays as number, conversionEvents: events.value, by: raw.by }
  if (typeof raw.fromDate === 'string') request.fromDate = raw.fromDate
  if (typeof raw.toDate === 'string') request.toDate = raw.toDate
  if (raw.channel !== undefined) {
    if (typeof raw.channel !== 'string' || raw.channel.length === 0 || raw.channel.length > MAX_LABEL_LENGTH) {
      return { ok: false, error: `channel must be a channel name of at most ${MAX_LABEL_LENGTH} characters.` }
    }
    request.channel = raw.channel
  }
  if (raw.streamId !== undefined) {
    const problem = streamIdProblem(raw.streamId)
    if (problem) return { ok: false, error: problem }
    request.streamId = raw.streamId as string
  }
  const reversed = dateRangeProblem('fromDate', request.fromDate, 'toDate', request.toDate)
  if (reversed) return { ok: false, error: reversed }
  const unsupported = modelGroupingProblem(request.model, request.by, request.channel)
  if (unsupported) return { ok: false, error: unsupported }
  return { ok: true, value: request }
}
