import type { ConversionPath, PathsResult } from '@shared/api'
import { toCsv } from '@shared/csv'
import { formatConversions, formatInteger, formatShare, formatUsd } from '@renderer/lib/format'

/** What an empty path means: the conversion had no session in the lookback window (credited to Unassigned). */
export const EMPTY_PATH_LABEL = 'No session in the window'

/** One chip of a path: a channel and how many sessions in a row came through it. */
export interface PathStep {
  channel: string
  count: number
}

/** A path with consecutive repeats merged ("direct ×3"), as GA4 shows long paths. */
export function pathSteps(channels: readonly string[]): PathStep[] {
  const steps: PathStep[] = []
  for (const channel of channels) {
    const last = steps.at(-1)
    if (last?.channel === channel) last.count += 1
    else steps.push({ channel, count: 1 })
  }
  return steps
}

/** A path as one line of text, every session spelled out ("email > direct > direct"), for CSV and titles. */
export function pathText(channels: readonly string[]): string {
  return channels.length === 0 ? EMPTY_PATH_LABEL : channels.join(' > ')
}

/** Early, middle and late shares of a path's credit as percentages of the bar's width, summing to 100. */
export interface CreditWidths {
  early: number
  middle: number
  late: number
}

/** The credit bar's widths; null when there is no split to draw (data_driven, or a path with no touch to credit). */
export function creditWidths(credit: ConversionPath['credit']): CreditWidths | null {
  if (!credit) return null
  const parts = [credit.early, credit.middle, credit.late].map((share) => (Number.isFinite(share) ? Math.max(0, share) : 0))
  const sum = parts.reduce((total, share) => total + share, 0)
  if (sum <= 0) return null
  // Shares come rounded and may miss 1 by a hair; the bar still fills its width exactly.
  const [early = 0, middle = 0, late = 0] = parts.map((share) => (share / sum) * 100)
  return { early, middle, late }
}

/** The credit split in words for a tooltip and screen readers ("early 40.0% · middle 20.0% · late 40.0%"). */
export function creditText(widths: CreditWidths): string {
  return `early ${formatShare(widths.early / 100)} · middle ${formatShare(widths.middle / 100)} · late ${formatShare(widths.late / 100)}`
}

/** How many distinct paths there are, which are on the page, and what the ones not on it hold. */
export function otherPathsText(result: PathsResult): string {
  const listed = result.paths.length
  const total = result.total_paths
  if (total === 0) return 'There are no paths for these filters.'
  if (total <= listed) return total === 1 ? 'The only path is listed.' : `All ${formatInteger(total)} distinct paths are listed.`
  const others = total - listed
  const share = result.totals.conversions > 0 ? ` (${formatShare(result.other.conversions / result.totals.conversions)} of all)` : ''
  const offset = result.offset ?? 0
  const which =
    listed === 0
      ? 'none is listed'
      : offset === 0 && result.matching.paths === total
        ? `the top ${formatInteger(listed)} are listed`
        : `${formatInteger(listed)} are listed`
  return (
    `${formatInteger(total)} distinct paths: ${which}; the other ${formatInteger(others)} ` +
    `${others === 1 ? 'path holds' : 'paths hold'} ${formatConversions(result.other.conversions)} conversions${share} and ${formatUsd(result.other.revenue_usd)}.`
  )
}

/** One CSV row: a listed path, or the unlisted ones together (no averages or credit). */
type PathCsvRow = Pick<ConversionPath, 'conversions' | 'revenue_usd'> & { path: string; listed?: ConversionPath }

/** The paths as CSV, one row per listed path, then the unlisted ones as one "(N other paths)" row so the file adds up to the totals. */
export function pathsCsv(result: PathsResult): string {
  const rows: PathCsvRow[] = result.paths.map((path) => ({ ...path, path: pathText(path.channels), listed: path }))
  const others = result.total_paths - result.paths.length
  if (others > 0) rows.push({ path: `(${others} other ${others === 1 ? 'path' : 'paths'})`, ...result.other })
  const share = (part: 'early' | 'middle' | 'late') => (row: PathCsvRow) => row.listed?.credit?.[part]
  return toCsv(rows, [
    { header: 'path', value: (row) => row.path },
    { header: 'conversions', value: (row) => row.conversions },
    { header: 'revenue_usd', value: (row) => row.revenue_usd },
    { header: 'avg_touches', value: (row) => row.listed?.avg_touches },
    { header: 'avg_days_to_conversion', value: (row) => row.listed?.avg_days_to_conversion },
    { header: 'early_credit_share', value: share('early') },
    { header: 'middle_credit_share', value: share('middle') },
    { header: 'late_credit_share', value: share('late') },
  ])
}

/** Which matching paths the page shows ("Paths 21–40 of 312 matching"), or that none matches. */
export function pageText(result: PathsResult): string {
  const matching = result.matching.paths
  const filtered = matching !== result.total_paths
  if (matching === 0) return filtered ? 'No path matches the filter.' : 'No paths.'
  const first = result.offset + 1
  const last = result.offset + result.paths.length
  const range =
    result.paths.length === 0 ? `No paths after ${formatInteger(result.offset)}` : `Paths ${formatInteger(first)}–${formatInteger(last)}`
  return `${range} of ${formatInteger(matching)}${filtered ? ' matching' : ''}`
}

/** What the filter lets through, against all paths; undefined without a filter. */
export function matchingText(result: PathsResult): string | undefined {
  if (result.matching.paths === result.total_paths) return undefined
  const share =
    result.totals.conversions > 0 ? ` (${formatShare(result.matching.conversions / result.totals.conversions)} of all conversions)` : ''
  return (
    `${formatInteger(result.matching.paths)} of ${formatInteger(result.total_paths)} paths match: ` +
    `${formatConversions(result.matching.conversions)} conversions${share} and ${formatUsd(result.matching.revenue_usd)}.`
  )
}
