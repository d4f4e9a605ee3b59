import type { DashboardFilters, ModelComparisonResult } from '@shared/api'
import { ATTRIBUTION_MODELS, type AttributionModel, type ReportGrouping } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '@renderer/api'
import type { ChartMetric } from '@renderer/charts/chart-style'
import { type LoadOptions, useRemote } from '@renderer/composables/use-remote'
import { BASELINE_MODEL, modelComparisonRows, modelComparisonTotals } from '@renderer/lib/model-comparison'

/** Every model's credit per channel (or source, medium, campaign), side by side, with each model's change vs a baseline model. */
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
  /** The dimension the rows are: channels (GA4's default channel group), sources, mediums, "source / medium"s or campaigns. */
  const by = ref<ReportGrouping>('channel')
  /** The model every other column's change is measured against. */
  const chosenBaseline = ref<AttributionModel>(BASELINE_MODEL)
  /** The baseline in use: the chosen one while the answer has it (data_driven is answered by channel only), else last click. */
  const baseline = computed<AttributionModel>(() =>
    result.value && !result.value.models.includes(chosenBaseline.value) ? BASELINE_MODEL : chosenBaseline.value,
  )

  /** The columns: chosen models the answer has, in registry order. */
  const columns = computed(() => chosenModels.value.filter((model) => result.value?.models.includes(model) ?? true))
  /** Rows with every model's cells, biggest under the baseline first. */
  const rows = computed(() => (result.value ? modelComparisonRows(result.value, baseline.value) : []))
  /** Every model's column sums for the footer. */
  const totals = computed(() => (result.value ? modelComparisonTotals(result.value, baseline.value) : undefined))

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

  /** Asks for every model under these filters by the chosen dimension; in the background after a rebuild. */
  async function load(filters: DashboardFilters, options: LoadOptions = {}): Promise<void> {
    const request = by.value === 'channel' ? filters : { ...filters, by: by.value }
    await remote.run(() => useApi().attribution.modelComparison(request), options)
  }

  return { result, error, isLoading, metric, chosenModels, by, chosenBaseline, baseline, columns, rows, totals, toggleModel, load }
})
