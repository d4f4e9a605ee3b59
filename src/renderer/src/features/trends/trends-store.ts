import type { DashboardFilters, TrendPoint, TrendsResult } from '@shared/api'
import type { AttributionModel } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '@renderer/api'
import type { ChartMetric } from '@renderer/charts/chart-style'
import { type LoadOptions, useRemote } from '@renderer/composables/use-remote'
import { formatDateRange } from '@renderer/lib/format'
import { DEFAULT_MODEL_PAIR, type ModelPair } from '@renderer/stores/filters'

/** Days of data the trends view covers without a start date, counted back from the end date or newest conversion. */
export const TREND_DAYS = 14
/** Most days the trends view shows of a chosen range (the main process refuses more). */
export const TREND_MAX_DAYS = 90

/** Days to ask for: the default window, or as much of a chosen range as the main process allows. */
export function trendDaysFor(filters: DashboardFilters): number {
  return filters.fromDate ? TREND_MAX_DAYS : TREND_DAYS
}

/** A chosen range named by its dates even when it holds no data ("1 Dec – 14 Dec 2020", "From 1 Dec 2020"). */
function chosenRangeTitle(filters: DashboardFilters): string {
  if (filters.fromDate && filters.toDate) return formatDateRange(filters.fromDate, filters.toDate)
  if (filters.fromDate) return `From ${formatDateRange(filters.fromDate, filters.fromDate)}`
  return `Up to ${formatDateRange(filters.toDate ?? '', filters.toDate ?? '')}`
}

/** The trends view's title and, when the chosen range was cut to the newest days, why. */
export function trendsHeading(result: TrendsResult | undefined, filters: DashboardFilters): { title: string; note?: string } {
  const hasRange = Boolean(filters.fromDate || filters.toDate)
  if (!result?.from_date) return { title: hasRange ? chosenRangeTitle(filters) : `Last ${TREND_DAYS} days of data` }
  const shown = formatDateRange(result.from_date, result.to_date)
  if (!hasRange) return { title: `Last ${TREND_DAYS} days of data`, note: shown }
  if (filters.fromDate && result.from_date > filters.fromDate) {
    return {
      title: shown,
      note: `The chart shows at most ${TREND_MAX_DAYS} days: the newest of the range from ${formatDateRange(filters.fromDate, filters.fromDate)}.`,
    }
  }
  return { title: shown }
}

/** The models a trends request names: the pair, once each (a model compared with itself is asked for once). */
export function trendModelsFor(models: ModelPair): AttributionModel[] {
  return models[0] === models[1] ? [models[0]] : [models[0], models[1]]
}

/** A trends answer with the pair it was asked for, so a late answer is never read with a newer pair. */
interface AnsweredTrends {
  models: ModelPair
  trends: TrendsResult
}

/** Conversions and revenue per day and channel under the compared pair of models. */
export const useTrendsStore = defineStore('trends', () => {
  const remote = useRemote<AnsweredTrends>()
  /** The last trends answered, kept (dimmed) while new ones load. */
  const result = computed(() => remote.data.value?.trends)
  /** The pair the shown answer was asked for: [a, b]; "by model" draws b minus a. */
  const models = computed<ModelPair>(() => remote.data.value?.models ?? DEFAULT_MODEL_PAIR)
  /** Why the last request failed, or undefined. */
  const error = remote.error
  /** True while a request is in flight. */
  const isLoading = remote.isLoading
  /** Which number the chart plots. */
  const metric = ref<ChartMetric>('conversions')
  /** Whether the chart splits one model by channel instead of showing how the two models differ. */
  const isByChannel = ref(false)
  /** Which of the pair is split by channel: b (last click by default) unless a person picks a. */
  const channelSide = ref<'a' | 'b'>('b')
  /** The model split by channel. */
  const model = computed<AttributionModel>(() => models.value[channelSide.value === 'a' ? 0 : 1])

  /** The points behind the chart, for the table under it: both models by channel (a first), or the chosen model by channel. */
  const visiblePoints = computed<TrendPoint[]>(() => {
    const order = (point: TrendPoint) => (point.model === models.value[0] ? 0 : 1)
    const points = (result.value?.points ?? []).filter(
      (point) => point.channel !== undefined && (isByChannel.value ? point.model === model.value : models.value.includes(point.model)),
    )
    return points.sort((a, b) => a.date.localeCompare(b.date) || order(a) - order(b) || (a.channel ?? '').localeCompare(b.channel ?? ''))
  })

  /** Asks for the days under these filters and models, always by channel (both splits draw channels); in the background after a rebuild. */
  async function load(filters: DashboardFilters, pair: ModelPair, options: LoadOptions = {}): Promise<void> {
    const request = { ...filters, models: trendModelsFor(pair), days: trendDaysFor(filters), byChannel: true }
    await remote.run(async () => {
      const answer = await useApi().attribution.trends(request)
      return answer.ok ? { ok: true, value: { models: pair, trends: answer.value } } : answer
    }, options)
  }

  return { result, models, error, isLoading, metric, isByChannel, channelSide, model, visiblePoints, load }
})
