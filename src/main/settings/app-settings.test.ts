import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { AppSettings } from '@shared/settings-api'
import { makeTempDir } from '../testing/fixtures'
import { DEFAULT_SETTINGS, loadSettings, saveSettings, splitGa4Dataset, validateAppSettings } from './app-settings'

const BIGQUERY: AppSettings = {
  warehouse: 'bigquery',
  bigquery: {
    ...DEFAULT_SETTINGS.bigquery,
    projectId: 'acme-analytics',
    ga4Dataset: 'analytics_123456789',
    martsDataset: 'attribution',
    location: 'EU',
  },
}

describe('app settings', () => {
  const temp = makeTempDir('settings')
  afterAll(temp.cleanup)

  it("accepts complete BigQuery settings, including another project's export such as the public sample", () => {
    expect(validateAppSettings(BIGQUERY)).toEqual({ ok: true, value: BIGQUERY })
    const sample = {
      ...BIGQUERY,
      bigquery: { ...BIGQUERY.bigquery, ga4Dataset: 'bigquery-public-data.ga4_obfuscated_sample_ecommerce', location: 'US' },
    }
    expect(validateAppSettings(sample).ok).toBe(true)
    expect(splitGa4Dataset(sample.bigquery)).toEqual({ project: 'bigquery-public-data', dataset: 'ga4_obfuscated_sample_ecommerce' })
    expect(splitGa4Dataset(BIGQUERY.bigquery)).toEqual({ project: 'acme-analytics', dataset: 'analytics_123456789' })
  })

  it('keeps the embedded warehouse usable with BigQuery fields left empty', () => {
    expect(validateAppSettings(DEFAULT_SETTINGS).ok).toBe(true)
    expect(validateAppSettings({ ...DEFAULT_SETTINGS, warehouse: 'bigquery' })).toMatchObject({ ok: false })
  })

  it.each([
    [{ projectId: 'Acme' }, /not a Google Cloud project id/],
    [{ projectId: 'acme-analytics`; drop table x; --' }, /not a Google Cloud project id/],
    [{ ga4Dataset: 'analytics-1' }, /not a dataset/],
    [{ ga4Dataset: 'a.b.c' }, /not a dataset/],
    [{ martsDataset: 'marts`' }, /not a dataset id/],
    [{ location: 'moon' }, /not a BigQuery location/],
    [{ maximumBytesBilled: 1000 }, /from 10 MiB/],
    [{ maximumBytesBilled: '1GB' }, /whole number of bytes/],
    [{ credentialMode: 'oauth' }, /credentialMode must be/],
  ])('refuses %o with a message', (change, message) => {
    const checked = validateAppSettings({ ...BIGQUERY, bigquery: { ...BIGQUERY.bigquery, ...change } })
    expect(checked.ok).toBe(false)
    if (!checked.ok) expect(checked.error).toMatch(message)
  })

  it('saves atomically and loads back; a bad file gives the defaults and a message, never a crash', async () => {
    const path = join(temp.dir, 'settings.json')
    expect(await loadSettings(path)).toEqual({ settings: DEFAULT_SETTINGS, notice: null })
    expect((await saveSettings(path, BIGQUERY)).ok).toBe(true)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(await loadSettings(path)).toEqual({ settings: BIGQUERY, notice: null })
    expect(await saveSettings(path, { ...BIGQUERY, warehouse: 'snowflake' })).toMatchObject({ ok: false })
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(BIGQUERY)

    writeFileSync(path, '{ not json')
    expect(await loadSettings(path)).toEqual({
      settings: DEFAULT_SETTINGS,
      notice: expect.stringMatching(/not valid JSON; using the defaults/),
    })
    writeFileSync(path, JSON.stringify({ ...BIGQUERY, bigquery: { ...BIGQUERY.bigquery, location: 42 } }))
    expect(await loadSettings(path)).toEqual({ settings: DEFAULT_SETTINGS, notice: expect.stringMatching(/saved settings were not valid/) })
  })
})
