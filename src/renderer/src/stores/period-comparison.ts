import type { DashboardFilters, PeriodComparisonRequest, PeriodComparisonResult } from '@shared/api'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../api'
import { type LoadOptions, useRemote } from '../composables/use-remote'

/** Which earlier period a view's totals are compared with. */
export type ComparedPeriod = 'previous' | 'custom'

/** A view's conversions and revenue against the previous period of the same length, or a chosen one. */
export const usePeriodComparisonStore = defineStore('periodComparison', () => {
  const remote = useRemote<PeriodComparisonResult>()
  /** The last comparison answered, kept while a new one loads. */
  const result = remote.data
  /** Why the last request failed, or undefined. */
  const error = remote.error
  /** True while a request is in flight. */
  const isLoading = remote.isLoading
  /** The preceding period of the same length, or the dates a person chose. */
  const compared = ref<ComparedPeriod>('previous')
  /** The chosen earlier period, `YYYY-MM-DD`; used once both are set and in order. */
  const customFrom = ref('')
  const customTo = ref('')
  /** The chosen dates when they make a period, else undefined (the previous period is asked meanwhile). */
  const customRange = computed(() =>
    compared.value === 'custom' && customFrom.value && customTo.value && customFrom.value <= customTo.value
      ? { compareFromDate: customFrom.value, compareToDate: customTo.value }
      : undefined,
  )

  /** Asks for the filters' totals against the earlier period; in the background after a rebuild. */
  async function load(filters: DashboardFilters, options: LoadOptions = {}): Promise<void> {
    const request: PeriodComparisonRequest = { ...filters, ...customRange.value }
    await remote.run(() => useApi().attribution.periodComparison(request), options)
  }

  return { result, error, isLoading, compared, customFrom, customTo, customRange, load }
})
