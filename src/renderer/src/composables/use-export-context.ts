import { ATTRIBUTION_MODELS } from '@shared/attribution'
import { type ComputedRef, computed } from 'vue'
import type { ExportContext } from '../lib/export-context'
import { useChannelsStore } from '@renderer/features/channels/channels-store'
import { useFiltersStore } from '../stores/filters'
import { useModelComparisonStore } from '@renderer/features/model-comparison/model-comparison-store'
import { useNavigationStore } from '../stores/navigation'
import { usePathsStore } from '@renderer/features/paths/paths-store'
import { useDataStreamsStore } from '../stores/data-streams'
import { useTrendsStore } from '@renderer/features/trends/trends-store'
import { useWarehouseStore } from '../stores/warehouse'

/** What the open view shows (filters, model, drill-down), for exports to carry; `extra` overrides what a view knows better. */
export function useExportContext(extra?: () => Partial<ExportContext> | undefined): ComputedRef<ExportContext> {
  const navigation = useNavigationStore()
  const filters = useFiltersStore()
  const channels = useChannelsStore()
  const trends = useTrendsStore()
  const modelComparison = useModelComparisonStore()
  const paths = usePathsStore()
  const warehouse = useWarehouseStore()
  const streams = useDataStreamsStore()
  return computed(() => {
    const view = navigation.current
    if (view === 'feed' || view === 'settings') return { view, ...extra?.() }
    const applied = filters.dashboardFilters
    const context: ExportContext = {
      view,
      lookbackDays: applied.lookbackDays,
      conversionEvents: applied.conversionEvents,
      ...(applied.streamId ? { stream: streams.label(applied.streamId) } : {}),
      ...(applied.fromDate ? { fromDate: applied.fromDate } : {}),
      ...(applied.toDate ? { toDate: applied.toDate } : {}),
      ...(warehouse.status?.firstConversionDate ? { dataFromDate: warehouse.status.firstConversionDate } : {}),
      ...(warehouse.status?.lastConversionDate ? { dataToDate: warehouse.status.lastConversionDate } : {}),
    }
    const pair = filters.modelPair.join(', ')
    if (view === 'compare') context.model = pair
    if (view === 'trends') context.model = trends.isByChannel ? trends.model : trends.models.join(', ')
    if (view === 'models') {
      const columns = modelComparison.columns
      context.model = columns.length === ATTRIBUTION_MODELS.length ? 'all models' : columns.join(', ')
    }
    if (view === 'paths') context.model = paths.model
    if (view === 'channels') {
      context.model = channels.model
      if (channels.channel !== undefined)
        context.drillDown = `${channels.channel} > ${channels.drillBy === 'campaign' ? 'campaign' : 'source / medium'}`
    }
    return { ...context, ...extra?.() }
  })
}
