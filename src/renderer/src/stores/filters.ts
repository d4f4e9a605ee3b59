import type { DashboardFilters } from '@shared/api'
import {
  type AttributionModel,
  type ConversionEvent,
  DEFAULT_CONVERSION_EVENTS,
  LOOKBACK_DEFAULT_DAYS,
  LOOKBACK_MAX_DAYS,
  LOOKBACK_MIN_DAYS,
} from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

/** Pause after the last lookback change before the views query, so dragging the slider sends one request. */
export const LOOKBACK_DEBOUNCE_MS = 150

/** Two models side by side: `[a, b]`, a on the left of the flow chart, "by model" showing b minus a. */
export type ModelPair = readonly [AttributionModel, AttributionModel]

/** The pair Compare models and Trends start with: the two single-touch extremes. */
export const DEFAULT_MODEL_PAIR: ModelPair = ['first_click', 'last_click']

/** A lookback clamped into the supported window and rounded to whole days. */
export function clampLookback(value: number): number {
  if (!Number.isFinite(value)) return LOOKBACK_DEFAULT_DAYS
  return Math.min(LOOKBACK_MAX_DAYS, Math.max(LOOKBACK_MIN_DAYS, Math.round(value)))
}

/** A typed lookback applied on commit: the days to use, and what was wrong with the text when it was adjusted. */
export interface LookbackCommit {
  days: number
  problem?: string
}

/** Reads the lookback field's text on blur/Enter: out-of-range or fractional values are clamped and say so; no number keeps `current`. */
export function commitLookbackText(text: string, current: number): LookbackCommit {
  // Short: the note takes the slider's place beside the field.
  const range = `${LOOKBACK_MIN_DAYS}–${LOOKBACK_MAX_DAYS} whole days`
  const value = text.trim() === '' ? Number.NaN : Number(text)
  if (!Number.isFinite(value)) return { days: current, problem: `${range}: kept ${current}` }
  const days = clampLookback(value)
  return days === value ? { days } : { days, problem: `${range}: set to ${days}` }
}

/** The global dashboard controls every view queries with. */
export const useFiltersStore = defineStore('filters', () => {
  /** Lookback as the controls show it, following every slider move and keystroke. */
  const lookbackInput = ref(LOOKBACK_DEFAULT_DAYS)
  /** Lookback the views query with: follows `lookbackInput` after a short pause. */
  const lookbackDays = ref(LOOKBACK_DEFAULT_DAYS)
  /** Event names counted as conversions, in name order. */
  const conversionEvents = ref<ConversionEvent[]>([...DEFAULT_CONVERSION_EVENTS])
  /** Inclusive conversion-date range as the pickers show it, `YYYY-MM-DD`; empty means open-ended. */
  const fromDate = ref('')
  const toDate = ref('')
  /** The last range that was not reversed: the one the views query with. */
  const appliedRange = ref({ fromDate: '', toDate: '' })
  /** The GA4 stream (stream_id) every view is limited to; empty means all streams. */
  const streamId = ref('')
  /** The two models Compare models and Trends put side by side; one pair, so both views show the same comparison. */
  const modelPair = ref<ModelPair>(DEFAULT_MODEL_PAIR)

  /** What the date range is wrong about, shown beside the inputs; the views keep the last valid range meanwhile. */
  const dateRangeProblem = computed(() =>
    fromDate.value && toDate.value && fromDate.value > toDate.value
      ? 'Start date is after end date; the views keep the previous dates.'
      : undefined,
  )

  /** The request every view sends; a new object whenever any applied control changes, never with a reversed range. */
  const dashboardFilters = computed<DashboardFilters>(() => {
    const filters: DashboardFilters = { lookbackDays: lookbackDays.value, conversionEvents: [...conversionEvents.value] }
    if (appliedRange.value.fromDate) filters.fromDate = appliedRange.value.fromDate
    if (appliedRange.value.toDate) filters.toDate = appliedRange.value.toDate
    if (streamId.value) filters.streamId = streamId.value
    return filters
  })

  let debounce: ReturnType<typeof setTimeout> | undefined

  /** Sets the lookback shown now and applies it to the views after the debounce. */
  function setLookback(value: number): void {
    const days = clampLookback(value)
    lookbackInput.value = days
    clearTimeout(debounce)
    debounce = setTimeout(() => (lookbackDays.value = days), LOOKBACK_DEBOUNCE_MS)
  }

  /** Counts or stops counting an event as a conversion; the last one cannot be removed (the marts need one). */
  function toggleConversionEvent(name: ConversionEvent): void {
    const chosen = new Set(conversionEvents.value)
    if (chosen.has(name)) {
      if (chosen.size === 1) return
      chosen.delete(name)
    } else {
      chosen.add(name)
    }
    conversionEvents.value = [...chosen].sort()
  }

  /** Sets the date range the pickers show; empty strings open it. A reversed range is not applied to the views. */
  function setDateRange(from: string, to: string): void {
    fromDate.value = from
    toDate.value = to
    if (!dateRangeProblem.value) appliedRange.value = { fromDate: from, toDate: to }
  }

  /** Limits every view to one GA4 stream; an empty id shows all streams. */
  function setStream(id: string): void {
    streamId.value = id
  }

  /** Sets one side of the model pair (0 is a, 1 is b). */
  function setPairModel(side: 0 | 1, model: AttributionModel): void {
    modelPair.value = side === 0 ? [model, modelPair.value[1]] : [modelPair.value[0], model]
  }

  /** Swaps a and b, so the flow chart and the differences read the other way round. */
  function swapModelPair(): void {
    modelPair.value = [modelPair.value[1], modelPair.value[0]]
  }

  return {
    lookbackInput,
    lookbackDays,
    conversionEvents,
    fromDate,
    toDate,
    appliedRange,
    dateRangeProblem,
    dashboardFilters,
    modelPair,
    streamId,
    setStream,
    setLookback,
    toggleConversionEvent,
    setDateRange,
    setPairModel,
    swapModelPair,
  }
})
