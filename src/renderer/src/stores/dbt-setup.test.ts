import type { DbtSetupStatus } from '@shared/api'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { provideApi } from '../api'
import { createFakeApi } from '../api/fake-api'
import { useDbtSetupStore } from './dbt-setup'

/** A status with no dbt yet; tests change only what matters. */
function dbtStatus(patch: Partial<DbtSetupStatus> = {}): DbtSetupStatus {
  return {
    state: 'missing',
    source: null,
    executable: null,
    dbtVersion: null,
    adapters: [],
    settingExecutable: null,
    progress: null,
    error: null,
    notice: null,
    ...patch,
  }
}

const READY = dbtStatus({
  state: 'ready',
  source: 'data-folder',
  executable: '/data/dbt-env/venv/bin/dbt',
  dbtVersion: '1.11.16',
  adapters: ['bigquery', 'duckdb'],
})
const OFFLINE =
  'Could not reach PyPI to install dbt (http://127.0.0.1:9/simple/agate/: Connection refused). Connect to the internet, or point Settings at an existing dbt.'

describe('useDbtSetupStore', () => {
  beforeEach(() => setActivePinia(createPinia()))
  afterEach(() => provideApi(undefined))

  it('shows pushed set-up progress, and the ready status after the set-up', async () => {
    let current = dbtStatus()
    const fake = createFakeApi({
      dbt: {
        status: async () => ({ ok: true, value: current }),
        setup: async () => {
          fake.emitProgress({ job: 'build', phase: 'dbt', percent: 50, message: 'Building sessions (3 of 9)' })
          fake.emitProgress({ job: 'dbt-setup', phase: 'installing dbt', percent: 50, message: 'Installing dbt (40 of 100 packages)' })
          expect(store.progress?.message).toBe('Installing dbt (40 of 100 packages)')
          expect(store.isInstalling).toBe(true)
          current = READY
          return { ok: true, value: READY }
        },
      },
    })
    provideApi(fake)
    const store = useDbtSetupStore()
    const stop = store.follow()
    await store.refresh()
    expect(store.status?.state).toBe('missing')
    await store.setUp()
    expect(store.isReady).toBe(true)
    expect(store.status?.dbtVersion).toBe('1.11.16')
    expect(store.progress).toBeUndefined()
    stop()
  })

  it('keeps the offline message of a failed set-up for the panel', async () => {
    const fake = createFakeApi({
      dbt: {
        status: async () => ({ ok: true, value: dbtStatus({ state: 'failed', error: OFFLINE }) }),
        setup: async () => ({ ok: false, error: OFFLINE }),
      },
    })
    provideApi(fake)
    const store = useDbtSetupStore()
    await store.setUp()
    expect(store.actionError).toBe(OFFLINE)
    expect(store.status?.state).toBe('failed')
    expect(store.isBusy).toBe(false)
  })

  it('names an existing dbt, and shows why one is refused', async () => {
    const fake = createFakeApi({
      dbt: {
        status: async () => ({ ok: true, value: dbtStatus() }),
        useExecutable: async ({ path }) =>
          path === '/opt/dbt/bin/dbt'
            ? { ok: true, value: { ...READY, source: 'setting', executable: path, settingExecutable: path } }
            : { ok: false, error: `There is no file at ${path}.` },
      },
    })
    provideApi(fake)
    const store = useDbtSetupStore()
    await store.useExecutable('/nowhere/dbt')
    expect(store.actionError).toBe('There is no file at /nowhere/dbt.')
    await store.useExecutable('/opt/dbt/bin/dbt')
    expect(store.actionError).toBeUndefined()
    expect(store.status).toMatchObject({ state: 'ready', source: 'setting', settingExecutable: '/opt/dbt/bin/dbt' })
  })
})
