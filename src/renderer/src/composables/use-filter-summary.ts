import { computed, type ComputedRef } from 'vue'
import { describeReferralSettings } from '@shared/referrals'
import { useDataStreamsStore } from '../stores/data-streams'
import { useFiltersStore } from '../stores/filters'
import { useWarehouseStore } from '../stores/warehouse'

/** One line saying what the views are showing ("14-day lookback · purchase · all dates"), plus the stream and unwanted referrals when any. */
export function useFilterSummary(): ComputedRef<string> {
  const filters = useFiltersStore()
  const warehouse = useWarehouseStore()
  const streams = useDataStreamsStore()
  return computed(() => {
    const referrals = warehouse.status?.referrals ? describeReferralSettings(warehouse.status.referrals) : null
    // The range the views were queried with, which a reversed pick does not change.
    const { fromDate, toDate } = filters.appliedRange
    const range = fromDate || toDate ? `${fromDate || 'start'} to ${toDate || 'latest'}` : 'all dates'
    const stream = filters.streamId ? ` · stream ${streams.label(filters.streamId)}` : ''
    return `${filters.lookbackDays}-day lookback · ${filters.conversionEvents.join(', ')}${stream} · ${range}${referrals ? ` · ${referrals}` : ''}`
  })
}
