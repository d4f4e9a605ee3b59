import type { ReferralMatchType, ReferralSettings, ReferralSettingsView } from '@shared/referrals'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../api'
import { useRemote } from '../composables/use-remote'
import { useWarehouseStore } from './warehouse'

/** The unwanted referrals and self-referral switch the warehouse keeps, and the candidates the data suggests. */
export const useReferralsStore = defineStore('referrals', () => {
  const remote = useRemote<ReferralSettingsView>()
  /** The stored settings and the suggestions, as the main process last answered. */
  const view = remote.data
  /** Why they could not be read, or undefined. */
  const loadError = remote.error
  /** True while they are read. */
  const isLoading = remote.isLoading
  /** True while a change is stored and the users it touches are re-modelled. */
  const isSaving = ref(false)
  /** Why the last change was refused (an invalid regex, say), or undefined. */
  const saveError = ref<string>()

  /** Reads the settings and suggestions again. */
  async function load(): Promise<void> {
    await remote.run(() => useApi().referrals.get({}), { isBackground: view.value !== undefined })
  }

  /** Stores the settings as a whole and waits for the re-model; the views then reload through the new build. */
  async function save(settings: ReferralSettings): Promise<boolean> {
    isSaving.value = true
    saveError.value = undefined
    try {
      const result = await useApi().referrals.save(settings)
      if (!result.ok) {
        saveError.value = result.error
        return false
      }
      view.value = result.value
      await useWarehouseStore().refresh()
      return true
    } finally {
      isSaving.value = false
    }
  }

  /** Adds one rule to the stored list. */
  function add(matchType: ReferralMatchType, pattern: string): Promise<boolean> {
    const current = view.value?.settings ?? { detectsSelfReferrals: true, unwantedReferrals: [] }
    return save({ ...current, unwantedReferrals: [...current.unwantedReferrals, { matchType, pattern }] })
  }

  /** Removes the rule at `index` from the stored list. */
  function remove(index: number): Promise<boolean> {
    const current = view.value?.settings ?? { detectsSelfReferrals: true, unwantedReferrals: [] }
    return save({ ...current, unwantedReferrals: current.unwantedReferrals.filter((_, i) => i !== index) })
  }

  /** Turns self-referral detection on or off. */
  function setDetection(detectsSelfReferrals: boolean): Promise<boolean> {
    const current = view.value?.settings ?? { detectsSelfReferrals: true, unwantedReferrals: [] }
    return save({ ...current, detectsSelfReferrals })
  }

  return { view, loadError, isLoading, isSaving, saveError, load, save, add, remove, setDetection }
})
