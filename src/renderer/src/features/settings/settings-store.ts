import type { Result } from '@shared/attribution'
import type { AppSettings, ChooseKeyFileRequest, ConnectionReport, CredentialSummary, SettingsView } from '@shared/settings-api'
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { useApi } from '@renderer/api'
import { type ByteUnit, parseBytes, splitBytes } from './bytes'
import { settingsProblems } from './settings-form'
import { useWarehouseStore } from '@renderer/stores/warehouse'

/** The two bytes-billed limits, edited as an amount in a unit. */
export type BytesField = 'maximumBytesBilled' | 'dbtMaximumBytesBilled'
/** What the person typed into a bytes-billed field. */
export interface BytesInput {
  amount: string
  unit: ByteUnit
}

const BYTES_LABELS: Record<BytesField, string> = {
  maximumBytesBilled: 'Maximum bytes billed',
  dbtMaximumBytesBilled: 'dbt maximum bytes billed',
}

function messageOf(thrown: unknown): string {
  return `Unexpected error: ${thrown instanceof Error ? thrown.message : String(thrown)}`
}

/** Runs a call that answers a Result; a transport that throws answers an error Result instead. */
async function settle<T>(call: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await call()
  } catch (thrown) {
    return { ok: false, error: messageOf(thrown) }
  }
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1)

/** Settings as text with a fixed field order, to compare two of them. */
function canonical({ warehouse, bigquery: b }: AppSettings): string {
  return JSON.stringify([
    warehouse,
    b.projectId,
    b.ga4Dataset,
    b.martsDataset,
    b.location,
    b.maximumBytesBilled,
    b.dbtMaximumBytesBilled,
    b.credentialMode,
  ])
}

function bytesInputOf(bytes: number): BytesInput {
  const { amount, unit } = splitBytes(bytes)
  return { amount: String(amount), unit }
}

/** The settings screen: the saved settings, the copy being edited, the key summary and the connection test. */
export const useSettingsStore = defineStore('settings', () => {
  /** The main process's last answer: saved settings, key summary, how a key can be kept, and any notice. */
  const saved = shallowRef<SettingsView>()
  /** The settings being edited; the bytes limits live in `bytesInputs` until Save. */
  const draft = ref<AppSettings>()
  /** The bytes-billed limits as typed. */
  const bytesInputs = ref<Record<BytesField, BytesInput>>({
    maximumBytesBilled: { amount: '', unit: 'GB' },
    dbtMaximumBytesBilled: { amount: '', unit: 'GB' },
  })
  /** Why the settings could not be read. */
  const loadError = ref<string>()
  /** True while the settings are read. */
  const isLoading = ref(false)
  /** Why the last Save did not happen: a limit the form cannot read, or the main process's message. */
  const saveError = ref<string>()
  /** True while a Save runs. */
  const isSaving = ref(false)
  /** What the last successful Save did. */
  const lastSaveNote = ref<string>()
  /** The last connection test's answer: the report, or the exact error. */
  const connection = shallowRef<Result<ConnectionReport>>()
  /** True while the connection test runs. */
  const isTesting = ref(false)
  /** Why choosing or forgetting the key failed. */
  const credentialError = ref<string>()
  /** True while the key file dialog or a key change runs. */
  const isChangingKey = ref(false)

  /** The key summary (configured, project, account); never the key itself. */
  const credentials = computed(() => saved.value?.credentials)
  /** Whether a key can be stored on this machine. */
  const keyStorage = computed(() => saved.value?.keyStorage)
  /** Set when the settings file was unreadable and defaults are shown instead. */
  const notice = computed(() => saved.value?.notice ?? null)
  /** A hint per text field that would not pass. */
  const problems = computed(() => (draft.value ? settingsProblems(draft.value) : {}))
  /** A hint per bytes field whose text is no acceptable limit. */
  const bytesProblems = computed(() => {
    const found: Partial<Record<BytesField, string>> = {}
    for (const field of Object.keys(BYTES_LABELS) as BytesField[]) {
      const parsed = parseBytes(bytesInputs.value[field].amount, bytesInputs.value[field].unit)
      if (!parsed.ok) found[field] = parsed.error
    }
    return found
  })
  // A test result describes the fields it was run with: any edit makes it stale, so it goes (an error most of all).
  watch(
    () => JSON.stringify([draft.value, bytesInputs.value]),
    (now, before) => {
      if (before !== undefined && now !== before && !isTesting.value) connection.value = undefined
    },
  )

  /** True when the form differs from the saved settings. */
  const isDirty = computed(() => {
    const built = build()
    return saved.value !== undefined && (!built.ok || canonical(built.value) !== canonical(saved.value.settings))
  })

  /** What the last successful Save did, shown until the form is edited again. */
  const savedMessage = computed(() => (isDirty.value ? undefined : lastSaveNote.value))

  /** Puts the saved settings into the form. */
  function resetDraft(): void {
    if (!saved.value) return
    const settings = saved.value.settings
    draft.value = structuredClone(settings)
    bytesInputs.value = {
      maximumBytesBilled: bytesInputOf(settings.bigquery.maximumBytesBilled),
      dbtMaximumBytesBilled: bytesInputOf(settings.bigquery.dbtMaximumBytesBilled),
    }
  }

  /** The form as AppSettings, or the first bytes limit it cannot read. */
  function build(): Result<AppSettings> {
    if (!draft.value) return { ok: false, error: 'The settings are not loaded yet.' }
    const bytes: Partial<Record<BytesField, number>> = {}
    for (const field of Object.keys(BYTES_LABELS) as BytesField[]) {
      const parsed = parseBytes(bytesInputs.value[field].amount, bytesInputs.value[field].unit)
      if (!parsed.ok) return { ok: false, error: `${BYTES_LABELS[field]}: ${lowerFirst(parsed.error)}` }
      bytes[field] = parsed.value
    }
    const { bigquery } = draft.value
    return {
      ok: true,
      value: {
        warehouse: draft.value.warehouse,
        bigquery: {
          ...bigquery,
          projectId: bigquery.projectId.trim(),
          ga4Dataset: bigquery.ga4Dataset.trim(),
          martsDataset: bigquery.martsDataset.trim(),
          location: bigquery.location.trim(),
          maximumBytesBilled: bytes.maximumBytesBilled ?? bigquery.maximumBytesBilled,
          dbtMaximumBytesBilled: bytes.dbtMaximumBytesBilled ?? bigquery.dbtMaximumBytesBilled,
        },
      },
    }
  }

  /** Reads the settings and puts them into the form. */
  async function load(): Promise<void> {
    isLoading.value = true
    const result = await settle(() => useApi().settings.get({}))
    isLoading.value = false
    if (!result.ok) {
      loadError.value = result.error
      return
    }
    loadError.value = undefined
    saved.value = result.value
    resetDraft()
  }

  /** Saves the form; a switch of warehouse reloads the warehouse status and every view. */
  async function save(): Promise<boolean> {
    const built = build()
    if (!built.ok) {
      saveError.value = built.error
      return false
    }
    const previousKind = saved.value?.settings.warehouse
    saveError.value = undefined
    lastSaveNote.value = undefined
    isSaving.value = true
    const result = await settle(() => useApi().settings.save(built.value))
    isSaving.value = false
    if (!result.ok) {
      saveError.value = result.error
      return false
    }
    saved.value = result.value
    resetDraft()
    const kind = result.value.settings.warehouse
    const isSwitch = previousKind !== undefined && previousKind !== kind
    lastSaveNote.value = isSwitch
      ? `Saved. The dashboard now reads from ${kind === 'bigquery' ? 'BigQuery' : 'the embedded warehouse'}.`
      : 'Saved.'
    if (isSwitch) await useWarehouseStore().reopen()
    return true
  }

  /** Tests the BigQuery settings as they are in the form, saved or not. */
  async function testConnection(): Promise<void> {
    const built = build()
    if (!built.ok) {
      connection.value = built
      return
    }
    isTesting.value = true
    connection.value = undefined
    // Tested as if BigQuery were chosen, so the main process insists on every field a connection needs.
    const settings: AppSettings = { ...built.value, warehouse: 'bigquery' }
    connection.value = await settle(() => useApi().settings.testConnection({ settings }))
    isTesting.value = false
  }

  /** Takes a new key summary and re-reads where the key lives; the form being edited is left alone. */
  async function acceptCredentials(summary: CredentialSummary): Promise<void> {
    if (saved.value) saved.value = { ...saved.value, credentials: summary }
    const fresh = await settle(() => useApi().settings.get({}))
    if (fresh.ok && saved.value) saved.value = { ...saved.value, credentials: fresh.value.credentials, keyStorage: fresh.value.keyStorage }
    // A new or removed key can switch between BigQuery and the embedded fallback: nothing of the old status still applies.
    const warehouse = useWarehouseStore()
    if (warehouse.status?.kind === 'bigquery' || warehouse.status?.fallback) void warehouse.reopen()
  }

  /** Opens the key file dialog in the main process; the key is read and kept there, the window gets its summary. */
  async function chooseKeyFile(request: ChooseKeyFileRequest): Promise<void> {
    isChangingKey.value = true
    credentialError.value = undefined
    const result = await settle(() => useApi().credentials.chooseKeyFile(request))
    if (!result.ok) credentialError.value = result.error
    // null: the dialog was closed without a choice, which is not an error.
    else if (result.value) await acceptCredentials(result.value)
    isChangingKey.value = false
  }

  /** Forgets the key: the encrypted file and the in-memory copy. */
  async function clearKey(): Promise<void> {
    isChangingKey.value = true
    credentialError.value = undefined
    const result = await settle(() => useApi().credentials.clear({}))
    if (!result.ok) credentialError.value = result.error
    else await acceptCredentials(result.value)
    isChangingKey.value = false
  }

  return {
    saved,
    draft,
    bytesInputs,
    loadError,
    isLoading,
    saveError,
    isSaving,
    savedMessage,
    connection,
    isTesting,
    credentialError,
    isChangingKey,
    credentials,
    keyStorage,
    notice,
    problems,
    bytesProblems,
    isDirty,
    load,
    save,
    resetDraft,
    testConnection,
    chooseKeyFile,
    clearKey,
  }
})
