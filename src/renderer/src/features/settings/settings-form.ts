import type { Result } from '@shared/attribution'
import type { AppSettings, ChooseKeyFileRequest, CredentialSummary, KeyStorageInfo } from '@shared/settings-api'

// The same rules the main process applies (src/main/settings/app-settings.ts); here they only give early hints,
// the main process has the last word and its message is what Save shows.
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/
const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/
const LOCATION = /^(?:US|EU|[a-z]+(?:-[a-z0-9]+)+)$/

/** The public GA4 sample, which anyone may read and nobody may write. */
export const PUBLIC_SAMPLE_DATASET = 'bigquery-public-data.ga4_obfuscated_sample_ecommerce'

/** The BigQuery text fields the form checks. */
export type SettingsTextField = 'projectId' | 'ga4Dataset' | 'martsDataset' | 'location'

/** A hint per BigQuery text field that would not pass; fields may stay empty while the warehouse is embedded. */
export function settingsProblems(settings: AppSettings): Partial<Record<SettingsTextField, string>> {
  const isRequired = settings.warehouse === 'bigquery'
  const { projectId, ga4Dataset, martsDataset, location } = settings.bigquery
  const problems: Partial<Record<SettingsTextField, string>> = {}
  const project = projectId.trim()
  if (project === '' && isRequired) problems.projectId = 'Needed for BigQuery.'
  else if (project !== '' && !PROJECT_ID.test(project))
    problems.projectId = '6-30 lowercase letters, digits and hyphens, starting with a letter.'
  const ga4 = ga4Dataset.trim()
  if (ga4 === '' && isRequired) problems.ga4Dataset = 'Needed for BigQuery.'
  else if (ga4 !== '') {
    const dot = ga4.indexOf('.')
    const [ga4Project, dataset] = dot < 0 ? [null, ga4] : [ga4.slice(0, dot), ga4.slice(dot + 1)]
    if ((ga4Project !== null && !PROJECT_ID.test(ga4Project)) || !DATASET_ID.test(dataset)) {
      problems.ga4Dataset = 'Write analytics_123456789, or project.dataset for another project’s export.'
    }
  }
  if (!DATASET_ID.test(martsDataset.trim())) problems.martsDataset = 'Letters, digits and underscores.'
  if (!LOCATION.test(location.trim())) problems.location = 'A multi-region (US, EU) or a region (europe-west2).'
  return problems
}

/** What deserves a word about the GA4 dataset even when it is valid: another project's export is read-only. */
export function ga4DatasetNote(settings: Pick<AppSettings['bigquery'], 'projectId' | 'ga4Dataset' | 'location'>): string | null {
  const ga4 = settings.ga4Dataset.trim()
  const dot = ga4.indexOf('.')
  if (dot < 0 || ga4.slice(0, dot) === settings.projectId.trim()) return null
  if (ga4 === PUBLIC_SAMPLE_DATASET && settings.location.trim() !== 'US')
    return 'The public sample is in the US location: set Location to US.'
  return 'Another project’s dataset: read-only, so streamed events are not sent there.'
}

/** How a chosen key is kept. */
export type KeyPersistence = ChooseKeyFileRequest['persistence']

/** The safe choice for this machine: stored only where the OS encrypts it properly, else this session only. */
export function defaultKeyPersistence(storage: KeyStorageInfo): KeyPersistence {
  return storage.encryptionAvailable && !storage.plainTextOnly ? 'stored' : 'session'
}

/** The `credentials:chooseKeyFile` request for the person's choice, or why that choice cannot be made here. */
export function chooseKeyRequest(
  choice: { persistence: KeyPersistence; allowPlainText: boolean },
  storage: KeyStorageInfo,
): Result<ChooseKeyFileRequest> {
  if (choice.persistence === 'session') return { ok: true, value: { persistence: 'session' } }
  if (!storage.encryptionAvailable) {
    return { ok: false, error: 'This computer offers no encryption, so the key can be kept for this session only.' }
  }
  if (storage.plainTextOnly) {
    if (!choice.allowPlainText)
      return { ok: false, error: 'Tick “Store it with the plain-text backend anyway”, or keep the key for this session only.' }
    return { ok: true, value: { persistence: 'stored', allowPlainText: true } }
  }
  return { ok: true, value: { persistence: 'stored' } }
}

/** Where the key in use lives, in a few words; who it belongs to is shown beside it from the summary. */
export function credentialStatusText(credentials: CredentialSummary, storage: KeyStorageInfo): string {
  if (!credentials.configured) return 'No key chosen'
  if (storage.persistence === 'stored') return storage.plainTextOnly ? 'Key stored with the plain-text backend' : 'Key stored, encrypted'
  return storage.persistence === 'session' ? 'Key kept for this session only' : 'Key in use'
}
