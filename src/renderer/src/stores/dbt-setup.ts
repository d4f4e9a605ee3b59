import type { DbtSetupStatus, JobProgress } from '@shared/api'
import type { Result } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../api'
import { useRemote } from '../composables/use-remote'

/** How often the status is read again while a set-up runs (its failure pushes no progress). */
const POLL_MS = 2_000

/** The dbt the app runs, its first-run set-up, and an existing dbt named instead. */
export const useDbtSetupStore = defineStore('dbtSetup', () => {
  const remote = useRemote<DbtSetupStatus>()
  /** The main process's last answer about dbt. */
  const status = remote.data
  /** Why the status could not be read. */
  const statusError = remote.error
  /** The newest pushed progress of the set-up. */
  const pushedProgress = ref<JobProgress>()
  /** Why the last "Set up dbt" or "Use this dbt" failed. */
  const actionError = ref<string>()
  /** True while this window waits for a set-up or a check it asked for. */
  const isBusy = ref(false)

  /** True while dbt is being installed, whoever started it. */
  const isInstalling = computed(() => status.value?.state === 'installing')
  /** Progress to show: pushed while the window listens, else the one the status carried. */
  const progress = computed(() => pushedProgress.value ?? status.value?.progress ?? undefined)
  /** True when the app has a dbt to run. */
  const isReady = computed(() => status.value?.state === 'ready')

  /** Reads the status again. */
  async function refresh(): Promise<void> {
    await remote.run(() => useApi().dbt.status({}))
  }

  async function act(call: () => Promise<Result<DbtSetupStatus>>): Promise<void> {
    isBusy.value = true
    actionError.value = undefined
    try {
      const result = await call()
      if (result.ok) status.value = result.value
      else actionError.value = result.error
    } catch (thrown) {
      actionError.value = `Unexpected error: ${thrown instanceof Error ? thrown.message : String(thrown)}`
    } finally {
      isBusy.value = false
      pushedProgress.value = undefined
    }
    // After a failure, or a set-up that did not end ready, the status is read again for its state.
    if (actionError.value || status.value?.state !== 'ready') await refresh()
  }

  /** Installs dbt into the app's data folder (or joins the set-up already running). */
  function setUp(): Promise<void> {
    if (status.value) status.value = { ...status.value, state: 'installing', error: null }
    return act(() => useApi().dbt.setup({}))
  }

  /** Points the app at an existing dbt executable; null forgets it. */
  function useExecutable(path: string | null): Promise<void> {
    return act(() => useApi().dbt.useExecutable({ path }))
  }

  /** Follows pushed progress and, while a set-up runs, the status; returns the function that stops. */
  function follow(): () => void {
    const stopListening = useApi().onJobProgress((pushed) => {
      if (pushed.job !== 'dbt-setup') return
      pushedProgress.value = pushed
      if (pushed.phase === 'done') void refresh()
    })
    const timer = setInterval(() => {
      if (isInstalling.value && !isBusy.value) void refresh()
    }, POLL_MS)
    void refresh()
    return () => {
      stopListening()
      clearInterval(timer)
    }
  }

  return { status, statusError, actionError, isBusy, isInstalling, isReady, progress, refresh, setUp, useExecutable, follow }
})
