import type { AppSettings, KeyStorageInfo } from '@shared/settings-api'
import { describe, expect, it } from 'vitest'
import {
  PUBLIC_SAMPLE_DATASET,
  chooseKeyRequest,
  credentialStatusText,
  defaultKeyPersistence,
  ga4DatasetNote,
  settingsProblems,
} from './settings-form'

const BIGQUERY: AppSettings['bigquery'] = {
  projectId: 'acme-analytics',
  ga4Dataset: 'analytics_123456789',
  martsDataset: 'attribution',
  location: 'US',
  maximumBytesBilled: 1024 ** 3,
  dbtMaximumBytesBilled: 50 * 1024 ** 3,
  credentialMode: 'adc',
}
const with_ = (warehouse: AppSettings['warehouse'], changes: Partial<AppSettings['bigquery']>): AppSettings => ({
  warehouse,
  bigquery: { ...BIGQUERY, ...changes },
})

const SECURE: KeyStorageInfo = { encryptionAvailable: true, plainTextOnly: false, persistence: 'none' }
const PLAIN_TEXT: KeyStorageInfo = { encryptionAvailable: true, plainTextOnly: true, persistence: 'none' }
const NONE: KeyStorageInfo = { encryptionAvailable: false, plainTextOnly: false, persistence: 'none' }

describe('settingsProblems', () => {
  it('accepts complete settings, a bare dataset and another project’s dataset', () => {
    expect(settingsProblems(with_('bigquery', {}))).toEqual({})
    expect(settingsProblems(with_('bigquery', { ga4Dataset: PUBLIC_SAMPLE_DATASET, location: 'europe-west2' }))).toEqual({})
  })

  it('lets the ids stay empty while the warehouse is embedded, not once BigQuery is chosen', () => {
    expect(settingsProblems(with_('embedded', { projectId: '', ga4Dataset: '' }))).toEqual({})
    expect(Object.keys(settingsProblems(with_('bigquery', { projectId: '', ga4Dataset: '' }))).sort()).toEqual(['ga4Dataset', 'projectId'])
  })

  it('flags each field the main process would refuse', () => {
    const problems = settingsProblems(
      with_('embedded', { projectId: 'Acme', ga4Dataset: 'Bad Project.analytics_1', martsDataset: 'my-marts', location: 'Frankfurt' }),
    )
    expect(Object.keys(problems).sort()).toEqual(['ga4Dataset', 'location', 'martsDataset', 'projectId'])
    expect(settingsProblems(with_('bigquery', { ga4Dataset: 'analytics 1' })).ga4Dataset).toBeDefined()
  })
})

describe('ga4DatasetNote', () => {
  it('says another project’s dataset is read-only, and where the public sample lives', () => {
    expect(ga4DatasetNote(BIGQUERY)).toBeNull()
    expect(ga4DatasetNote({ ...BIGQUERY, ga4Dataset: 'acme-analytics.analytics_1' })).toBeNull()
    expect(ga4DatasetNote({ ...BIGQUERY, ga4Dataset: PUBLIC_SAMPLE_DATASET })).toContain('read-only')
    expect(ga4DatasetNote({ ...BIGQUERY, ga4Dataset: PUBLIC_SAMPLE_DATASET, location: 'EU' })).toContain('US')
  })
})

describe('key persistence', () => {
  it('defaults to storing only where the OS encrypts properly', () => {
    expect(defaultKeyPersistence(SECURE)).toBe('stored')
    expect(defaultKeyPersistence(PLAIN_TEXT)).toBe('session')
    expect(defaultKeyPersistence(NONE)).toBe('session')
  })

  it('asks for the plain-text opt-in before storing with the plain-text backend', () => {
    expect(chooseKeyRequest({ persistence: 'stored', allowPlainText: false }, SECURE)).toEqual({
      ok: true,
      value: { persistence: 'stored' },
    })
    expect(chooseKeyRequest({ persistence: 'stored', allowPlainText: false }, PLAIN_TEXT).ok).toBe(false)
    expect(chooseKeyRequest({ persistence: 'stored', allowPlainText: true }, PLAIN_TEXT)).toEqual({
      ok: true,
      value: { persistence: 'stored', allowPlainText: true },
    })
  })

  it('offers session-only use when there is no encryption at all', () => {
    expect(chooseKeyRequest({ persistence: 'stored', allowPlainText: true }, NONE).ok).toBe(false)
    expect(chooseKeyRequest({ persistence: 'session', allowPlainText: false }, NONE)).toEqual({
      ok: true,
      value: { persistence: 'session' },
    })
  })

  it('says where the key in use lives', () => {
    const key = { configured: true, projectId: 'acme-analytics', clientEmail: 'dash@acme-analytics.iam.gserviceaccount.com' }
    expect(credentialStatusText({ configured: false, projectId: null, clientEmail: null }, SECURE)).toBe('No key chosen')
    expect(credentialStatusText(key, { ...SECURE, persistence: 'stored' })).toBe('Key stored, encrypted')
    expect(credentialStatusText(key, { ...PLAIN_TEXT, persistence: 'stored' })).toContain('plain-text')
    expect(credentialStatusText(key, { ...SECURE, persistence: 'session' })).toContain('this session only')
  })
})
