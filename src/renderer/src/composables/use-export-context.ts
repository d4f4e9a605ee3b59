import { type ComputedRef, type InjectionKey, computed, inject, provide } from 'vue'
import type { ExportContext } from '../lib/export-context'
import { useFiltersStore } from '../stores/filters'
import { useNavigationStore } from '../stores/navigation'
import { useDataStreamsStore } from '../stores/data-streams'
import { useWarehouseStore } from '../stores/warehouse'

/** What the open view knows about its own exports (its model, a drill-down); a view provides it, so this folder needs no view's store. */
const VIEW_EXPORT_CONTEXT: InjectionKey<() => Partial<ExportContext>> = Symbol('viewExportContext')

/** Called in a view's setup: every chart and CSV export inside it carries what `context` returns. */
export function provideViewExportContext(context: () => Partial<ExportContext>): void {
  provide(VIEW_EXPORT_CONTEXT, context)
}

/** What the open view shows (filters, model, drill-down), for exports to carry; `extra` overrides what a view knows better. */
export function useExportContext(extra?: () => Partial<ExportContext> | undefined): ComputedRef<ExportContext> {
  const navigation = useNavigationStore()
  const filters = useFiltersStore()
  const warehouse = useWarehouseStore()
  const streams = useDataStreamsStore()
  const fromView = inject(VIEW_EXPORT_CONTEXT, undefined)
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
    return { ...context, ...fromView?.(), ...extra?.() }
  })
}
