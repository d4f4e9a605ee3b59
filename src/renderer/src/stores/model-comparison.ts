import type { DashboardFilters, ModelComparisonResult } from '@shared/api'
import { ATTRIBUTION_MODELS, type AttributionModel } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../api'
import type { ChartMetric } from '../charts/chart-style'
import { type LoadOptions, useRemote } from '../composables/use-remote'
import { modelComparisonRows, modelComparisonTotals } from '../lib/model-comparison'

/** Every model's credit per channel, side by side, with each model's change vs last click. */
export const useModelComparisonStore = defineStore('modelComparison', () => {
  const remote = useRemote<ModelComparisonResult>()
  /** The last comparison answered, kept (dimmed) while a new one loads. */
  const result = remote.data
  /** Why the last request failed, or undefined. */
  const error = remote.error
  /** True while a request is in flight. */
  const isLoading = remote.isLoading
  /** Which number the table and chart show for each model. */
  const metric = ref<ChartMetric>('conversions')
  /** Models a person chose to see as columns, in registry order; at least one stays. */
  const chosenModels = ref<AttributionModel[]>([...ATTRIBUTION_MODELS])

  /** The columns: chosen models the answer has, in registry order. */
  const columns = computed(() => chosenModels.value.filter((model) => result.value?.models.includes(model) ?? true))
  /** Channels with every model's cells, biggest last-click channel first. */
  const rows = computed(() => (result.value ? modelComparisonRows(result.value) : []))
  /** Every model's column sums for the footer. */
  const totals = computed(() => (result.value ? modelComparisonTotals(result.value) : undefined))

  /** Shows or hides a model's column; the last column shown stays. */
  function toggleModel(model: AttributionModel): void {
    const chosen = new Set(chosenModels.value)
    if (chosen.has(model)) {
      if (columns.value.length === 1 && columns.value[0] === model) return
      chosen.delete(model)
    } else {
      chosen.add(model)
    }
    chosenModels.value = ATTRIBUTION_MODELS.filter((each) => chosen.has(each))
  }

  /** Asks for every model under these filters; in the background after a rebuild. */
  async function load(filters: DashboardFilters, options: LoadOptions = {}): Promise<void> {
    await remote.run(() => useApi().attribution.modelComparison(filters), options)
  }

  return { result, error, isLoading, metric, chosenModels, columns, rows, totals, toggleModel, load }
})
