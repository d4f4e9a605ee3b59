import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import { useViewLoader } from '../composables/use-view-loader'
import { SAME_BUILD_MS, useDataVersionStore } from './data-version'

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, seconds)).toISOString()

beforeEach(() => setActivePinia(createPinia()))

describe('useDataVersionStore', () => {
  it('bumps when a source reports a newer build than before, not on its first report', () => {
    const store = useDataVersionStore()
    store.noteBuild('refresh', at(0))
    expect(store.version).toBe(0)
    store.noteBuild('refresh', at(0))
    expect(store.version).toBe(0)
    store.noteBuild('refresh', at(10))
    expect(store.version).toBe(1)
  })

  it('bumps for the first build after a source reported none', () => {
    const store = useDataVersionStore()
    store.noteBuild('refresh', null)
    store.noteBuild('refresh', at(5))
    expect(store.version).toBe(1)
  })

  it('counts one build once when both sources report it', () => {
    const store = useDataVersionStore()
    store.noteBuild('refresh', at(0))
    store.noteBuild('warehouse', at(0))
    store.noteBuild('refresh', at(30))
    store.noteBuild('warehouse', new Date(Date.parse(at(30)) + SAME_BUILD_MS / 2).toISOString())
    expect(store.version).toBe(1)
    // A build the refresh loop did not report (an import) still counts.
    store.noteBuild('warehouse', at(90))
    expect(store.version).toBe(2)
  })

  it('starts over after a warehouse switch: one bump now, and each source’s next report is its first again', () => {
    const store = useDataVersionStore()
    store.noteBuild('warehouse', at(0))
    store.noteBuild('refresh', at(0))
    store.startOver()
    expect(store.version).toBe(1)
    store.noteBuild('warehouse', at(-60))
    store.noteBuild('refresh', at(-60))
    expect(store.version).toBe(1)
    store.noteBuild('refresh', at(30))
    expect(store.version).toBe(2)
  })
})

describe('useViewLoader', () => {
  it('loads now and on input changes in the foreground, and in the background after a new build', async () => {
    const load = vi.fn(async () => undefined)
    const input = ref(1)
    useViewLoader(() => input.value, load)
    expect(load).toHaveBeenLastCalledWith({})
    input.value = 2
    await nextTick()
    expect(load).toHaveBeenCalledTimes(2)

    const dataVersion = useDataVersionStore()
    dataVersion.noteBuild('refresh', at(0))
    dataVersion.noteBuild('refresh', at(20))
    await nextTick()
    expect(load).toHaveBeenCalledTimes(3)
    expect(load).toHaveBeenLastCalledWith({ isBackground: true })
  })
})
