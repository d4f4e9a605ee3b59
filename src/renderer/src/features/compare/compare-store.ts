import type { ComparisonResult, DashboardFilters } from '@shared/api'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '@renderer/api'
import type { ChartMetric } from '@renderer/charts/chart-style'
import { type LoadOptions, useRemote } from '@renderer/composables/use-remote'
import { comparisonColumnTotals, movingFlows, withDifferences } from '@renderer/lib/comparison'
import type { ModelPair } from '@renderer/stores/filters'

/** Two attribution models side by side: per channel, and where conversions move between them. */
export const useCompareStore = defineStore('compare', () => {
  const remote = useRemote<ComparisonResult>()
  /** The last comparison answered, kept (dimmed) while a new one loads; its `models` name the columns. */
  const result = remote.data
  /** Why the last request failed, or undefined. */
  const error = remote.error
  /** True while a request is in flight. */
  const isLoading = remote.isLoading
  /** Whether the sankey hides conversions that stay in their channel. */
  const isOnlyChangedFlows = ref(false)
  /** Which number the bar charts plot first; both are always shown. */
  const metric = ref<ChartMetric>('conversions')

  /** Table rows with per-channel differences (b minus a), biggest model-b channel first. */
  const rows = computed(() => (result.value ? withDifferences(result.value.rows) : []))
  /** Exact column sums for the table footer. */
  const columnTotals = computed(() => comparisonColumnTotals(result.value?.rows ?? []))
  /** Flows between different channels, biggest first; none when the models have no per-conversion flows. */
  const topMovingFlows = computed(() => (result.value?.flows_available ? movingFlows(result.value.flows).slice(0, 5) : []))

  /** Asks for the two models under these filters; in the background after the models were rebuilt. */
  async function load(filters: DashboardFilters, models: ModelPair, options: LoadOptions = {}): Promise<void> {
    await remote.run(() => useApi().attribution.compare({ ...filters, models: [models[0], models[1]] }), options)
  }

  return { result, error, isLoading, isOnlyChangedFlows, metric, rows, columnTotals, topMovingFlows, load }
})
