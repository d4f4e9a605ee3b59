import type { DashboardFilters, TrendPoint, TrendsResult } from '@shared/api'
import type { AttributionModel } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../api'
import type { ChartMetric } from '../charts/chart-style'
import { type LoadOptions, useRemote } from '../composables/use-remote'
import { formatDateRange } from '../lib/format'

/** Days of data the trends view covers without a start date, counted back from the end date or newest conversion. */
export const TREND_DAYS = 14
/** Most days the trends view shows of a chosen range (the main process refuses more). */
export const TREND_MAX_DAYS = 90

/** Days to ask for: the default window, or as much of a chosen range as the main process allows. */
export function trendDaysFor(filters: DashboardFilters): number {
  return filters.fromDate ? TREND_MAX_DAYS : TREND_DAYS
}

/** The trends view's title and, when the chosen range was cut to the newest days, why. */
export function trendsHeading(result: TrendsResult | undefined, filters: DashboardFilters): { title: string; note?: string } {
  const hasRange = Boolean(filters.fromDate || filters.toDate)
  if (!result?.from_date) return { title: hasRange ? 'Chosen dates' : `Last ${TREND_DAYS} days of data` }
  const shown = formatDateRange(result.from_date, result.to_date)
  if (!hasRange) return { title: `Last ${TREND_DAYS} days of data`, note: shown }
  if (filters.fromDate && result.from_date > filters.fromDate) {
    return { title: shown, note: `The chart shows at most ${TREND_MAX_DAYS} days: the newest of the range from ${formatDateRange(filters.fromDate, filters.fromDate)}.` }
  }
  return { title: shown }
}

/** Conversions and revenue per day and channel under both models. */
export const useTrendsStore = defineStore('trends', () => {
  const remote = useRemote<TrendsResult>()
  /** The last trends answered, kept (dimmed) while new ones load. */
  const result = remote.data
  /** Why the last request failed, or undefined. */
  const error = remote.error
  /** True while a request is in flight. */
  const isLoading = remote.isLoading
  /** Which number the chart plots. */
  const metric = ref<ChartMetric>('conversions')
  /** Whether the chart splits one model by channel instead of showing how the two models differ. */
  const isByChannel = ref(false)
  /** The model split by channel. */
  const model = ref<AttributionModel>('last_click')

  /** The points behind the chart, for the table under it: both models by channel, or the chosen model by channel. */
  const visiblePoints = computed<TrendPoint[]>(() => {
    const points = (result.value?.points ?? []).filter(
      (point) => point.channel !== undefined && (!isByChannel.value || point.model === model.value),
    )
    return points.sort(
      (a, b) =>
        a.date.localeCompare(b.date) || a.model.localeCompare(b.model) || (a.channel ?? '').localeCompare(b.channel ?? ''),
    )
  })

  /** Asks for the days under these filters, always by channel (both splits draw channels); in the background after a rebuild. */
  async function load(filters: DashboardFilters, options: LoadOptions = {}): Promise<void> {
    await remote.run(() => useApi().attribution.trends({ ...filters, days: trendDaysFor(filters), byChannel: true }), options)
  }

  return { result, error, isLoading, metric, isByChannel, model, visiblePoints, load }
})
