import type { DashboardFilters } from '@shared/api'
import { LOOKBACK_MAX_DAYS } from '@shared/attribution'

/**
 * What could bring conversions into an empty view; only the changes that can still add some are suggested.
 * `eventNameCount` is how many event names the warehouse holds: any of them can be chosen as a conversion.
 */
export function emptyHint(
  filters: Pick<DashboardFilters, 'lookbackDays' | 'conversionEvents' | 'fromDate' | 'toDate'>,
  eventNameCount: number,
): string {
  const tries: string[] = []
  if (filters.lookbackDays < LOOKBACK_MAX_DAYS) tries.push('a longer lookback')
  if (filters.conversionEvents.length < eventNameCount) tries.push('more conversion events')
  if (filters.fromDate || filters.toDate) tries.push('a wider date range')
  if (tries.length === 0) return 'No conversion in the warehouse matches: import or stream events, then refresh.'
  const last = tries.pop() as string
  return `Try ${tries.length > 0 ? `${tries.join(', ')} or ${last}` : last}.`
}

/** True when a revenue chart would be all zero-height bars: every amount is 0 (conversions without a value). */
export function isZeroRevenue(metric: 'conversions' | 'revenue', amountsUsd: ReadonlyArray<string | number>): boolean {
  return metric === 'revenue' && amountsUsd.length > 0 && amountsUsd.every((amount) => Number(amount) === 0)
}

/** The empty state of a revenue chart with nothing to draw. */
export const ZERO_REVENUE = {
  title: 'No revenue for these filters',
  hint: 'These conversions carry no value (add_to_cart and begin_checkout seldom do): switch Metric to Conversions.',
} as const
