import type { DashboardFilters, PathsResult } from '@shared/api'
import type { AttributionModel } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../api'
import { type LoadOptions, useRemote } from '../composables/use-remote'
import { useModelsStore } from './models'

/** Paths the view lists, by conversions; the rest are summed as "other paths". */
export const PATHS_LIMIT = 20

/** The most common channel paths to conversion, with how one model splits their credit early, middle and late. */
export const usePathsStore = defineStore('paths', () => {
  const models = useModelsStore()
  const remote = useRemote<PathsResult>()
  /** The last paths answered, kept (dimmed) while new ones load. */
  const result = remote.data
  /** Why the last request failed, or undefined. */
  const error = remote.error
  /** True while a request is in flight. */
  const isLoading = remote.isLoading
  /** The model whose credit the bars split. */
  const model = ref<AttributionModel>('last_click')
  /** False when the answer's model credits channels only in total (data_driven), so there is no early/middle/late split. */
  const hasCreditSplit = computed(() => (result.value ? models.infoOf(result.value.model).perConversion : true))

  /** Asks for the top paths under these filters and the chosen model; in the background after a rebuild. */
  async function load(filters: DashboardFilters, options: LoadOptions = {}): Promise<void> {
    await remote.run(() => useApi().attribution.paths({ ...filters, model: model.value, limit: PATHS_LIMIT }), options)
  }

  return { result, error, isLoading, model, hasCreditSplit, load }
})
