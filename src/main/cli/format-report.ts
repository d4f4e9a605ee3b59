import { GROUPING_KEYS, type ReportResult, groupLabel } from '@shared/attribution'
import { csvContextLines, toCsv } from '@shared/csv'
import { formatCents, parseCents } from '@shared/money'
import { type ReportComparison, relativeChange } from '../services/model-reports'

/** Output formats of `attribution report`. */
export const REPORT_FORMATS = ['table', 'json', 'csv'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

/** Renders a report for stdout; JSON is exactly one object. */
export function formatReport(report: ReportResult, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report)}\n`
  const keys = GROUPING_KEYS[report.by]
  const header = [...keys, 'conversions', 'revenue_usd']
  if (format === 'csv') {
    return toCsv(report.rows, [
      ...keys.map((key) => ({ header: key, value: (row: ReportResult['rows'][number]) => row[key] ?? '' })),
      { header: 'conversions', value: (row) => row.conversions },
      { header: 'revenue_usd', value: (row) => row.revenue_usd },
    ])
  }
  const body = report.rows.map((row) => [...keys.map((key) => row[key] ?? ''), String(row.conversions), row.revenue_usd])
  const totals = [...keys.map((_, index) => (index === 0 ? 'Total' : '')), String(report.totals.conversions), report.totals.revenue_usd]
  const title = `${report.model} attribution, ${report.lookback_days}-day lookback, conversions: ${report.conversion_events.join(', ')}`
  return `${title}\n${table(header, body, totals)}`
}

/** What `report --format csv --context` writes above the header. */
export interface ReportContext {
  model: string
  lookbackDays: number
  conversionEvents: readonly string[]
  by: string
  /** The dates the numbers cover, open ends filled with the data's first and last conversion date. */
  fromDate: string | null
  toDate: string | null
  /** `--compare-previous`: the earlier period's dates. */
  comparedWith?: { fromDate: string; toDate: string }
  exportedAt: string
}

/** The `# name: value` lines the app's exports carry too, for `report --context`; pipes get plain CSV without it. */
export function reportContextLines(context: ReportContext): string {
  const dates = context.fromDate || context.toDate ? `${context.fromDate ?? 'start'} to ${context.toDate ?? 'end'}` : 'all dates'
  return csvContextLines([
    ['view', 'report'],
    ['model', context.model],
    ['lookback_days', String(context.lookbackDays)],
    ['conversion_events', context.conversionEvents.join(' ')],
    ['by', context.by],
    ['dates', dates],
    ...(context.comparedWith ? ([['compared_with', `${context.comparedWith.fromDate} to ${context.comparedWith.toDate}`]] as const) : []),
    ['exported_at', context.exportedAt],
  ])
}

/** A change as a plain percentage number with one decimal ("12.5", "-3.0"; no "+", which spreadsheets read as a formula), empty when the earlier value is 0. */
function percentText(change: number | null): string {
  if (change === null) return ''
  const percent = (change * 100).toFixed(1)
  return percent === '-0.0' ? '0.0' : percent
}

/**
 * A report beside the same report of an earlier period: per group the earlier conversions and
 * revenue and the change in percent (empty where the earlier period had none); JSON is the two reports.
 */
export function formatReportComparison(comparison: ReportComparison, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(comparison)}\n`
  const { current, previous } = comparison
  const keys = GROUPING_KEYS[current.by]
  const earlier = new Map(previous.rows.map((row) => [groupLabel(row, current.by), row]))
  const labels = [...current.rows.map((row) => groupLabel(row, current.by))]
  for (const row of previous.rows) if (!labels.includes(groupLabel(row, current.by))) labels.push(groupLabel(row, current.by))
  const now = new Map(current.rows.map((row) => [groupLabel(row, current.by), row]))
  const line = (cells: string[], conversions: [number, number], revenue: [string, string]): string[] => [
    ...cells,
    String(conversions[0]),
    revenue[0],
    String(conversions[1]),
    revenue[1],
    percentText(relativeChange(conversions[0], conversions[1])),
    percentText(relativeChange(Number(parseCents(revenue[0])), Number(parseCents(revenue[1])))),
  ]
  const body = labels.map((label) => {
    const row = now.get(label) ?? earlier.get(label)
    const [a, b] = [now.get(label), earlier.get(label)]
    return line(
      keys.map((key) => row?.[key] ?? ''),
      [a?.conversions ?? 0, b?.conversions ?? 0],
      [a?.revenue_usd ?? formatCents(0n), b?.revenue_usd ?? formatCents(0n)],
    )
  })
  const header = [
    ...keys,
    'conversions',
    'revenue_usd',
    'previous_conversions',
    'previous_revenue_usd',
    'conversions_change_pct',
    'revenue_change_pct',
  ]
  // Conversions go to the writer as numbers, so it rounds them like every other export.
  const isCount = (title: string) => title === 'conversions' || title === 'previous_conversions'
  const cell = (title: string, text: string | undefined) => (isCount(title) && text !== undefined ? Number(text) : text)
  if (format === 'csv')
    return toCsv(
      body,
      header.map((title, column) => ({ header: title, value: (cells: string[]) => cell(title, cells[column]) })),
    )
  const totals = line(
    keys.map((_, index) => (index === 0 ? 'Total' : '')),
    [current.totals.conversions, previous.totals.conversions],
    [current.totals.revenue_usd, previous.totals.revenue_usd],
  )
  const title =
    `${current.model} attribution, ${current.lookback_days}-day lookback, conversions: ${current.conversion_events.join(', ')}; ` +
    `${current.from_date}..${current.to_date} against ${previous.from_date}..${previous.to_date}`
  return `${title}\n${table(header, body, totals, 6)}`
}

function table(header: string[], body: string[][], totals: string[], numericColumns = 2): string {
  const all = [header, ...body, totals]
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)))
  const numeric = (column: number) => column >= header.length - numericColumns
  const line = (row: string[]) =>
    row.map((cell, column) => (numeric(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join('  ')
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  return [line(header), rule, ...body.map(line), rule, line(totals)].join('\n') + '\n'
}
