import { computed, type ComputedRef } from 'vue'
import { useFiltersStore } from '../stores/filters'

/** One line saying what the views are showing ("14-day lookback · purchase · all dates"). */
export function useFilterSummary(): ComputedRef<string> {
  const filters = useFiltersStore()
  return computed(() => {
    const range =
      filters.fromDate || filters.toDate ? `${filters.fromDate || 'start'} to ${filters.toDate || 'latest'}` : 'all dates'
    return `${filters.lookbackDays}-day lookback · ${filters.conversionEvents.join(', ')} · ${range}`
  })
}
