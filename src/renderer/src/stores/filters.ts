import type { DashboardFilters } from '@shared/api'
import {
  CONVERSION_EVENTS,
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

/** A lookback clamped into the supported window and rounded to whole days. */
export function clampLookback(value: number): number {
  if (!Number.isFinite(value)) return LOOKBACK_DEFAULT_DAYS
  return Math.min(LOOKBACK_MAX_DAYS, Math.max(LOOKBACK_MIN_DAYS, Math.round(value)))
}

/** The global dashboard controls every view queries with. */
export const useFiltersStore = defineStore('filters', () => {
  /** Lookback as the controls show it, following every slider move and keystroke. */
  const lookbackInput = ref(LOOKBACK_DEFAULT_DAYS)
  /** Lookback the views query with: follows `lookbackInput` after a short pause. */
  const lookbackDays = ref(LOOKBACK_DEFAULT_DAYS)
  /** Event names counted as conversions, in the contract's order. */
  const conversionEvents = ref<ConversionEvent[]>([...DEFAULT_CONVERSION_EVENTS])
  /** Inclusive conversion-date range as `YYYY-MM-DD`; empty means open-ended. */
  const fromDate = ref('')
  const toDate = ref('')

  /** What the date range is wrong about, shown beside the inputs; the main process checks it again. */
  const dateRangeProblem = computed(() =>
    fromDate.value && toDate.value && fromDate.value > toDate.value ? 'The start date is after the end date.' : undefined,
  )

  /** The request every view sends; a new object whenever any applied control changes. */
  const dashboardFilters = computed<DashboardFilters>(() => {
    const filters: DashboardFilters = { lookbackDays: lookbackDays.value, conversionEvents: [...conversionEvents.value] }
    if (fromDate.value) filters.fromDate = fromDate.value
    if (toDate.value) filters.toDate = toDate.value
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
    conversionEvents.value = CONVERSION_EVENTS.filter((event) => chosen.has(event))
  }

  /** Sets the date range; empty strings open it. */
  function setDateRange(from: string, to: string): void {
    fromDate.value = from
    toDate.value = to
  }

  return {
    lookbackInput,
    lookbackDays,
    conversionEvents,
    fromDate,
    toDate,
    dateRangeProblem,
    dashboardFilters,
    setLookback,
    toggleConversionEvent,
    setDateRange,
  }
})
