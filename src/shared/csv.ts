/**
 * The one CSV writer of the CLI (`report --format csv`) and the app's exports. Sources, mediums and
 * campaigns come from UTM parameters anyone can set, so no cell may reach a spreadsheet as a formula.
 */

/** One column of a CSV export: a header and how to read the cell from a row. */
export interface CsvColumn<Row> {
  header: string
  value: (row: Row) => string | number | null | undefined
  /** Most decimals of a number cell; by default 2 for money (`*_usd`) and 6 for counts and shares. */
  decimals?: number
}

/** Decimals of money cells: cents. */
export const MONEY_DECIMALS = 2
/** Most decimals of other number cells: fractional conversions (linear, data-driven) read back to 1e-6. */
export const COUNT_DECIMALS = 6

/** A column's decimals: as set, else by the house naming of money (`revenue_usd`). */
function columnDecimals(column: Pick<CsvColumn<unknown>, 'header' | 'decimals'>): number {
  return column.decimals ?? (/_usd$/.test(column.header) ? MONEY_DECIMALS : COUNT_DECIMALS)
}

/**
 * A number rounded for spreadsheets and pandas: money with exactly `decimals` ("12.50"), others with at
 * most `decimals` and no float noise ("0.333333", "3"); never "-0" or an exponent.
 */
export function roundedNumber(value: number, decimals: number, isMoney = false): string {
  if (!Number.isFinite(value)) return ''
  const fixed = value.toFixed(decimals)
  const text = isMoney ? fixed : fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text
}

/** A change as a ratio (0.25) written as percent with one decimal (25.0), for `*_change_pct` columns; empty when unknown. */
export function percentCell(change: number | null | undefined): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return ''
  return roundedNumber(change * 100, 1, true)
}

/** Context lines above the header, as GA4's own exports carry them ("# model: last_click"); `comment='#'` readers skip them. */
export function csvContextLines(entries: ReadonlyArray<readonly [string, string]>): string {
  // Line breaks inside a value would end the comment early.
  return entries.map(([name, value]) => `# ${name}: ${value.replace(/[\r\n]+/g, ' ')}\r\n`).join('')
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

/**
 * One cell of a column: numbers rounded to the column's decimals. Text stays as it is (an id such as
 * "1234.5678" must not be cut), except number-like text in a money column (amounts come as "12.50").
 */
function columnCell<Row>(column: CsvColumn<Row>, row: Row): string {
  const value = column.value(row)
  const decimals = columnDecimals(column)
  const isMoney = /_usd$/.test(column.header)
  if (typeof value === 'number') return roundedNumber(value, decimals, isMoney)
  if (isMoney && typeof value === 'string' && PLAIN_NUMBER.test(value)) return roundedNumber(Number(value), decimals, true)
  return csvCell(value)
}

/** A CSV document (RFC 4180, CRLF line ends) with a header row; numbers rounded per column. */
export function toCsv<Row>(rows: readonly Row[], columns: readonly CsvColumn<Row>[]): string {
  const lines = [columns.map((column) => csvCell(column.header)).join(',')]
  for (const row of rows) lines.push(columns.map((column) => columnCell(column, row)).join(','))
  return `${lines.join('\r\n')}\r\n`
}
