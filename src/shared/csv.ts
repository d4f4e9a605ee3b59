/**
 * The one CSV writer of the CLI (`report --format csv`) and the app's exports. Sources, mediums and
 * campaigns come from UTM parameters anyone can set, so no cell may reach a spreadsheet as a formula.
 */

/** One column of a CSV export: a header and how to read the cell from a row. */
export interface CsvColumn<Row> {
  header: string
  value: (row: Row) => string | number | null | undefined
}

/** A genuine number, as the app writes amounts and counts ("-12.50"): a spreadsheet reads it as a value, never a formula. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/
// Spreadsheets run cells starting with these as formulas (CSV injection); a tab or CR at the start counts too.
const FORMULA_START = /^[=+\-@\t\r]/

/** One CSV cell: formula-like text defused with a leading apostrophe, quoted when needed, quotes doubled. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  const text = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text
}

/** A CSV document (RFC 4180, CRLF line ends) with a header row. */
export function toCsv<Row>(rows: readonly Row[], columns: readonly CsvColumn<Row>[]): string {
  const lines = [columns.map((column) => csvCell(column.header)).join(',')]
  for (const row of rows) lines.push(columns.map((column) => csvCell(column.value(row))).join(','))
  return `${lines.join('\r\n')}\r\n`
}
