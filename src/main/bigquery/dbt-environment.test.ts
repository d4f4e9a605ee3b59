import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { BigQuerySettings } from '../../shared/settings-api'
import { CredentialStore } from '../credentials/credential-store'
import { aesGcmCipher } from '../credentials/secret-cipher'
import { throwawayServiceAccountKey } from '../credentials/testing/throwaway-key'
import { dbtExecutable, dbtProjectDir } from '../paths'
import { makeTempDir } from '../testing/fixtures'
import { buildDbtEnvironment, withDbtEnvironment } from './dbt-environment'

const SETTINGS: BigQuerySettings = {
  projectId: 'acme-analytics',
  ga4Dataset: 'bigquery-public-data.ga4_obfuscated_sample_ecommerce',
  martsDataset: 'attribution_marts',
  location: 'US',
  maximumBytesBilled: 1024 ** 3,
  dbtMaximumBytesBilled: 50 * 1024 ** 3,
  credentialMode: 'service_account',
}

describe('the dbt environment for BigQuery', () => {
  const temp = makeTempDir('dbt-env')
  afterAll(temp.cleanup)

  it('names every variable profiles.yml reads for the bigquery target', () => {
    const profile = readFileSync(join(dbtProjectDir(), 'profiles.yml'), 'utf8')
    const bigquery = profile.slice(profile.indexOf('bigquery:'))
    const read = new Set([...bigquery.matchAll(/env_var\('([A-Z0-9_]+)'/g)].map((match) => match[1]))
    const sources = readFileSync(join(dbtProjectDir(), 'models/staging/_ga4__sources.yml'), 'utf8')
    for (const match of sources.matchAll(/env_var\('([A-Z0-9_]+)'/g)) read.add(match[1])
    read.add('ATTRIBUTION_DBT_TARGET')
    expect(Object.keys(buildDbtEnvironment(SETTINGS, '/tmp/key.json')).sort()).toEqual([...read].sort())
  })

  it('builds the key-file environment: the public export as source, the marts in the own project', () => {
    expect(buildDbtEnvironment(SETTINGS, '/tmp/k/service-account.json')).toEqual({
      ATTRIBUTION_DBT_TARGET: 'bigquery',
      ATTRIBUTION_BQ_PROJECT: 'acme-analytics',
      ATTRIBUTION_DATASET: 'attribution_marts',
      ATTRIBUTION_GA4_PROJECT: 'bigquery-public-data',
      ATTRIBUTION_GA4_DATASET: 'ga4_obfuscated_sample_ecommerce',
      ATTRIBUTION_BQ_LOCATION: 'US',
      ATTRIBUTION_BQ_MAXIMUM_BYTES_BILLED: String(50 * 1024 ** 3),
      ATTRIBUTION_BQ_KEYFILE: '/tmp/k/service-account.json',
    })
  })

  it('builds the ADC environment with an empty key file, so the profile picks oauth', () => {
    const env = buildDbtEnvironment({ ...SETTINGS, credentialMode: 'adc', ga4Dataset: 'analytics_42' })
    expect(env.ATTRIBUTION_BQ_KEYFILE).toBe('')
    expect(env.ATTRIBUTION_GA4_PROJECT).toBe('acme-analytics')
    expect(env.ATTRIBUTION_GA4_DATASET).toBe('analytics_42')
    expect(() => buildDbtEnvironment(SETTINGS)).toThrow(/needs the temporary key file/)
  })

  it('gives dbt a 0600 key file only while it runs, and never the key itself in the environment', async () => {
    const key = throwawayServiceAccountKey()
    const store = new CredentialStore({ dir: temp.dir, cipher: aesGcmCipher() })
    await expect(withDbtEnvironment(SETTINGS, store, async () => 0)).rejects.toThrow(/no service-account key is configured/)
    await store.keep(key.json, { persistence: 'session' })
    let path = ''
    await withDbtEnvironment(SETTINGS, store, async (env) => {
      path = env.ATTRIBUTION_BQ_KEYFILE ?? ''
      expect(statSync(path).mode & 0o777).toBe(0o600)
      const text = JSON.stringify(env)
      for (const line of key.pemBody) expect(text).not.toContain(line)
    })
    expect(existsSync(path)).toBe(false)
    const adc = await withDbtEnvironment({ ...SETTINGS, credentialMode: 'adc' }, store, async (env) => env.ATTRIBUTION_BQ_KEYFILE)
    expect(adc).toBe('')
  })

  it.skipIf(!existsSync(dbtExecutable()))('is accepted by dbt: `dbt parse --target bigquery` with it, offline', () => {
    const env = buildDbtEnvironment({ ...SETTINGS, credentialMode: 'adc' })
    const project = dbtProjectDir()
    const run = spawnSync(dbtExecutable(), ['parse', '--project-dir', project, '--profiles-dir', project, '--target-path', join(temp.dir, 'parse')], {
      env: { ...process.env, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', ...env },
      encoding: 'utf8',
    })
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
  })
})
