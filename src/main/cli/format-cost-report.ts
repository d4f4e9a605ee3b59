import type { CostCell, CostReturnResult, CostReturnRow } from '@shared/cost-return'
import { toCsv } from '@shared/csv'
import type { ReportFormat } from './format-report'

/** One line per group and model: what `report --with-cost` prints as a table or CSV. */
interface CostLine {
  row: CostReturnRow
  model: string
  cell: CostCell
}

const DASH = '—'

/** Renders `report --with-cost`; JSON is the Cost & return view's answer as it is. */
export function formatCostReport(result: CostReturnResult, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(result)}\n`
  const lines: CostLine[] = result.rows.flatMap((row) =>
    result.models.flatMap((model) => {
      const cell = row.cells[model]
      return cell ? [{ row, model, cell }] : []
    }),
  )
  const keys = result.by === 'channel' ? (['channel'] as const) : (['channel', 'source', 'medium', 'campaign'] as const)
  const columns = [
    ...keys.map((key) => ({ header: key, value: (line: CostLine) => line.row[key] ?? '' })),
    { header: 'model', value: (line: CostLine) => line.model },
    { header: 'cost_usd', value: (line: CostLine) => line.row.cost_usd },
    { header: 'conversions', value: (line: CostLine) => line.cell.conversions },
    { header: 'revenue_usd', value: (line: CostLine) => line.cell.revenue_usd },
    { header: 'cost_per_conversion_usd', value: (line: CostLine) => line.cell.cost_per_conversion_usd ?? '' },
    { header: 'roas', value: (line: CostLine) => line.cell.roas ?? '' },
    { header: `roas_difference_vs_${result.baseline}`, value: (line: CostLine) => line.cell.roas_change ?? '' },
  ]
  if (format === 'csv') return toCsv(lines, columns)
  const body = lines.map((line) =>
    columns.map(
      (column) => String(column.value(line)) || (column.header.startsWith('roas') || column.header.startsWith('cost_per') ? DASH : ''),
    ),
  )
  const header = columns.map((column) => column.header)
  const widths = header.map((title, index) => Math.max(title.length, ...body.map((cells) => (cells[index] ?? '').length)))
  const numericFrom = keys.length + 2
  const render = (cells: string[]) =>
    cells.map((cell, index) => (index >= numericFrom ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0))).join('  ')
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  const title = `Cost & return, ${result.lookback_days}-day lookback, conversions: ${result.conversion_events.join(', ')}; total cost ${result.totals.cost_usd} USD`
  const disagreements = result.disagreements.map(
    (entry) => `  ${entry.group}: #${entry.rank_a} under ${entry.model_a}, #${entry.rank_b} under ${entry.model_b}`,
  )
  return [
    title,
    render(header),
    rule,
    ...body.map(render),
    ...(disagreements.length > 0 ? ['', 'Where models disagree most (ROAS rank):', ...disagreements] : []),
    '',
  ].join('\n')
}
