import type { RefreshState, StreamStatus, WarehouseStatus } from '@shared/api'
import { STREAM_BURST_DEFAULT } from '@shared/api'
import type { Result } from '@shared/attribution'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { UNREACHABLE_MESSAGE, provideApi } from '../api'
import { createFakeApi } from '../api/fake-api'
import { useDataVersionStore } from './data-version'
import { BURST_NOTE_MS, FAST_AFTER_ACTION_MS, STATUS_FAST_MS, STATUS_SLOW_MS, useStreamStore } from './stream'
import { useWarehouseStore } from './warehouse'

/** A stream status with the refresh loop idle and nothing streamed; tests change only what matters. */
function streamStatus(patch: Partial<StreamStatus> = {}, refresh: Partial<RefreshState> = {}): StreamStatus {
  return {
    isStreaming: false,
    ratePerSecond: null,
    storedEvents: 0,
    duplicateEvents: 0,
    pendingEvents: 0,
    rejectedEvents: 0,
    ...patch,
    refresh: {
      state: 'idle',
      lastSuccessAt: '2026-11-26T12:00:00.000Z',
      lastError: null,
      lastDurationMs: null,
      progressPercent: null,
      progressMessage: null,
      ...refresh,
    },
  }
}

const WAREHOUSE: WarehouseStatus = {
  kind: 'embedded',
  location: '/tmp/warehouse.duckdb',
  events: 100,
  intradayEvents: 0,
  hasModels: true,
  newestEventAt: '2026-11-26T12:00:00Z',
  modelsBuiltAt: '2026-11-26T12:00:00Z',
  firstConversionDate: '2026-11-01',
  lastConversionDate: '2026-11-26',
}

/** A fake whose stream:status answers the statuses handed to `next`, repeating the last one. */
function fakeStatuses(first: StreamStatus) {
  let current = first
  const status = vi.fn(async () => ({ ok: true as const, value: current }))
  return { status, next: (value: StreamStatus) => (current = value) }
}

beforeEach(() => {
  setActivePinia(createPinia())
  vi.useFakeTimers({ now: Date.parse('2026-11-26T12:00:05Z') })
})
afterEach(() => {
  vi.useRealTimers()
  provideApi(undefined)
})

describe('useStreamStore polling', { timeout: 10_000 }, () => {
  it('polls every 5 s while idle and every second while streaming or while a refresh is due or running', async () => {
    const statuses = fakeStatuses(streamStatus())
    provideApi(createFakeApi({ stream: { status: statuses.status } }))
    const store = useStreamStore()
    const stop = store.startPolling()
    await vi.advanceTimersByTimeAsync(0)
    expect(statuses.status).toHaveBeenCalledTimes(1)
    expect(store.isFastPolling).toBe(false)
    await vi.advanceTimersByTimeAsync(STATUS_SLOW_MS - 1)
    expect(statuses.status).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(statuses.status).toHaveBeenCalledTimes(2)

    for (const [patch, refresh] of [
      [{ isStreaming: true, ratePerSecond: 5 }, {}],
      [{}, { state: 'waiting' }],
      [{}, { state: 'running', progressPercent: 40 }],
    ] as const) {
      statuses.next(streamStatus(patch, refresh))
      await vi.advanceTimersByTimeAsync(STATUS_SLOW_MS)
      expect(store.isFastPolling).toBe(true)
      const calls = statuses.status.mock.calls.length
      await vi.advanceTimersByTimeAsync(STATUS_FAST_MS)
      expect(statuses.status).toHaveBeenCalledTimes(calls + 1)
    }

    statuses.next(streamStatus({}, { state: 'failed', lastError: 'dbt failed' }))
    await vi.advanceTimersByTimeAsync(STATUS_FAST_MS)
    expect(store.isFastPolling).toBe(false)
    expect(store.refreshState).toBe('failed')
    stop()
    const calls = statuses.status.mock.calls.length
    await vi.advanceTimersByTimeAsync(STATUS_SLOW_MS * 3)
    expect(statuses.status).toHaveBeenCalledTimes(calls)
  })

  it('re-reads the warehouse when the models refreshed, and leaves reloading the views to the pushed "marts changed"', async () => {
    const statuses = fakeStatuses(streamStatus())
    const warehouseStatus = vi.fn(async () => ({ ok: true as const, value: WAREHOUSE }))
    const api = createFakeApi({ stream: { status: statuses.status }, warehouse: { status: warehouseStatus } })
    provideApi(api)
    const store = useStreamStore()
    const dataVersion = useDataVersionStore()
    const stop = dataVersion.listen()
    await store.poll()
    expect(dataVersion.version).toBe(0)

    statuses.next(streamStatus({ storedEvents: 3 }, { state: 'running' }))
    await store.poll()
    expect(dataVersion.version).toBe(0)
    expect(store.isRefreshPending).toBe(true)
    // New events landed: the warehouse freshness is read again.
    expect(warehouseStatus).toHaveBeenCalledTimes(1)

    statuses.next(streamStatus({ storedEvents: 3 }, { lastSuccessAt: '2026-11-26T12:00:09.000Z' }))
    await store.poll()
    // The refresh time is shown, not read as news: the main process pushes that.
    expect(dataVersion.version).toBe(0)
    expect(store.lastRefreshAt).toBe('2026-11-26T12:00:09.000Z')
    await vi.advanceTimersByTimeAsync(0)
    expect(warehouseStatus).toHaveBeenCalledTimes(2)
    expect(useWarehouseStore().status).toEqual(WAREHOUSE)

    api.emitMartsChanged()
    expect(dataVersion.version).toBe(1)
    stop()
    api.emitMartsChanged()
    expect(dataVersion.version).toBe(1)
  })
})

describe('useStreamStore actions', { timeout: 10_000 }, () => {
  it('is busy during a burst, says what it did for a while, then polls fast', async () => {
    let answer: (value: Result<{ queued: number; added: number; duplicates: number; rejected: number }>) => void = () => undefined
    const burst = vi.fn(
      () => new Promise<Result<{ queued: number; added: number; duplicates: number; rejected: number }>>((done) => (answer = done)),
    )
    const statuses = fakeStatuses(streamStatus())
    provideApi(createFakeApi({ stream: { burst, status: statuses.status } }))
    const store = useStreamStore()
    const stop = store.startPolling()
    await vi.advanceTimersByTimeAsync(0)

    const running = store.burst()
    expect(store.isBursting).toBe(true)
    // Demo bursts by default: each brings back a visitor converting through another channel.
    expect(burst).toHaveBeenCalledWith({ count: STREAM_BURST_DEFAULT, mode: 'demo' })
    answer({ ok: true, value: { queued: 10, added: 9, duplicates: 1, rejected: 0 } })
    await running
    expect(store.isBursting).toBe(false)
    expect(store.burstMessage).toBe('10 events sent: 9 new, 1 duplicate')

    // Polled right after the burst, then every second although the status is still idle.
    await vi.advanceTimersByTimeAsync(0)
    const calls = statuses.status.mock.calls.length
    await vi.advanceTimersByTimeAsync(STATUS_FAST_MS * 3)
    expect(statuses.status).toHaveBeenCalledTimes(calls + 3)
    await vi.advanceTimersByTimeAsync(BURST_NOTE_MS)
    expect(store.burstMessage).toBeUndefined()
    await vi.advanceTimersByTimeAsync(FAST_AFTER_ACTION_MS)
    const slowCalls = statuses.status.mock.calls.length
    await vi.advanceTimersByTimeAsync(STATUS_FAST_MS * 3)
    expect(statuses.status.mock.calls.length - slowCalls).toBeLessThanOrEqual(1)
    stop()
  })

  it('sends realistic bursts when demo journeys are switched off', async () => {
    const burst = vi.fn(async () => ({ ok: true as const, value: { queued: 5, added: 5, duplicates: 0, rejected: 0 } }))
    provideApi(createFakeApi({ stream: { burst } }))
    const store = useStreamStore()
    store.isDemoMode = false
    store.burstSize = 5
    await store.burst()
    expect(burst).toHaveBeenCalledWith({ count: 5, mode: 'realistic' })
  })

  it('shows why a burst failed', async () => {
    provideApi(createFakeApi({ stream: { burst: async () => ({ ok: false, error: 'The outbox is full.' }) } }))
    const store = useStreamStore()
    store.burstSize = 50
    await store.burst()
    expect(store.actionError).toBe('The outbox is full.')
    expect(store.burstMessage).toBeUndefined()
  })

  it('starts and stops the continuous mode at a clamped rate; the toggle follows the request, then the answer', async () => {
    let answer: (value: Result<StreamStatus>) => void = () => undefined
    const start = vi
      .fn(async ({ ratePerSecond }: { ratePerSecond: number }): Promise<Result<StreamStatus>> => ({
        ok: true,
        value: streamStatus({ isStreaming: true, ratePerSecond }),
      }))
      .mockImplementationOnce(() => new Promise((done) => (answer = done)))
    const stopStream = vi.fn(async () => ({ ok: false as const, error: 'Not streaming.' }))
    provideApi(createFakeApi({ stream: { start, stop: stopStream } }))
    const store = useStreamStore()
    store.ratePerSecond = 0
    const starting = store.setContinuous(true)
    expect(store.isContinuousOn).toBe(true)
    expect(start).toHaveBeenCalledWith({ ratePerSecond: 1 })
    answer({ ok: true, value: streamStatus({ isStreaming: true, ratePerSecond: 1 }) })
    await starting
    expect(store.isStreaming).toBe(true)

    await store.setRate(40)
    expect(start).toHaveBeenLastCalledWith({ ratePerSecond: 40 })

    await store.setContinuous(false)
    expect(store.actionError).toBe('Not streaming.')
    expect(store.isContinuousOn).toBe(true)
  })

  it('shows a cancelled refresh as cancelled and keeps polling fast until the loop picks the events up', async () => {
    const cancel = vi.fn(async () => ({ ok: true as const, value: streamStatus({}, { state: 'cancelled', unmodelledEvents: 120 }) }))
    provideApi(createFakeApi({ refresh: { cancel } }))
    const store = useStreamStore()
    await store.cancelRefresh()
    expect(store.refreshState).toBe('cancelled')
    expect(store.isCancelled).toBe(true)
    expect(store.isRefreshPending).toBe(false)
    expect(store.isFastPolling).toBe(true)
    expect(store.unmodelledEvents).toBe(120)
  })

  it('warns when the continuous rate is above what the refresh keeps up with, and not before it was measured', async () => {
    const statuses = fakeStatuses(streamStatus())
    provideApi(createFakeApi({ stream: { status: statuses.status } }))
    const store = useStreamStore()
    await store.poll()
    expect(store.sustainableRate).toBeNull()
    expect(store.isRateAboveSustainable).toBe(false)
    statuses.next(streamStatus({ sustainableRatePerSecond: 30 }))
    await store.poll()
    await store.setRate(30)
    expect(store.isRateAboveSustainable).toBe(false)
    await store.setRate(31)
    expect(store.isRateAboveSustainable).toBe(true)
  })

  it('cancels a running refresh', async () => {
    const cancel = vi.fn(async () => ({ ok: true as const, value: streamStatus({}, { state: 'idle' }) }))
    provideApi(createFakeApi({ refresh: { cancel } }))
    const store = useStreamStore()
    await store.cancelRefresh()
    expect(cancel).toHaveBeenCalledWith({})
    expect(store.refreshState).toBe('idle')
    expect(store.isCancelling).toBe(false)
  })
})

describe('useStreamStore notes', { timeout: 10_000 }, () => {
  const demo = (isActive: boolean) => ({ isActive, sandbox: null, isPreparing: false, preparingMessage: null, error: null })

  it('ends an error note when another warehouse is shown (BigQuery left for the embedded one, or the demo copy)', async () => {
    const statuses = fakeStatuses(streamStatus())
    const burst = vi.fn(async () => ({ ok: false as const, error: 'BigQuery cannot be reached: offline (ENOTFOUND)' }))
    provideApi(
      createFakeApi({
        stream: { burst, status: statuses.status },
        warehouse: { status: async () => ({ ok: true as const, value: WAREHOUSE }) },
      }),
    )
    const store = useStreamStore()
    await store.poll()
    await store.burst()
    expect(store.actionError).toMatch(/BigQuery cannot be reached/)
    await store.poll()
    expect(store.actionError).toMatch(/BigQuery cannot be reached/)

    // Settings switched back to the embedded warehouse: the statuses now carry its demo state.
    statuses.next(streamStatus({ demo: demo(false) }))
    await store.poll()
    expect(store.actionError).toBeUndefined()

    await store.burst()
    expect(store.actionError).toBeDefined()
    const dataVersion = useDataVersionStore()
    const version = dataVersion.version
    statuses.next(streamStatus({ demo: demo(true) }))
    await store.poll()
    expect(store.actionError).toBeUndefined()
    // The demo copy is other data: every view reloads.
    expect(dataVersion.version).toBe(version + 1)
  })

  it('ends the note of a request that never reached the main process once it answers again', async () => {
    const statuses = fakeStatuses(streamStatus())
    let isThrown = true
    const burst = vi.fn(async () => {
      if (isThrown) throw new Error('Failed to fetch')
      return { ok: false as const, error: UNREACHABLE_MESSAGE }
    })
    let isDown = true
    const status = vi.fn(async () => {
      if (isDown) throw new Error('Failed to fetch')
      return statuses.status()
    })
    provideApi(createFakeApi({ stream: { burst, status } }))
    const store = useStreamStore()
    // A status was shown before the main process went away: later failed polls keep it.
    isDown = false
    await store.poll()
    isDown = true
    await store.burst()
    expect(store.actionError).toMatch(/Failed to fetch/)
    await store.poll()
    expect(store.actionError).toMatch(/Failed to fetch/)
    isDown = false
    await store.poll()
    expect(store.actionError).toBeUndefined()

    // The browser twin's answer when the bridge is gone: the same.
    isThrown = false
    isDown = true
    await store.burst()
    expect(store.actionError).toBe(UNREACHABLE_MESSAGE)
    isDown = false
    await store.poll()
    expect(store.actionError).toBeUndefined()
  })
})
