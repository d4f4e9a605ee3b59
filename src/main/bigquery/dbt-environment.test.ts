import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { BigQuerySettings } from '@shared/settings-api'
import { CredentialStore } from '../credentials/credential-store'
import { aesGcmCipher } from '../credentials/secret-cipher'
import { type ServiceAccountKey, parseServiceAccountKey } from '../credentials/service-account-key'
import { throwawayServiceAccountKey } from '../credentials/testing/throwaway-key'
import { dbtExecutable, dbtProjectDir, venvPython } from '../paths'
import { makeTempDir } from '../testing/fixtures'
import { DBT_SECRET_VARIABLES, buildDbtEnvironment, withDbtEnvironment } from './dbt-environment'

const SETTINGS: BigQuerySettings = {
  projectId: 'acme-analytics',
  ga4Dataset: 'bigquery-public-data.ga4_obfuscated_sample_ecommerce',
  martsDataset: 'attribution_marts',
  location: 'US',
  maximumBytesBilled: 1024 ** 3,
  dbtMaximumBytesBilled: 50 * 1024 ** 3,
  credentialMode: 'service_account',
}

const KEY_SOURCE = throwawayServiceAccountKey()
const KEY: Required<ServiceAccountKey> = (() => {
  const parsed = parseServiceAccountKey(KEY_SOURCE.json)
  if (!parsed.ok) throw new Error(parsed.error)
  return { client_id: '', token_uri: '', ...parsed.value }
})()

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
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
    expect(Object.keys(buildDbtEnvironment(SETTINGS, KEY)).sort()).toEqual([...read].sort())
  })

  it('builds the key environment: the public export as source, the marts in the own project, the key in variables', () => {
    expect(buildDbtEnvironment(SETTINGS, KEY)).toEqual({
      ATTRIBUTION_DBT_TARGET: 'bigquery',
      ATTRIBUTION_BQ_PROJECT: 'acme-analytics',
      ATTRIBUTION_DATASET: 'attribution_marts',
      ATTRIBUTION_GA4_PROJECT: 'bigquery-public-data',
      ATTRIBUTION_GA4_DATASET: 'ga4_obfuscated_sample_ecommerce',
      ATTRIBUTION_BQ_LOCATION: 'US',
      ATTRIBUTION_BQ_MAXIMUM_BYTES_BILLED: String(50 * 1024 ** 3),
      ATTRIBUTION_BQ_METHOD: 'service-account-json',
      ATTRIBUTION_BQ_KEY_PROJECT_ID: KEY.project_id,
      ATTRIBUTION_BQ_KEY_CLIENT_EMAIL: KEY.client_email,
      ATTRIBUTION_BQ_KEY_CLIENT_ID: KEY.client_id,
      ATTRIBUTION_BQ_KEY_TOKEN_URI: KEY.token_uri,
      DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY: KEY.private_key,
      DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY_ID: KEY.private_key_id,
    })
    // Only DBT_ENV_SECRET_ variables carry secrets: dbt scrubs exactly those from its logs.
    for (const [name, value] of Object.entries(buildDbtEnvironment(SETTINGS, KEY))) {
      if (!(DBT_SECRET_VARIABLES as readonly string[]).includes(name)) expect(value).not.toContain(KEY_SOURCE.pemBody[1])
    }
  })

  it('builds the ADC environment with every key variable empty, so the profile picks oauth', () => {
    const env = buildDbtEnvironment({ ...SETTINGS, credentialMode: 'adc', ga4Dataset: 'analytics_42' }, KEY)
    expect(env.ATTRIBUTION_BQ_METHOD).toBe('oauth')
    expect(env.DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY).toBe('')
    expect(env.DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY_ID).toBe('')
    expect(env.ATTRIBUTION_BQ_KEY_CLIENT_EMAIL).toBe('')
    expect(env.ATTRIBUTION_GA4_PROJECT).toBe('acme-analytics')
    expect(env.ATTRIBUTION_GA4_DATASET).toBe('analytics_42')
    expect(() => buildDbtEnvironment(SETTINGS)).toThrow(/needs the key/)
  })

  it('gives dbt the key in its environment only: no file is written anywhere', async () => {
    const store = new CredentialStore({ dir: temp.dir, cipher: aesGcmCipher() })
    await expect(withDbtEnvironment(SETTINGS, store, async () => 0)).rejects.toThrow(/no service-account key is configured/)
    await store.keep(KEY_SOURCE.json, { persistence: 'session' })
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('attribution-key-'))
    const env = await withDbtEnvironment(SETTINGS, store, async (env) => {
      expect(readdirSync(tmpdir()).filter((name) => name.startsWith('attribution-key-'))).toEqual(before)
      return env
    })
    expect(env.DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY).toBe(KEY.private_key)
    expect(Object.values(env).some((value) => existsSync(value) && value.endsWith('.json'))).toBe(false)
    const adc = await withDbtEnvironment(
      { ...SETTINGS, credentialMode: 'adc' },
      store,
      async (env) => env.DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY,
    )
    expect(adc).toBe('')
  })

  it.skipIf(!existsSync(venvPython()))(
    'is accepted by dbt: its profile renders service-account-json credentials from the environment, offline',
    () => {
      // dbt's own profile loading, then dbt-bigquery's own credential factory; no request is sent.
      const script = `
import os, json
from argparse import Namespace
from dbt.flags import set_from_args
from dbt_common.context import set_invocation_context
from dbt.config.profile import Profile, read_profile
from dbt.config.renderer import ProfileRenderer
from dbt.adapters.bigquery.credentials import _create_google_credentials
set_invocation_context(os.environ)
set_from_args(Namespace(profiles_dir=os.environ['PROFILES_DIR']), None)
profile = Profile.from_raw_profiles(read_profile(os.environ['PROFILES_DIR']), 'dbt_attribution', ProfileRenderer({}), target_override='bigquery')
credentials = profile.credentials
google = _create_google_credentials(credentials)
print(json.dumps({'method': str(credentials.method), 'keyfile': credentials.keyfile, 'email': google.service_account_email,
  'project': google.project_id, 'key_matches': credentials.keyfile_json['private_key'] == os.environ['EXPECTED_PEM']}))
`
      const run = spawnSync(venvPython(), ['-c', script], {
        cwd: dbtProjectDir(),
        env: { ...process.env, ...buildDbtEnvironment(SETTINGS, KEY), PROFILES_DIR: dbtProjectDir(), EXPECTED_PEM: KEY.private_key },
        encoding: 'utf8',
      })
      expect(run.status, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
        method: 'service-account-json',
        keyfile: null,
        email: KEY.client_email,
        project: KEY.project_id,
        key_matches: true,
      })
    },
  )

  it.skipIf(!existsSync(dbtExecutable()))(
    "is accepted by dbt: `dbt compile --target bigquery` with the key from the environment, offline, and nothing of it in dbt's files",
    () => {
      const project = dbtProjectDir()
      const target = join(temp.dir, 'compile')
      const logs = join(temp.dir, 'logs')
      const run = spawnSync(
        dbtExecutable(),
        [
          '--no-populate-cache',
          'compile',
          '--no-introspect',
          '--project-dir',
          project,
          '--profiles-dir',
          project,
          '--target-path',
          target,
          '--log-path',
          logs,
        ],
        { env: { ...process.env, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', ...buildDbtEnvironment(SETTINGS, KEY) }, encoding: 'utf8' },
      )
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
      const written = [
        run.stdout,
        run.stderr,
        ...filesUnder(target).map((path) => readFileSync(path).toString('latin1')),
        ...filesUnder(logs).map((path) => readFileSync(path, 'utf8')),
      ]
      for (const text of written) {
        expect(text).not.toContain(KEY.private_key_id)
        for (const line of KEY_SOURCE.pemBody) expect(text).not.toContain(line)
      }
    },
  )

  it.skipIf(!existsSync(dbtExecutable()))('is accepted by dbt: `dbt parse --target bigquery` with it, offline', () => {
    const env = buildDbtEnvironment({ ...SETTINGS, credentialMode: 'adc' })
    const project = dbtProjectDir()
    const run = spawnSync(
      dbtExecutable(),
      ['parse', '--project-dir', project, '--profiles-dir', project, '--target-path', join(temp.dir, 'parse')],
      {
        env: { ...process.env, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', ...env },
        encoding: 'utf8',
      },
    )
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
  })
})
