import type { WarehouseStatus } from '@shared/api'
import type { AppSettings, ConnectionReport, CredentialSummary, SettingsView } from '@shared/settings-api'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { provideApi } from '@renderer/api'
import { createFakeApi } from '@renderer/api/fake-api'
import { BYTE_UNITS } from './bytes'
import { useDataVersionStore } from '@renderer/stores/data-version'
import { useSettingsStore } from './settings-store'
import { useWarehouseStore } from '@renderer/stores/warehouse'

const SETTINGS: AppSettings = {
  warehouse: 'embedded',
  bigquery: {
    projectId: 'acme-analytics',
    ga4Dataset: 'analytics_123456789',
    martsDataset: 'attribution',
    location: 'US',
    maximumBytesBilled: BYTE_UNITS.GB,
    dbtMaximumBytesBilled: 50 * BYTE_UNITS.GB,
    credentialMode: 'service_account',
  },
}
const NO_KEY: CredentialSummary = { configured: false, projectId: null, clientEmail: null }
const KEY: CredentialSummary = { configured: true, projectId: 'acme-analytics', clientEmail: 'dash@acme-analytics.iam.gserviceaccount.com' }
const VIEW: SettingsView = {
  settings: SETTINGS,
  credentials: NO_KEY,
  keyStorage: { encryptionAvailable: true, plainTextOnly: false, persistence: 'none' },
  notice: null,
}
const STATUS: WarehouseStatus = {
  kind: 'bigquery',
  location: 'acme-analytics.attribution',
  events: 10,
  intradayEvents: 0,
  hasModels: true,
  newestEventAt: null,
  modelsBuiltAt: '2026-11-26T12:00:00.000Z',
  firstConversionDate: null,
  lastConversionDate: null,
}
const REPORT: ConnectionReport = {
  projectId: 'acme-analytics',
  ga4Dataset: 'analytics_123456789',
  martsDataset: 'attribution',
  ga4Location: 'US',
  dayTables: 92,
  intradayTables: 1,
  hasMarts: false,
  notes: ['The marts dataset does not exist yet; the first build creates it.'],
}
const ok = <T>(value: T) => ({ ok: true as const, value })

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => provideApi(undefined))

describe('useSettingsStore', () => {
  it('loads the settings into an editable copy with the limits in friendly units', async () => {
    provideApi(createFakeApi({ settings: { get: async () => ok({ ...VIEW, notice: 'The settings file is not valid JSON.' }) } }))
    const store = useSettingsStore()
    await store.load()
    expect(store.draft).toEqual(SETTINGS)
    expect(store.draft).not.toBe(SETTINGS)
    expect(store.bytesInputs).toEqual({
      maximumBytesBilled: { amount: '1', unit: 'GB' },
      dbtMaximumBytesBilled: { amount: '50', unit: 'GB' },
    })
    expect(store.notice).toBe('The settings file is not valid JSON.')
    expect(store.isDirty).toBe(false)
  })

  it('shows why the settings could not be read', async () => {
    provideApi(createFakeApi({ settings: { get: async () => Promise.reject(new Error('IPC died')) } }))
    const store = useSettingsStore()
    await store.load()
    expect(store.loadError).toContain('IPC died')
    expect(store.draft).toBeUndefined()
  })

  it('saves the edited settings with the limits in bytes and trimmed ids', async () => {
    const save = vi.fn(async (settings: AppSettings) => ok({ ...VIEW, settings }))
    provideApi(createFakeApi({ settings: { get: async () => ok(VIEW), save } }))
    const store = useSettingsStore()
    await store.load()
    store.draft!.bigquery.projectId = ' acme-analytics '
    store.bytesInputs.maximumBytesBilled = { amount: '500', unit: 'MB' }
    expect(store.isDirty).toBe(true)
    expect(await store.save()).toBe(true)
    expect(save).toHaveBeenCalledWith({ ...SETTINGS, bigquery: { ...SETTINGS.bigquery, maximumBytesBilled: 500 * BYTE_UNITS.MB } })
    expect(store.isDirty).toBe(false)
    expect(store.savedMessage).toBe('Saved.')
    store.draft!.bigquery.location = 'EU'
    expect(store.savedMessage).toBeUndefined()
  })

  it('refuses to save a limit it cannot read, without asking the main process', async () => {
    const save = vi.fn(async (settings: AppSettings) => ok({ ...VIEW, settings }))
    provideApi(createFakeApi({ settings: { get: async () => ok(VIEW), save } }))
    const store = useSettingsStore()
    await store.load()
    store.bytesInputs.dbtMaximumBytesBilled = { amount: 'lots', unit: 'GB' }
    expect(store.bytesProblems.dbtMaximumBytesBilled).toBeDefined()
    expect(await store.save()).toBe(false)
    expect(save).not.toHaveBeenCalled()
    expect(store.saveError).toMatch(/^dbt maximum bytes billed: /)
  })

  it("shows the main process's refusal and keeps the edits", async () => {
    const error = '"Acme" is not a Google Cloud project id (6-30 lowercase letters, digits and hyphens, starting with a letter).'
    provideApi(createFakeApi({ settings: { get: async () => ok(VIEW), save: async () => ({ ok: false, error }) } }))
    const store = useSettingsStore()
    await store.load()
    store.draft!.warehouse = 'bigquery'
    store.draft!.bigquery.projectId = 'Acme'
    expect(store.problems.projectId).toBeDefined()
    expect(await store.save()).toBe(false)
    expect(store.saveError).toBe(error)
    expect(store.draft?.bigquery.projectId).toBe('Acme')
    expect(store.isSaving).toBe(false)
  })

  it('reloads the warehouse status and every view after a save that switches the warehouse', async () => {
    const status = vi.fn(async () => ok(STATUS))
    provideApi(
      createFakeApi({
        settings: { get: async () => ok(VIEW), save: async (settings) => ok({ ...VIEW, settings }) },
        warehouse: { status },
      }),
    )
    const store = useSettingsStore()
    const warehouse = useWarehouseStore()
    const dataVersion = useDataVersionStore()
    await store.load()
    store.draft!.warehouse = 'bigquery'
    await store.save()
    expect(status).toHaveBeenCalledTimes(1)
    expect(warehouse.status).toEqual(STATUS)
    expect(dataVersion.version).toBe(1)
    expect(store.savedMessage).toBe('Saved. The dashboard now reads from BigQuery.')

    // Saving again without a switch changes nothing else.
    store.draft!.bigquery.location = 'EU'
    await store.save()
    expect(status).toHaveBeenCalledTimes(1)
    expect(dataVersion.version).toBe(1)
  })

  it('tests the settings in the form as BigQuery settings and keeps the report or the exact error', async () => {
    const testConnection = vi.fn(async () => ok(REPORT))
    provideApi(createFakeApi({ settings: { get: async () => ok(VIEW), testConnection } }))
    const store = useSettingsStore()
    await store.load()
    store.draft!.bigquery.location = 'EU'
    await store.testConnection()
    expect(testConnection).toHaveBeenCalledWith({
      settings: { ...SETTINGS, warehouse: 'bigquery', bigquery: { ...SETTINGS.bigquery, location: 'EU' } },
    })
    expect(store.connection).toEqual(ok(REPORT))

    provideApi(
      createFakeApi({
        settings: { testConnection: async () => ({ ok: false, error: 'Dataset missing: acme-analytics:analytics_123456789' }) },
      }),
    )
    await store.testConnection()
    expect(store.connection).toEqual({ ok: false, error: 'Dataset missing: acme-analytics:analytics_123456789' })
    expect(store.isTesting).toBe(false)
  })

  it('drops the connection test result, error or not, as soon as a field changes, and keeps it across a Save of the same fields', async () => {
    provideApi(
      createFakeApi({
        settings: {
          get: async () => ok(VIEW),
          save: async () => ok(VIEW),
          testConnection: async () => ({ ok: false, error: 'Dataset missing' }),
        },
      }),
    )
    const store = useSettingsStore()
    await store.load()
    await store.testConnection()
    expect(store.connection).toEqual({ ok: false, error: 'Dataset missing' })
    await store.save()
    await nextTick()
    expect(store.connection).toEqual({ ok: false, error: 'Dataset missing' })

    store.draft!.bigquery.ga4Dataset = 'analytics_987654321'
    await nextTick()
    expect(store.connection).toBeUndefined()

    await store.testConnection()
    store.bytesInputs.maximumBytesBilled.amount = '2'
    await nextTick()
    expect(store.connection).toBeUndefined()
  })

  it('takes the summary of a chosen key and re-reads where it lives, leaving the edits alone', async () => {
    const chooseKeyFile = vi.fn(async () => ok(KEY))
    const views = [VIEW, { ...VIEW, credentials: KEY, keyStorage: { ...VIEW.keyStorage, persistence: 'session' as const } }]
    provideApi(createFakeApi({ settings: { get: async () => ok(views.shift() ?? VIEW) }, credentials: { chooseKeyFile } }))
    const store = useSettingsStore()
    await store.load()
    store.draft!.bigquery.location = 'EU'
    await store.chooseKeyFile({ persistence: 'session' })
    expect(chooseKeyFile).toHaveBeenCalledWith({ persistence: 'session' })
    expect(store.credentials).toEqual(KEY)
    expect(store.keyStorage?.persistence).toBe('session')
    expect(store.draft?.bigquery.location).toBe('EU')
    expect(store.isChangingKey).toBe(false)
  })

  it('switches the views to BigQuery when a key is chosen while the app fell back to the embedded warehouse', async () => {
    const fallback = { message: 'BigQuery is chosen in Settings, but no service-account key is available.', action: 'choose-key' as const }
    const statuses: WarehouseStatus[] = [{ ...STATUS, kind: 'embedded', location: '/data/warehouse.duckdb', fallback }, STATUS]
    provideApi(
      createFakeApi({
        settings: { get: async () => ok({ ...VIEW, settings: { ...SETTINGS, warehouse: 'bigquery' } }) },
        credentials: { chooseKeyFile: async () => ok(KEY) },
        warehouse: { status: async () => ok(statuses.shift() ?? STATUS) },
      }),
    )
    const store = useSettingsStore()
    const warehouse = useWarehouseStore()
    await warehouse.refresh()
    expect(warehouse.status?.fallback).toEqual(fallback)
    await store.load()
    await store.chooseKeyFile({ persistence: 'session' })
    await vi.waitFor(() => expect(warehouse.status).toEqual(STATUS))
  })

  it('treats a closed dialog as no change and shows a refusal as a credential error', async () => {
    provideApi(createFakeApi({ settings: { get: async () => ok(VIEW) }, credentials: { chooseKeyFile: async () => ok(null) } }))
    const store = useSettingsStore()
    await store.load()
    await store.chooseKeyFile({ persistence: 'stored' })
    expect(store.credentials).toEqual(NO_KEY)
    expect(store.credentialError).toBeUndefined()

    provideApi(
      createFakeApi({
        credentials: { chooseKeyFile: async () => ({ ok: false, error: 'Key files can be chosen in the desktop app only.' }) },
      }),
    )
    await store.chooseKeyFile({ persistence: 'stored' })
    expect(store.credentialError).toBe('Key files can be chosen in the desktop app only.')
  })

  it('forgets the key', async () => {
    const views = [{ ...VIEW, credentials: KEY }, VIEW]
    provideApi(createFakeApi({ settings: { get: async () => ok(views.shift() ?? VIEW) }, credentials: { clear: async () => ok(NO_KEY) } }))
    const store = useSettingsStore()
    await store.load()
    expect(store.credentials?.configured).toBe(true)
    await store.clearKey()
    expect(store.credentials).toEqual(NO_KEY)
  })
})
