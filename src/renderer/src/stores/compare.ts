import type { ComparisonResult, DashboardFilters } from '@shared/api'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../api'
import type { ChartMetric } from '../charts/chart-style'
import { comparisonColumnTotals, movingFlows, withDifferences } from '../lib/comparison'
import { type LoadOptions, useRemote } from '../composables/use-remote'

/** The first-click vs last-click comparison. */
export const useCompareStore = defineStore('compare', () => {
  const remote = useRemote<ComparisonResult>()
  /** The last comparison answered, kept (dimmed) while a new one loads. */
  const result = remote.data
  /** Why the last request failed, or undefined. */
  const error = remote.error
  /** True while a request is in flight. */
  const isLoading = remote.isLoading
  /** Whether the sankey hides conversions that stay in their channel. */
  const isOnlyChangedFlows = ref(false)
  /** Which number the bar charts plot first; both are always shown. */
  const metric = ref<ChartMetric>('conversions')

  /** Table rows with per-channel differences, biggest last-click channel first. */
  const rows = computed(() => (result.value ? withDifferences(result.value.rows) : []))
  /** Exact column sums for the table footer. */
  const columnTotals = computed(() => comparisonColumnTotals(result.value?.rows ?? []))
  /** Flows between different channels, biggest first. */
  const topMovingFlows = computed(() => movingFlows(result.value?.flows ?? []).slice(0, 5))

  /** Asks the main process for the comparison under these filters; in the background after the models were rebuilt. */
  async function load(filters: DashboardFilters, options: LoadOptions = {}): Promise<void> {
    await remote.run(() => useApi().attribution.compare(filters), options)
  }

  return { result, error, isLoading, isOnlyChangedFlows, metric, rows, columnTotals, topMovingFlows, load }
})
