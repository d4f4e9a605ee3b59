import { MODEL_REGISTRY, isAttributionModel } from '@shared/attribution'
import { csvContextLines } from '@shared/csv'

/** What an export shows: the view's filters, its model and its drill-down, written into the file name and the file. */
export interface ExportContext {
  /** The view the export comes from ("channels"). */
  view: string
  /** The attribution model(s) the numbers credit ("last_click", "first_click, last_click" for a pair, or "all models"). */
  model?: string
  lookbackDays?: number
  conversionEvents?: readonly string[]
  /** The GA4 stream the numbers are limited to ("2100450278 (WEB)"); absent for all streams. */
  stream?: string
  /** Inclusive conversion-date range `YYYY-MM-DD`; empty means all data. */
  fromDate?: string
  toDate?: string
  /** The drill-down path, e.g. "Paid Search > campaign". */
  drillDown?: string
  /** The data's first and last conversion date, written for an open end instead of "start" or "latest". */
  dataFromDate?: string
  dataToDate?: string
}

/** A file-name-safe piece: lowercase words joined by hyphens. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
}

/** The date range for people, open ends filled from the data: "2021-01-01 to 2021-01-19"; "all dates" when nothing is known. */
export function dateRangeText(context: Pick<ExportContext, 'fromDate' | 'toDate' | 'dataFromDate' | 'dataToDate'>): string {
  const from = context.fromDate || context.dataFromDate
  const to = context.toDate || context.dataToDate
  if (!from && !to) return 'all dates'
  return `${from || 'start'} to ${to || 'latest'}`
}

/**
 * A file name that says what is in the file:
 * "channels_last-click_14d_purchase_2021-01-01-to-2021-01-19_paid-search_2026-12-02.csv".
 */
export function exportFileName(base: string, context: ExportContext, extension: string, stamp: string): string {
  const parts = [slug(base)]
  if (context.model) parts.push(slug(context.model.replace(/_/g, ' ')))
  if (context.lookbackDays !== undefined) parts.push(`${context.lookbackDays}d`)
  if (context.conversionEvents && context.conversionEvents.length > 0) parts.push(context.conversionEvents.map(slug).join('+'))
  if (context.stream) parts.push(`stream-${slug(context.stream)}`)
  if (context.fromDate || context.toDate) parts.push(dateRangeText(context).replace(/ /g, '-'))
  if (context.drillDown) parts.push(slug(context.drillDown))
  parts.push(stamp)
  return `${parts.filter((part) => part !== '').join('_')}.${extension}`
}

/** The context as "name: value" pairs, in a fixed order; absent ones left out. */
export function contextEntries(context: ExportContext, exportedAt: string): Array<[string, string]> {
  const entries: Array<[string, string | undefined]> = [
    ['view', context.view],
    ['model', context.model],
    ['lookback_days', context.lookbackDays === undefined ? undefined : String(context.lookbackDays)],
    ['conversion_events', context.conversionEvents?.join(' ')],
    ['stream', context.stream],
    ['dates', context.fromDate || context.toDate || context.lookbackDays !== undefined ? dateRangeText(context) : undefined],
    ['drill_down', context.drillDown],
    ['exported_at', exportedAt],
  ]
  return entries.filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
}

/** "# model: first_click" lines above the CSV's header row; spreadsheets show them, `comment='#'` readers skip them. */
export function withCsvMetadata(csv: string, context: ExportContext, exportedAt: string): string {
  return `${csvContextLines(contextEntries(context, exportedAt))}${csv}`
}

/** A model id as people read it ("last_click" -> "Last click"); text that names no model stays as it is. */
function modelName(id: string): string {
  return isAttributionModel(id) ? MODEL_REGISTRY[id].name : id
}

/** "last_click" -> "Last click"; a pair -> "First click vs Last click"; more -> "First click, Last click, Linear". */
function modelText(model: string): string {
  const names = model.split(/,\s*/).map(modelName)
  return names.length === 2 ? `${names[0]} vs ${names[1]}` : names.join(', ')
}

/** One line for a PNG's subtitle: "Last click · 14-day lookback · purchase · all dates · Paid Search > campaign". */
export function contextLine(context: ExportContext): string {
  const parts: string[] = []
  if (context.model) parts.push(modelText(context.model))
  if (context.lookbackDays !== undefined) parts.push(`${context.lookbackDays}-day lookback`)
  if (context.conversionEvents && context.conversionEvents.length > 0) parts.push(context.conversionEvents.join(', '))
  if (context.stream) parts.push(`stream ${context.stream}`)
  if (context.lookbackDays !== undefined || context.fromDate || context.toDate) parts.push(dateRangeText(context))
  if (context.drillDown) parts.push(context.drillDown)
  return parts.join(' · ')
}
