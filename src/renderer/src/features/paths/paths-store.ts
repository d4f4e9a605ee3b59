import type { DashboardFilters, PathFilter, PathSort, PathSortColumn, PathsRequest, PathsResult } from '@shared/api'
import type { AttributionModel, ReportGrouping } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '@renderer/api'
import { type LoadOptions, useRemote } from '@renderer/composables/use-remote'
import { useModelsStore } from '@renderer/stores/models'

/** Paths on one page; the rest are summed as "other paths". */
export const PATHS_LIMIT = 20

/** Where a filter's value must sit on a path. */
export type PathMatch = 'contains' | 'startsWith' | 'endsWith'

/** The order the view starts in, as GA4's paths report: most conversions first. */
export const DEFAULT_PATH_SORT: PathSort = { column: 'conversions', direction: 'desc' }

/** Every conversion path, a page at a time, sorted and filtered, with how one model splits their credit early, middle and late. */
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
  /** What a path's steps are: channels, sources, mediums, "source / medium"s or campaigns. */
  const by = ref<ReportGrouping>('channel')
  /** The page shown, from 0. */
  const page = ref(0)
  /** The column and direction the paths are ordered by. */
  const sort = ref<PathSort>({ ...DEFAULT_PATH_SORT })
  /** The filter's value (a channel or another dimension's value) and where on the path it must be; empty means no filter. */
  const matchValue = ref('')
  const match = ref<PathMatch>('contains')
  /** Touches a listed path has at least / at most; null means no bound. */
  const minLength = ref<number | null>(null)
  const maxLength = ref<number | null>(null)
  /** False when the answer's model credits channels only in total (data_driven), so there is no early/middle/late split. */
  const hasCreditSplit = computed(() => (result.value ? models.infoOf(result.value.model).perConversion : true))
  /** The filter as the request carries it; undefined without one. */
  const filter = computed<PathFilter | undefined>(() => {
    const given: PathFilter = {}
    const value = matchValue.value.trim()
    if (value) given[match.value] = value
    if (minLength.value !== null && Number.isInteger(minLength.value)) given.minLength = minLength.value
    if (maxLength.value !== null && Number.isInteger(maxLength.value)) given.maxLength = maxLength.value
    return Object.keys(given).length > 0 ? given : undefined
  })
  /** Pages of the matching paths in the shown answer (at least 1). */
  const pageCount = computed(() => Math.max(1, Math.ceil((result.value?.matching.paths ?? 0) / PATHS_LIMIT)))
  /** What the view asks for apart from the shared filters: a change sends the view back to the first page. */
  const query = computed(() => ({ model: model.value, by: by.value, sort: sort.value, filter: filter.value }))

  /** Orders by a column: the same column again flips the direction; a new one starts high to low (paths A to Z). */
  function sortBy(column: PathSortColumn): void {
    if (sort.value.column === column) sort.value = { column, direction: sort.value.direction === 'asc' ? 'desc' : 'asc' }
    else sort.value = { column, direction: column === 'path' ? 'asc' : 'desc' }
  }

  /** Shows another page, kept within the pages there are. */
  function goToPage(index: number): void {
    page.value = Math.min(Math.max(0, index), pageCount.value - 1)
  }

  /** Asks for the page under these filters, order and filter; in the background after a rebuild. */
  async function load(filters: DashboardFilters, options: LoadOptions = {}): Promise<void> {
    const request: PathsRequest = { ...filters, model: model.value, limit: PATHS_LIMIT }
    if (page.value > 0) request.offset = page.value * PATHS_LIMIT
    if (by.value !== 'channel') request.by = by.value
    const { column, direction } = sort.value
    if (column !== DEFAULT_PATH_SORT.column || direction !== DEFAULT_PATH_SORT.direction) request.sort = { column, direction }
    if (filter.value) request.filter = filter.value
    await remote.run(() => useApi().attribution.paths(request), options)
  }

  return {
    result,
    error,
    isLoading,
    model,
    by,
    page,
    sort,
    matchValue,
    match,
    minLength,
    maxLength,
    hasCreditSplit,
    filter,
    pageCount,
    query,
    sortBy,
    goToPage,
    load,
  }
})
