import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import { useViewLoader } from '../composables/use-view-loader'
import { provideApi } from '../api'
import { createFakeApi } from '../api/fake-api'
import { useDataVersionStore } from './data-version'

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, seconds)).toISOString()

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => provideApi(undefined))

describe('useDataVersionStore', () => {
  it('bumps on every pushed "marts changed", once a listener follows them', () => {
    const api = createFakeApi()
    provideApi(api)
    const store = useDataVersionStore()
    api.emitMartsChanged()
    expect(store.version).toBe(0)
    const stop = store.listen()
    api.emitMartsChanged()
    api.emitMartsChanged()
    expect(store.version).toBe(2)
    stop()
  })

  it('bumps for a build time in the status that no push announced, not for its first report or one a push did', () => {
    const store = useDataVersionStore()
    store.noteStatusBuild(at(0))
    expect(store.version).toBe(0)
    store.noteStatusBuild(at(0))
    expect(store.version).toBe(0)
    // A build by hand on BigQuery: only the status tells.
    store.noteStatusBuild(at(10))
    expect(store.version).toBe(1)
    // The app's own build: pushed, then seen in the status, counted once.
    store.noteMartsChanged()
    store.noteStatusBuild(at(20))
    expect(store.version).toBe(2)
    store.noteStatusBuild(at(30))
    expect(store.version).toBe(3)
  })

  it('bumps for the first build after the status reported none', () => {
    const store = useDataVersionStore()
    store.noteStatusBuild(null)
    store.noteStatusBuild(at(5))
    expect(store.version).toBe(1)
  })

  it('starts over after a warehouse switch: one bump now, and the status’s next report is its first again', () => {
    const store = useDataVersionStore()
    store.noteStatusBuild(at(0))
    store.noteMartsChanged()
    store.startOver()
    expect(store.version).toBe(2)
    expect(store.epoch).toBe(1)
    store.noteStatusBuild(at(-60))
    expect(store.version).toBe(2)
    store.noteStatusBuild(at(30))
    expect(store.version).toBe(3)
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

    useDataVersionStore().noteMartsChanged()
    await nextTick()
    expect(load).toHaveBeenCalledTimes(3)
    expect(load).toHaveBeenLastCalledWith({ isBackground: true })
  })
})
