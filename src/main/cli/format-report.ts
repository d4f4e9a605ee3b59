import { GROUPING_KEYS, type ReportResult } from '../../shared/attribution'
import { toCsv } from '../../shared/csv'

/** Output formats of `attribution report`. */
export const REPORT_FORMATS = ['table', 'json', 'csv'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

/** Renders a report for stdout; JSON is exactly one object. */
export function formatReport(report: ReportResult, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report)}\n`
  const keys = GROUPING_KEYS[report.by]
  const header = [...keys, 'conversions', 'revenue_usd']
  const body = report.rows.map((row) => [...keys.map((key) => row[key] ?? ''), String(row.conversions), row.revenue_usd])
  if (format === 'csv') return toCsv(body, header.map((title, column) => ({ header: title, value: (cells: string[]) => cells[column] })))
  const totals = [...keys.map((_, index) => (index === 0 ? 'Total' : '')), String(report.totals.conversions), report.totals.revenue_usd]
  const title = `${report.model} attribution, ${report.lookback_days}-day lookback, conversions: ${report.conversion_events.join(', ')}`
  return `${title}\n${table(header, body, totals)}`
}

function table(header: string[], body: string[][], totals: string[]): string {
  const all = [header, ...body, totals]
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)))
  const numeric = (column: number) => column >= header.length - 2
  const line = (row: string[]) =>
    row.map((cell, column) => (numeric(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join('  ')
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  return [line(header), rule, ...body.map(line), rule, line(totals)].join('\n') + '\n'
}
