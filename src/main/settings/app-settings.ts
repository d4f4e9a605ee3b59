import { readFile } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import type { Result } from '@shared/attribution'
import {
  type AppSettings,
  type BigQuerySettings,
  CREDENTIAL_MODES,
  type CredentialMode,
  WAREHOUSE_KINDS,
  type WarehouseKind,
} from '@shared/settings-api'
import { isRecord } from '@shared/is-record'
import { writePrivateJson } from '../private-files'

/** BigQuery bills at least 10 MB per table a query reads, so a smaller limit would refuse everything. */
export const MIN_MAXIMUM_BYTES_BILLED = 10 * 1024 * 1024
/** 100 TiB: far above any sensible limit, low enough to catch a slip of the keyboard. */
export const MAX_MAXIMUM_BYTES_BILLED = 100 * 1024 ** 4

/** A Google Cloud project id: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter. */
export const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/
/** A BigQuery dataset id: letters, digits and underscores. */
export const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/
/** A BigQuery location: a multi-region (US, EU) or a region (europe-west2, us-central1). */
export const LOCATION = /^(?:US|EU|[a-z]+(?:-[a-z0-9]+)+)$/

/** The settings of a first start: embedded warehouse, BigQuery left for the person to fill in. */
export const DEFAULT_SETTINGS: AppSettings = {
  warehouse: 'embedded',
  bigquery: {
    projectId: '',
    ga4Dataset: '',
    martsDataset: 'attribution',
    location: 'US',
    maximumBytesBilled: 1024 ** 3,
    dbtMaximumBytesBilled: 50 * 1024 ** 3,
    credentialMode: 'adc',
  },
}

/** The GA4 dataset as project and dataset; a bare dataset id lives in the settings' project. */
export function splitGa4Dataset(settings: Pick<BigQuerySettings, 'projectId' | 'ga4Dataset'>): { project: string; dataset: string } {
  const dot = settings.ga4Dataset.indexOf('.')
  return dot < 0
    ? { project: settings.projectId, dataset: settings.ga4Dataset }
    : { project: settings.ga4Dataset.slice(0, dot), dataset: settings.ga4Dataset.slice(dot + 1) }
}

/** Checks BigQuery settings field by field; `complete` also requires the ids a connection needs. */
export function validateBigQuerySettings(input: unknown, options: { complete: boolean }): Result<BigQuerySettings> {
  if (!isRecord(input)) return { ok: false, error: 'BigQuery settings must be an object.' }
  const text = (key: string) => (typeof input[key] === 'string' ? (input[key] as string).trim() : undefined)
  const projectId = text('projectId')
  const ga4Dataset = text('ga4Dataset')
  const martsDataset = text('martsDataset')
  const location = text('location')
  if (projectId === undefined || ga4Dataset === undefined || martsDataset === undefined || location === undefined) {
    return { ok: false, error: 'BigQuery settings need projectId, ga4Dataset, martsDataset and location as text.' }
  }
  if ((options.complete || projectId !== '') && !PROJECT_ID.test(projectId)) {
    return {
      ok: false,
      error: `"${projectId.slice(0, 40)}" is not a Google Cloud project id (6-30 lowercase letters, digits and hyphens, starting with a letter).`,
    }
  }
  if (options.complete || ga4Dataset !== '') {
    const ga4 = splitGa4Dataset({ projectId, ga4Dataset })
    if (!PROJECT_ID.test(ga4.project) || !DATASET_ID.test(ga4.dataset)) {
      return {
        ok: false,
        error: `"${ga4Dataset.slice(0, 80)}" is not a dataset: write analytics_123456789, or project.dataset for another project's export.`,
      }
    }
  }
  if (!DATASET_ID.test(martsDataset))
    return { ok: false, error: `"${martsDataset.slice(0, 40)}" is not a dataset id for the marts (letters, digits and underscores).` }
  if (!LOCATION.test(location))
    return { ok: false, error: `"${location.slice(0, 40)}" is not a BigQuery location (e.g. US, EU, europe-west2).` }
  const bytes = (key: 'maximumBytesBilled' | 'dbtMaximumBytesBilled'): number | string => {
    const value = input[key]
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < MIN_MAXIMUM_BYTES_BILLED || value > MAX_MAXIMUM_BYTES_BILLED) {
      return `${key} must be a whole number of bytes from 10 MiB (BigQuery's minimum bill per table) to 100 TiB.`
    }
    return value
  }
  const maximumBytesBilled = bytes('maximumBytesBilled')
  if (typeof maximumBytesBilled === 'string') return { ok: false, error: maximumBytesBilled }
  const dbtMaximumBytesBilled = bytes('dbtMaximumBytesBilled')
  if (typeof dbtMaximumBytesBilled === 'string') return { ok: false, error: dbtMaximumBytesBilled }
  if (!(CREDENTIAL_MODES as readonly unknown[]).includes(input.credentialMode)) {
    return { ok: false, error: 'credentialMode must be service_account (a key file) or adc (Application Default Credentials).' }
  }
  return {
    ok: true,
    value: {
      projectId,
      ga4Dataset,
      martsDataset,
      location,
      maximumBytesBilled,
      dbtMaximumBytesBilled,
      credentialMode: input.credentialMode as CredentialMode,
    },
  }
}

/** Longest dbt executable path accepted. */
export const MAX_DBT_EXECUTABLE_LENGTH = 4096

/** Checks the shape of a dbt executable path (absolute, one line); whether it runs is checked by dbt/setup/check-dbt.ts. */
export function validateDbtExecutablePath(input: unknown): Result<string> {
  if (typeof input !== 'string' || input.trim() === '') return { ok: false, error: 'The dbt executable must be a path.' }
  const path = input.trim()
  if (path.length > MAX_DBT_EXECUTABLE_LENGTH || /[\0\r\n]/.test(path)) return { ok: false, error: 'That is not a usable file path.' }
  if (!isAbsolute(path))
    return { ok: false, error: `"${path.slice(0, 80)}" is not a full path: write it from the root, e.g. /home/me/.venv/bin/dbt.` }
  return { ok: true, value: path }
}

/** Checks untrusted settings (IPC, the settings file); choosing BigQuery requires complete BigQuery settings. */
export function validateAppSettings(input: unknown): Result<AppSettings> {
  if (!isRecord(input)) return { ok: false, error: 'Settings must be an object.' }
  if (!(WAREHOUSE_KINDS as readonly unknown[]).includes(input.warehouse))
    return { ok: false, error: 'warehouse must be embedded or bigquery.' }
  const warehouse = input.warehouse as WarehouseKind
  const bigquery = validateBigQuerySettings(input.bigquery, { complete: warehouse === 'bigquery' })
  if (!bigquery.ok) return bigquery
  if (input.dbtExecutable === undefined || input.dbtExecutable === null) return { ok: true, value: { warehouse, bigquery: bigquery.value } }
  const dbtExecutable = validateDbtExecutablePath(input.dbtExecutable)
  if (!dbtExecutable.ok) return dbtExecutable
  return { ok: true, value: { warehouse, bigquery: bigquery.value, dbtExecutable: dbtExecutable.value } }
}

/** Reads the settings file; a missing file gives the defaults, a bad one the defaults and a message. */
export async function loadSettings(path: string): Promise<{ settings: AppSettings; notice: string | null }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { settings: structuredClone(DEFAULT_SETTINGS), notice: null }
    return {
      settings: structuredClone(DEFAULT_SETTINGS),
      notice: `The settings file could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); using the defaults.`,
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return {
      settings: structuredClone(DEFAULT_SETTINGS),
      notice: 'The settings file is not valid JSON; using the defaults. Saving will replace it.',
    }
  }
  const checked = validateAppSettings(parsed)
  if (!checked.ok)
    return {
      settings: structuredClone(DEFAULT_SETTINGS),
      notice: `The saved settings were not valid (${checked.error}); using the defaults.`,
    }
  return { settings: checked.value, notice: null }
}

/**
 * The settings a save would write: validated, with the dbt executable kept as saved whatever the
 * input says (only `saveDbtExecutable` changes it, after a check). Writes nothing.
 */
export async function settingsToSave(path: string, input: unknown): Promise<Result<AppSettings>> {
  const checked = validateAppSettings(input)
  if (!checked.ok) return checked
  const { dbtExecutable: _ignored, ...rest } = checked.value
  const { dbtExecutable } = (await loadSettings(path)).settings
  return { ok: true, value: dbtExecutable === undefined ? rest : { ...rest, dbtExecutable } }
}

/** Validates and writes the settings atomically, so a crash mid-write leaves the old file. */
export async function saveSettings(path: string, input: unknown): Promise<Result<AppSettings>> {
  const settings = await settingsToSave(path, input)
  return settings.ok ? writeSettings(path, settings.value) : settings
}

/** Names the dbt executable to run (already checked by the caller), or forgets it with null; other settings stay. */
export async function saveDbtExecutable(path: string, executable: string | null): Promise<Result<AppSettings>> {
  const { dbtExecutable: _previous, ...rest } = (await loadSettings(path)).settings
  if (executable === null) return writeSettings(path, rest)
  const checked = validateDbtExecutablePath(executable)
  return checked.ok ? writeSettings(path, { ...rest, dbtExecutable: checked.value }) : checked
}

/** Writes checked settings through a temp file and a rename: the old file stays whole until the new one is. */
export async function writeSettings(path: string, settings: AppSettings): Promise<Result<AppSettings>> {
  const checked = validateAppSettings(settings)
  if (!checked.ok) return checked
  try {
    await writePrivateJson(path, checked.value)
  } catch (error) {
    return {
      ok: false,
      error: `The settings could not be saved (${(error as NodeJS.ErrnoException).code ?? 'error'}); the saved ones are unchanged.`,
    }
  }
  return checked
}
