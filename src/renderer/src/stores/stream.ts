import type { StreamStatus } from '@shared/api'
import { STREAM_BURST_DEFAULT } from '@shared/api'
import type { Result } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { UNREACHABLE_MESSAGE, useApi } from '../api'
import { useRemote } from '../composables/use-remote'
import { STREAM_RATE_DEFAULT, burstResultMessage, clampBurstSize, clampRate } from '../lib/stream'
import { useDataVersionStore } from './data-version'
import { useWarehouseStore } from './warehouse'

/** Status poll interval while events stream or a refresh is due or running. */
export const STATUS_FAST_MS = 1_000
/** Status poll interval when nothing is happening. */
export const STATUS_SLOW_MS = 5_000
/** After a burst or start the status is polled fast for this long, even before the main process reports a refresh as due. */
export const FAST_AFTER_ACTION_MS = 15_000
/** How long the burst result stays in the header. */
export const BURST_NOTE_MS = 8_000

/** Which warehouse a status is about: BigQuery's (no demo), the embedded one, or its demo copy. */
function warehouseShown(status: StreamStatus): 'other' | 'embedded' | 'demo' {
  if (!status.demo) return 'other'
  return status.demo.isActive ? 'demo' : 'embedded'
}

/** The streamer and the automatic refresh: the header's stream controls and what every view says about freshness. */
export const useStreamStore = defineStore('stream', () => {
  const remote = useRemote<StreamStatus>()
  /** The newest status of the streamer and the refresh loop. */
  const status = remote.data
  /** Why the status could not be read, or undefined. */
  const statusError = remote.error
  /** Events per "Stream events" click. */
  const burstSize = ref(STREAM_BURST_DEFAULT)
  /** Demo bursts add a returning visitor who converts through another channel, so first vs last moves at once. */
  const isDemoMode = ref(true)
  /** Events per second in continuous mode. */
  const ratePerSecond = ref(STREAM_RATE_DEFAULT)
  /** True while a burst request runs. */
  const isBursting = ref(false)
  /** What the last burst did ("10 events sent: 9 new, 1 duplicate"), shown for a few seconds. */
  const burstMessage = ref<string>()
  /** Why the last burst, start, stop or cancel failed, or undefined. */
  const actionError = ref<string>()
  /** The continuous mode asked for while start/stop runs; undefined when no request is in flight. */
  const requestedStreaming = ref<boolean>()
  /** True while a cancel request runs. */
  const isCancelling = ref(false)

  /** True while the main process streams continuously. */
  const isStreaming = computed(() => status.value?.isStreaming ?? false)
  /** Whether the continuous toggle shows on: the request in flight wins over the last status. */
  const isContinuousOn = computed(() => requestedStreaming.value ?? isStreaming.value)
  /** The refresh loop's state; idle until a status arrived. */
  const refreshState = computed(() => status.value?.refresh.state ?? 'idle')
  /** True while a refresh is due or running, so new numbers are on their way. */
  const isRefreshPending = computed(() => refreshState.value === 'waiting' || refreshState.value === 'running')
  /** When the marts last refreshed, ISO 8601 UTC, or null. */
  const lastRefreshAt = computed(() => status.value?.refresh.lastSuccessAt ?? null)
  /** True after a cancel while streamed events wait for the loop's own pick-up run. */
  const isCancelled = computed(() => refreshState.value === 'cancelled')
  /** True when the status should be polled every second. */
  const isFastPolling = computed(() => isStreaming.value || isRefreshPending.value || isCancelled.value)
  /** The continuous rate the refresh keeps up with on this machine (events/s), or null until measured. */
  const sustainableRate = computed(() => status.value?.sustainableRatePerSecond ?? null)
  /** True when the chosen continuous rate is above what the refresh keeps up with: the models would fall behind. */
  const isRateAboveSustainable = computed(() => sustainableRate.value !== null && ratePerSecond.value > sustainableRate.value)
  /** Events stored but not yet in the models. */
  const unmodelledEvents = computed(() => status.value?.refresh.unmodelledEvents ?? 0)

  let burstNoteTimer: ReturnType<typeof setTimeout> | undefined
  /** The action error came from a request that failed on its way (no answer), not from the main process. */
  let isUnreachableError = false
  let pollTimer: ReturnType<typeof setTimeout> | undefined
  let isPollingActive = false
  let fastUntilMs = 0

  /** Follows what a new status says: new events or a new refresh update the warehouse freshness (the views reload on the pushed event). */
  function accept(before: StreamStatus | undefined, after: StreamStatus | undefined): void {
    if (!after || after === before) return
    if (before !== undefined && warehouseShown(before) !== warehouseShown(after)) {
      // Another warehouse is shown: what the notes said was about the one before, and every view reloads.
      actionError.value = undefined
      burstMessage.value = undefined
      if (before.demo && after.demo) {
        useDataVersionStore().startOver()
        void useWarehouseStore().refresh()
        return
      }
    }
    const hasNews =
      before !== undefined && (before.storedEvents !== after.storedEvents || before.refresh.lastSuccessAt !== after.refresh.lastSuccessAt)
    const warehouse = useWarehouseStore()
    if (hasNews && !warehouse.isLoadingStatus && !warehouse.activeJob) void warehouse.refresh()
  }

  /** Reads the status once. */
  async function poll(): Promise<void> {
    const before = status.value
    let hasAnswered = false
    await remote.run(
      async () => {
        const answer = await useApi().stream.status({})
        hasAnswered = answer.ok
        return answer
      },
      { isBackground: true },
    )
    // An action that could not reach the main process: its note ends once the main process answers again.
    if (isUnreachableError && hasAnswered) {
      isUnreachableError = false
      actionError.value = undefined
    }
    accept(before, status.value)
  }

  function nextDelayMs(): number {
    return isFastPolling.value || Date.now() < fastUntilMs ? STATUS_FAST_MS : STATUS_SLOW_MS
  }

  function isHidden(): boolean {
    return typeof document !== 'undefined' && document.visibilityState === 'hidden'
  }

  function schedule(): void {
    clearTimeout(pollTimer)
    if (isPollingActive && !isHidden()) pollTimer = setTimeout(() => void tick(), nextDelayMs())
  }

  async function tick(): Promise<void> {
    await poll()
    schedule()
  }

  const onVisibility = () => (isHidden() ? clearTimeout(pollTimer) : void tick())

  /** Polls the status now and then every second or five (see `isFastPolling`); returns the function that stops. */
  function startPolling(): () => void {
    isPollingActive = true
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibility)
    void tick()
    return () => {
      isPollingActive = false
      clearTimeout(pollTimer)
      if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisibility)
    }
  }

  /** After an action the status changes soon: poll now and fast for a while. */
  function pollSoon(): void {
    fastUntilMs = Date.now() + FAST_AFTER_ACTION_MS
    if (isPollingActive) void tick()
  }

  /** Runs an action; a failure lands in `actionError`, a new status is taken as if polled. */
  async function act<T>(call: () => Promise<Result<T>>): Promise<T | undefined> {
    actionError.value = undefined
    isUnreachableError = false
    let result: Result<T>
    try {
      result = await call()
    } catch (thrown) {
      isUnreachableError = true
      result = { ok: false, error: `Unexpected error: ${thrown instanceof Error ? thrown.message : String(thrown)}` }
    }
    if (!result.ok) {
      isUnreachableError ||= result.error.startsWith(UNREACHABLE_MESSAGE)
      actionError.value = result.error
      return undefined
    }
    return result.value
  }

  function takeStatus(next: StreamStatus | undefined): void {
    if (!next) return
    const before = status.value
    status.value = next
    accept(before, next)
  }

  /** Sends one burst of `burstSize` events and says what it did. */
  async function burst(): Promise<void> {
    if (isBursting.value) return
    isBursting.value = true
    clearTimeout(burstNoteTimer)
    burstMessage.value = undefined
    try {
      const result = await act(() =>
        useApi().stream.burst({ count: clampBurstSize(burstSize.value), mode: isDemoMode.value ? 'demo' : 'realistic' }),
      )
      if (result) {
        // The status first: a burst that entered the demo copy switches the views, and its note belongs to the copy.
        await poll()
        burstMessage.value = burstResultMessage(result)
        burstNoteTimer = setTimeout(() => (burstMessage.value = undefined), BURST_NOTE_MS)
      }
    } finally {
      isBursting.value = false
    }
    pollSoon()
  }

  /** Starts the continuous mode at `ratePerSecond`, or stops it. */
  async function setContinuous(isOn: boolean): Promise<void> {
    requestedStreaming.value = isOn
    try {
      const rate = clampRate(ratePerSecond.value)
      ratePerSecond.value = rate
      takeStatus(await act(() => (isOn ? useApi().stream.start({ ratePerSecond: rate }) : useApi().stream.stop({}))))
    } finally {
      requestedStreaming.value = undefined
    }
    pollSoon()
  }

  /** Sets the continuous rate; a running stream continues at the new rate. */
  async function setRate(value: number): Promise<void> {
    const rate = clampRate(value)
    const isChanged = rate !== ratePerSecond.value
    ratePerSecond.value = rate
    if (isChanged && isStreaming.value) await setContinuous(true)
  }

  /** Cancels the running refresh; the views keep the last good numbers. */
  async function cancelRefresh(): Promise<void> {
    isCancelling.value = true
    try {
      takeStatus(await act(() => useApi().refresh.cancel({})))
    } finally {
      isCancelling.value = false
    }
    pollSoon()
  }

  /** Hides the burst note or the action error now (their × button). */
  function dismissNotes(): void {
    clearTimeout(burstNoteTimer)
    burstMessage.value = undefined
    actionError.value = undefined
  }

  return {
    status,
    statusError,
    dismissNotes,
    burstSize,
    isDemoMode,
    ratePerSecond,
    isBursting,
    burstMessage,
    actionError,
    isCancelling,
    isStreaming,
    isContinuousOn,
    refreshState,
    isRefreshPending,
    lastRefreshAt,
    isFastPolling,
    isCancelled,
    sustainableRate,
    isRateAboveSustainable,
    unmodelledEvents,
    poll,
    startPolling,
    burst,
    setContinuous,
    setRate,
    cancelRefresh,
  }
})
