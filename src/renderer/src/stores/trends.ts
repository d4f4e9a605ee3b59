import type { DashboardFilters, TrendPoint, TrendsResult } from '@shared/api'
import type { AttributionModel } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../api'
import type { ChartMetric } from '../charts/chart-style'
import { type LoadOptions, useRemote } from '../composables/use-remote'

/** Days of data the trends view covers, counted back from the newest conversion date. */
export const TREND_DAYS = 14

/** Conversions and revenue per day, per model or per channel. */
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
  /** Whether the chart splits one model by channel instead of comparing the two models. */
  const isByChannel = ref(false)
  /** The model split by channel. */
  const model = ref<AttributionModel>('last_click')

  /** The points the chart draws, for the table under it: both models, or the chosen model by channel. */
  const visiblePoints = computed<TrendPoint[]>(() => {
    const points = result.value?.points ?? []
    // While the other split's answer is still on screen, show nothing rather than mislabelled points.
    const shown = isByChannel.value
      ? points.filter((point) => point.model === model.value && point.channel !== undefined)
      : points.filter((point) => point.channel === undefined)
    return [...shown].sort(
      (a, b) =>
        a.date.localeCompare(b.date) || a.model.localeCompare(b.model) || (a.channel ?? '').localeCompare(b.channel ?? ''),
    )
  })

  /** Asks for the last TREND_DAYS days under these filters, split by channel when chosen; in the background after a rebuild. */
  async function load(filters: DashboardFilters, options: LoadOptions = {}): Promise<void> {
    const byChannel = isByChannel.value
    await remote.run(() => useApi().attribution.trends({ ...filters, days: TREND_DAYS, byChannel }), options)
  }

  return { result, error, isLoading, metric, isByChannel, model, visiblePoints, load }
})
