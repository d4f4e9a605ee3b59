import type { BigQuerySettings } from '@shared/settings-api'
import type { CredentialStore } from '../credentials/credential-store'
import type { ServiceAccountKey } from '../credentials/service-account-key'
import { type DbtRunOptions, type DbtRunResult, runDbt } from '../dbt/dbt-runner'
import { UserFacingError } from '../errors'
import { splitGa4Dataset } from '../settings/app-settings'

/** Variables holding the key's secret parts: dbt allows the DBT_ENV_SECRET_ prefix only in profiles and scrubs the values from its logs. */
export const DBT_SECRET_VARIABLES = ['DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY', 'DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY_ID'] as const

/**
 * The environment `dbt_attribution/profiles.yml` reads for `--target bigquery`. With a key the
 * profile uses method service-account-json, its `keyfile_json` fields read from these variables,
 * so the key reaches dbt through the child's environment only: never a file, never argv.
 * Without one (ADC) it uses oauth.
 */
export function buildDbtEnvironment(settings: BigQuerySettings, key?: ServiceAccountKey): Record<string, string> {
  if (settings.credentialMode === 'service_account' && !key) throw new Error('A service-account build needs the key.')
  const ga4 = splitGa4Dataset(settings)
  // Every key variable is set, empty for ADC, so one left in the parent's environment cannot switch ADC to a key.
  const used = settings.credentialMode === 'service_account' ? key : undefined
  return {
    ATTRIBUTION_DBT_TARGET: 'bigquery',
    ATTRIBUTION_BQ_PROJECT: settings.projectId,
    ATTRIBUTION_DATASET: settings.martsDataset,
    ATTRIBUTION_GA4_PROJECT: ga4.project,
    ATTRIBUTION_GA4_DATASET: ga4.dataset,
    ATTRIBUTION_BQ_LOCATION: settings.location,
    ATTRIBUTION_BQ_MAXIMUM_BYTES_BILLED: String(settings.dbtMaximumBytesBilled),
    ATTRIBUTION_BQ_METHOD: used ? 'service-account-json' : 'oauth',
    ATTRIBUTION_BQ_KEY_PROJECT_ID: used?.project_id ?? '',
    ATTRIBUTION_BQ_KEY_CLIENT_EMAIL: used?.client_email ?? '',
    ATTRIBUTION_BQ_KEY_CLIENT_ID: used?.client_id ?? '',
    ATTRIBUTION_BQ_KEY_TOKEN_URI: used?.token_uri ?? 'https://oauth2.googleapis.com/token',
    DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY: used?.private_key ?? '',
    DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY_ID: used?.private_key_id ?? '',
  }
}

/**
 * Runs `work` (a dbt run) with the BigQuery environment; with a service-account key, the key is in
 * that environment only, so nothing is left on disk if this process is killed.
 */
export async function withDbtEnvironment<T>(
  settings: BigQuerySettings,
  credentials: Pick<CredentialStore, 'serviceAccountKey'>,
  work: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  if (settings.credentialMode === 'adc') return work(buildDbtEnvironment(settings))
  const key = credentials.serviceAccountKey()
  if (!key) {
    throw new UserFacingError(
      'dbt cannot build on BigQuery: no service-account key is configured. Choose a key file in Settings, or use Application Default Credentials.',
    )
  }
  return work(buildDbtEnvironment(settings, key))
}

/** `dbt build` (without unit tests and the test oracle) on BigQuery with these settings: the whole project, or `select`, with `vars`. */
export function buildOnBigQuery(
  settings: BigQuerySettings,
  credentials: Pick<CredentialStore, 'serviceAccountKey'>,
  options: Pick<DbtRunOptions, 'select' | 'vars' | 'onProgress'> = {},
): Promise<DbtRunResult> {
  return withDbtEnvironment(settings, credentials, (env) =>
    runDbt({ command: 'build', target: 'bigquery', env, withoutUnitTests: true, ...options }),
  )
}
