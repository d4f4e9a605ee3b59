import { formatCents, parseCents } from '@shared/money'

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** Groups the digits of a non-negative whole number with commas ("1234567" -> "1,234,567"). */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** A count for tables: whole number with thousands separators. */
export function formatInteger(value: number): string {
  return integerFormat.format(value)
}

/** A count with an explicit sign, for differences ("+12", "-3", "0"). */
export function formatSignedInteger(value: number): string {
  return value > 0 ? `+${formatInteger(value)}` : formatInteger(value)
}

/** Below this, credit is float noise around zero (credit arrives with 6 decimals). */
const ZERO_CREDIT_EPSILON = 5e-7
/** Credit this close to a whole number reads as that number even in a tooltip's two decimals ("399.99998" is "400"). */
const WHOLE_CREDIT_TOLERANCE = 0.005
const oneDecimalFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })
const preciseFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })

/** The whole number credited conversions amount to as shown (single-touch models, sums of shared credit), or undefined for a fraction. */
export function wholeCredit(value: number): number | undefined {
  const rounded = Math.round(value)
  // Near zero only noise counts as zero, so a real sliver of credit still reads "<0.1".
  const tolerance = rounded === 0 ? ZERO_CREDIT_EPSILON : WHOLE_CREDIT_TOLERANCE
  return Math.abs(value - rounded) < tolerance ? rounded + 0 : undefined
}

/** Credited conversions for tables: whole as "1,234", shared credit as "12.5", a sliver as "<0.1" rather than a false "0.0". */
export function formatConversions(value: number): string {
  const whole = wholeCredit(value)
  if (whole !== undefined) return formatInteger(whole)
  if (Math.abs(value) < 0.05) return `${value < 0 ? '-' : ''}<0.1`
  return oneDecimalFormat.format(value)
}

/** Credited conversions for tooltips: whole as "12", shared credit to two decimals ("12.33"), a sliver as "<0.01". */
export function formatConversionsPrecise(value: number): string {
  const whole = wholeCredit(value)
  if (whole !== undefined) return formatInteger(whole)
  if (Math.abs(value) < 0.005) return `${value < 0 ? '-' : ''}<0.01`
  return preciseFormat.format(value)
}

/** A difference of credited conversions with an explicit sign ("+3", "-1.5", "0"). */
export function formatSignedConversions(value: number, options: { isPrecise?: boolean } = {}): string {
  const whole = wholeCredit(value)
  if (whole !== undefined) return formatSignedInteger(whole)
  const text = (options.isPrecise ? formatConversionsPrecise : formatConversions)(value)
  return value > 0 ? `+${text}` : text
}

/** A relative change as a signed percentage with one decimal ("+12.5%", "-3.0%", "0.0%"); null (no baseline) as "—". */
export function formatPercentChange(change: number | null): string {
  if (change === null || !Number.isFinite(change)) return '—'
  const tenths = Math.round(change * 1000)
  if (tenths === 0) return '0.0%'
  return `${tenths > 0 ? '+' : '-'}${oneDecimalFormat.format(Math.abs(tenths) / 10)}%`
}

/** Formats exact cents as "$1,234.50" ("-$3.00" when negative) without going through floats. */
export function formatUsdCents(cents: bigint, options: { signed?: boolean } = {}): string {
  const [whole = '0', fraction = '00'] = formatCents(cents < 0n ? -cents : cents).split('.')
  const sign = cents < 0n ? '-' : options.signed && cents > 0n ? '+' : ''
  return `${sign}$${groupThousands(whole)}.${fraction}`
}

/** Cents of a decimal string; amounts with more decimals (raw event values) are rounded for display only. */
function displayCents(amount: string): bigint | undefined {
  try {
    return parseCents(amount)
  } catch {
    const value = Number(amount)
    return Number.isFinite(value) ? BigInt(Math.round(value * 100)) : undefined
  }
}

/** A decimal USD string from the main process ("1234.5") as "$1,234.50"; text that is no amount is shown as is. */
export function formatUsd(amount: string): string {
  const cents = displayCents(amount)
  return cents === undefined ? amount : formatUsdCents(cents)
}

/** A USD difference with an explicit sign ("+$12.00", "-$3.50", "$0.00"). */
export function formatSignedUsd(amount: string): string {
  const cents = displayCents(amount)
  return cents === undefined ? amount : formatUsdCents(cents, { signed: true })
}

/** A compact USD amount for chart axes, where exact cents would only add noise ("$12.3k"). */
export function formatUsdShort(value: number): string {
  const magnitude = Math.abs(value)
  const sign = value < 0 ? '-' : ''
  if (magnitude >= 1_000_000) return `${sign}$${(magnitude / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`
  if (magnitude >= 1_000) return `${sign}$${(magnitude / 1_000).toFixed(1).replace(/\.0$/, '')}k`
  return `${sign}$${magnitude.toFixed(0)}`
}

/** A USD amount with cents for chart axes whose range is only a few dollars ("$0.25", "-$1.50"). */
export function formatUsdWithCents(value: number): string {
  const sign = value < 0 ? '-' : ''
  return `${sign}$${Math.abs(value).toFixed(2)}`
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** An inclusive `YYYY-MM-DD` range for titles ("1 Dec – 14 Dec 2020", "28 Dec 2020 – 3 Jan 2021", "1 Dec 2020"). */
export function formatDateRange(from: string, to: string): string {
  const parts = (date: string) => {
    const [year = '', month = '', day = ''] = date.split('-')
    return { year, label: `${Number(day)} ${MONTHS[Number(month) - 1] ?? month}` }
  }
  const start = parts(from)
  const end = parts(to)
  if (from === to) return `${end.label} ${end.year}`
  return start.year === end.year ? `${start.label} – ${end.label} ${end.year}` : `${start.label} ${start.year} – ${end.label} ${end.year}`
}

/** A share 0..1 as a percentage with one decimal ("12.3%"). */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`
}

/** How long ago an ISO time was, for freshness labels ("just now", "2 min ago", "3 h ago", "5 days ago"). */
export function formatRelativeTime(iso: string | null, nowMs: number): string {
  if (!iso) return 'never'
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return 'unknown'
  const seconds = Math.round((nowMs - then) / 1000)
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  const days = Math.round(hours / 24)
  return days === 1 ? '1 day ago' : `${days} days ago`
}

/** Like `formatRelativeTime` but counting seconds for the first minute, for live freshness ("3 s ago"). */
export function formatAge(iso: string | null, nowMs: number): string {
  if (!iso) return 'never'
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return 'unknown'
  // Clocks of the main process and the window can differ by a moment: a time just ahead is "just now".
  const seconds = Math.floor((nowMs - then) / 1000)
  if (seconds < 1) return 'just now'
  if (seconds < 60) return `${seconds} s ago`
  return formatRelativeTime(iso, nowMs)
}

const pad = (value: number) => String(value).padStart(2, '0')

/** A timestamp in the viewer's local time as "2026-11-26 23:28:09", sortable and unambiguous. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  )
}

/** A long file path cut to its last segments ("…/app/warehouse.duckdb"): the end names the warehouse. */
export function shortenPath(path: string, maxLength = 34): string {
  if (path.length <= maxLength) return path
  const segments = path.split(/[\\/]/)
  let tail = segments.pop() ?? ''
  for (let next = segments.pop(); next !== undefined && tail.length + next.length + 3 <= maxLength; next = segments.pop()) {
    tail = `${next}/${tail}`
  }
  return `…/${tail}`
}
