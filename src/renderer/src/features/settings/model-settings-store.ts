import type { JobProgress, ModelSettingsView } from '@shared/api'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '@renderer/api'
import { useRemote } from '@renderer/composables/use-remote'
import { useWarehouseStore } from '@renderer/stores/warehouse'

/** The warehouse's model settings (user-id stitching), the file the CLI's `settings` shares, and the last build's devices joined. */
export const useModelSettingsStore = defineStore('modelSettings', () => {
  const remote = useRemote<ModelSettingsView>()
  /** The stored settings and the last build's stitching, as the main process last answered. */
  const view = remote.data
  /** Why they could not be read, or undefined. */
  const loadError = remote.error
  /** True while they are read. */
  const isLoading = remote.isLoading
  /** True while a change is stored and the users it touches are re-modelled. */
  const isSaving = ref(false)
  /** The newest progress of that re-model. */
  const progress = ref<JobProgress>()
  /** Why the last change failed, or undefined. */
  const saveError = ref<string>()

  /** Reads the settings again (another process, the CLI, may have changed them). */
  async function load(): Promise<void> {
    await remote.run(() => useApi().modelling.getSettings({}), { isBackground: view.value !== undefined })
  }

  /** Turns user-id stitching on or off, re-models with progress; the views then reload through the new build. */
  async function setUserIdStitching(userIdStitching: boolean): Promise<boolean> {
    isSaving.value = true
    saveError.value = undefined
    progress.value = undefined
    const stop = useApi().onJobProgress((pushed) => {
      if (pushed.job === 'build') progress.value = pushed
    })
    try {
      const result = await useApi().modelling.saveSettings({ userIdStitching })
      if (!result.ok) {
        saveError.value = result.error
        await load()
        return false
      }
      view.value = result.value
      await useWarehouseStore().refresh()
      return true
    } finally {
      stop()
      isSaving.value = false
    }
  }

  return { view, loadError, isLoading, isSaving, progress, saveError, load, setUserIdStitching }
})
