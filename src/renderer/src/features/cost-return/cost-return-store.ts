import type { DashboardFilters } from '@shared/api'
import type { AttributionModel } from '@shared/attribution'
import { type CostGrouping, type CostReturnResult, groupLabel } from '@shared/cost-return'
import { DEFAULT_SPEND_MAPPING, type ImportedSpendFile, type SpendMapping } from '@shared/spend'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '@renderer/api'
import { type LoadOptions, useRemote } from '@renderer/composables/use-remote'

/** Cost and return under every model: the view's choices, its answer, and spend imports. */
export const useCostReturnStore = defineStore('costReturn', () => {
  const remote = useRemote<CostReturnResult>()
  /** The last answer, kept (dimmed) while a new one loads. */
  const result = remote.data
  /** Why the last request failed, or undefined. */
  const error = remote.error
  /** True while a request is in flight. */
  const isLoading = remote.isLoading
  /** Per channel, or per source/medium/campaign. */
  const by = ref<CostGrouping>('channel')
  /** The model the others' ROAS change is measured against. */
  const baseline = ref<AttributionModel>('last_click')
  /** The two rule-based models of the daily ROAS trend. */
  const trendModels = ref<[AttributionModel, AttributionModel]>(['last_click', 'first_click'])
  /** Where Google Ads and Meta campaigns land when their exports are imported. */
  const mapping = ref<SpendMapping>(structuredClone(DEFAULT_SPEND_MAPPING))
  /** What the last spend import did, or why it failed. */
  const lastImport = ref<{ files: ImportedSpendFile[] } | { error: string }>()
  /** True while spend files are imported and the cost mart rebuilt. */
  const isImporting = ref(false)

  /** The rows with a name for people (channel, or source / medium / campaign). */
  const rows = computed(() => (result.value?.rows ?? []).map((row) => ({ ...row, label: groupLabel(row) })))

  /** Asks for cost and return under these filters; in the background after a rebuild. */
  async function load(filters: DashboardFilters, options: LoadOptions = {}): Promise<void> {
    const request = { ...filters, by: by.value, baseline: baseline.value, trendModels: trendModels.value }
    await remote.run(() => useApi().cost.report(request), options)
  }

  /** Lets the person pick spend files (desktop app), imports them and rebuilds the cost mart. */
  async function chooseAndImport(): Promise<boolean> {
    const api = useApi()
    const chosen = await api.warehouse.chooseFiles({})
    if (!chosen.ok) {
      lastImport.value = { error: chosen.error }
      return false
    }
    if (!chosen.value) return false
    isImporting.value = true
    try {
      const imported = await api.cost.importSpend({ files: chosen.value.map((file) => file.token), mapping: mapping.value })
      lastImport.value = imported.ok ? { files: imported.value } : { error: imported.error }
      return imported.ok
    } finally {
      isImporting.value = false
    }
  }

  return { result, error, isLoading, by, baseline, trendModels, mapping, lastImport, isImporting, rows, load, chooseAndImport }
})
