import { computed, type ComputedRef } from 'vue'
import { describeReferralSettings } from '@shared/referrals'
import { useFiltersStore } from '../stores/filters'
import { useWarehouseStore } from '../stores/warehouse'

/** One line saying what the views are showing ("14-day lookback · purchase · all dates"), plus unwanted referrals when any. */
export function useFilterSummary(): ComputedRef<string> {
  const filters = useFiltersStore()
  const warehouse = useWarehouseStore()
  return computed(() => {
    const referrals = warehouse.status?.referrals ? describeReferralSettings(warehouse.status.referrals) : null
    // The range the views were queried with, which a reversed pick does not change.
    const { fromDate, toDate } = filters.appliedRange
    const range = fromDate || toDate ? `${fromDate || 'start'} to ${toDate || 'latest'}` : 'all dates'
    return `${filters.lookbackDays}-day lookback · ${filters.conversionEvents.join(', ')} · ${range}${referrals ? ` · ${referrals}` : ''}`
  })
}
