import { computed, type ComputedRef } from 'vue'
import { useFiltersStore } from '../stores/filters'

/** One line saying what the views are showing ("14-day lookback · purchase · all dates"). */
export function useFilterSummary(): ComputedRef<string> {
  const filters = useFiltersStore()
  return computed(() => {
    // The range the views were queried with, which a reversed pick does not change.
    const { fromDate, toDate } = filters.appliedRange
    const range = fromDate || toDate ? `${fromDate || 'start'} to ${toDate || 'latest'}` : 'all dates'
    return `${filters.lookbackDays}-day lookback · ${filters.conversionEvents.join(', ')} · ${range}`
  })
}
