import type { ModelComparisonResult } from '@shared/api'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../api'
import { type CreditChange, creditChanges } from '../lib/credit-changes'
import { comparableKey } from './cell-deltas'
import { useFiltersStore } from './filters'

/** How long the changes of new numbers stay shown. */
export const CHANGES_SHOWN_MS = 12_000

/** What the newest numbers changed (per model and channel), shown for a few seconds above every view after a refresh. */
export const useCreditChangesStore = defineStore('creditChanges', () => {
  /** The changes shown now; empty when there is nothing to show. */
  const shown = ref<CreditChange[]>([])
  let baseline: { key: string; result: ModelComparisonResult } | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let checking: Promise<void> | undefined

  /** The same filters on the same warehouse (BigQuery or embedded, real or demo): only then are two answers comparable. */
  const keyNow = comparableKey

  async function compare(): Promise<void> {
    const key = keyNow()
    const answer = await useApi().attribution.modelComparison(useFiltersStore().dashboardFilters)
    if (!answer.ok || key !== keyNow()) return
    const changes = baseline?.key === key ? creditChanges(baseline.result, answer.value) : []
    baseline = { key, result: answer.value }
    if (changes.length === 0) return
    shown.value = changes
    clearTimeout(timer)
    timer = setTimeout(() => (shown.value = []), CHANGES_SHOWN_MS)
  }

  /** Reads the numbers now and shows what changed since the last read for the same filters and warehouse. */
  function check(): Promise<void> {
    checking = (checking ?? Promise.resolve()).then(compare, compare)
    return checking
  }

  /** Hides the changes now. */
  function dismiss(): void {
    clearTimeout(timer)
    shown.value = []
  }

  return { shown, check, dismiss }
})
