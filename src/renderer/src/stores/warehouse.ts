import type { JobProgress, OutsideChange, WarehouseStatus } from '@shared/api'
import type { Result } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { useApi } from '../api'
import { useRemote } from '../composables/use-remote'
import { useDataVersionStore } from './data-version'

/** Which long job the welcome panel started. */
export type WarehouseJob = 'generate' | 'import'

/** What the warehouse holds, how fresh it is, and the jobs that fill it. */
export const useWarehouseStore = defineStore('warehouse', () => {
  const remote = useRemote<WarehouseStatus>()
  /** The last status the main process reported, kept while it is refreshed. */
  const status = remote.data
  /** Why the status could not be read (usually: the service is not reachable). */
  const statusError = remote.error
  /** True while a status request is in flight. */
  const isLoadingStatus = remote.isLoading
  /** The job this window started and is waiting for, if any. */
  const activeJob = ref<WarehouseJob>()
  /** The newest progress pushed by the main process for any job. */
  const progress = ref<JobProgress>()
  /** Why the last job failed, or undefined. */
  const jobError = ref<string>()

  /** True once a status arrived and the warehouse holds no events: the first-run welcome. */
  const isEmpty = computed(() => status.value !== undefined && status.value.events === 0)
  /** True when events exist but the attribution marts were never built. */
  const isMissingModels = computed(() => status.value !== undefined && status.value.events > 0 && !status.value.hasModels)
  /** True when the dashboard can query the marts. */
  const isReady = computed(() => status.value !== undefined && status.value.events > 0 && status.value.hasModels)

  // The app's own builds are pushed ("marts changed"); a build time no push announced still reloads the views.
  const dataVersion = useDataVersionStore()
  watch(
    () => status.value?.modelsBuiltAt,
    (builtAt) => dataVersion.noteStatusBuild(builtAt),
    { flush: 'sync' },
  )

  /** Reads the status again. */
  async function refresh(): Promise<void> {
    await remote.run(() => useApi().warehouse.status({}))
  }

  let followedOutsideChangeId: number | undefined
  /** Another process (the CLI) changed the file and the app reloaded it: read the status again, so the counts follow (the views reload on the pushed "marts changed"). */
  function followOutsideChange(change: OutsideChange | null | undefined): void {
    if (!change || change.id === followedOutsideChangeId) return
    followedOutsideChangeId = change.id
    if (!activeJob.value) void refresh()
  }

  /** Reads the status of the warehouse the settings just switched to; nothing of the old one's status still applies. */
  async function reopen(): Promise<void> {
    status.value = undefined
    statusError.value = undefined
    dataVersion.startOver()
    await refresh()
  }

  async function runJob(job: WarehouseJob, call: () => Promise<Result<WarehouseStatus | null>>): Promise<void> {
    activeJob.value = job
    jobError.value = undefined
    progress.value = undefined
    try {
      const result = await call()
      if (!result.ok) jobError.value = result.error
      // null: the person closed the file dialog without choosing, which is not an error.
      else if (result.value) status.value = result.value
    } catch (thrown) {
      jobError.value = `Unexpected error: ${thrown instanceof Error ? thrown.message : String(thrown)}`
    } finally {
      activeJob.value = undefined
    }
  }

  /** Writes GA4-shaped sample events and builds the marts. */
  function generateSample(): Promise<void> {
    return runJob('generate', () => useApi().warehouse.generateSample({}))
  }

  /** Lets the person pick GA4 export files and imports them. */
  function chooseAndImport(): Promise<void> {
    return runJob('import', () => useApi().warehouse.chooseAndImport({}))
  }

  /** Follows pushed job progress; returns the function that stops following. */
  function listenToProgress(): () => void {
    return useApi().onJobProgress((pushed) => (progress.value = pushed))
  }

  return {
    status,
    statusError,
    isLoadingStatus,
    activeJob,
    progress,
    jobError,
    isEmpty,
    isMissingModels,
    isReady,
    refresh,
    followOutsideChange,
    reopen,
    generateSample,
    chooseAndImport,
    listenToProgress,
  }
})
