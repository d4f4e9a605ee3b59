import type { BigQuerySettings } from '../../shared/settings-api'
import type { CredentialStore } from '../credentials/credential-store'
import { UserFacingError } from '../errors'
import { splitGa4Dataset } from '../settings/app-settings'

/**
 * The environment `dbt_attribution/profiles.yml` reads for `--target bigquery`. With a key file the
 * profile uses method service-account; without one (ADC) it uses oauth. The key itself never goes
 * into the environment: only the path of a 0600 temporary file does.
 */
export function buildDbtEnvironment(settings: BigQuerySettings, keyFilePath?: string): Record<string, string> {
  if (settings.credentialMode === 'service_account' && !keyFilePath) throw new Error('A service-account build needs the temporary key file path.')
  const ga4 = splitGa4Dataset(settings)
  return {
    ATTRIBUTION_DBT_TARGET: 'bigquery',
    ATTRIBUTION_BQ_PROJECT: settings.projectId,
    ATTRIBUTION_DATASET: settings.martsDataset,
    ATTRIBUTION_GA4_PROJECT: ga4.project,
    ATTRIBUTION_GA4_DATASET: ga4.dataset,
    ATTRIBUTION_BQ_LOCATION: settings.location,
    ATTRIBUTION_BQ_MAXIMUM_BYTES_BILLED: String(settings.dbtMaximumBytesBilled),
    // Set even when empty, so a key path left in the parent's environment cannot switch ADC to a key.
    ATTRIBUTION_BQ_KEYFILE: settings.credentialMode === 'service_account' ? (keyFilePath ?? '') : '',
  }
}

/**
 * Runs `work` (a dbt run) with the BigQuery environment; with a service-account key, the key is in a
 * 0600 temporary file for exactly as long as `work` runs.
 */
export async function withDbtEnvironment<T>(
  settings: BigQuerySettings,
  credentials: Pick<CredentialStore, 'withTemporaryKeyFile' | 'summary'>,
  work: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  if (settings.credentialMode === 'adc') return work(buildDbtEnvironment(settings))
  if (!credentials.summary().configured) {
    throw new UserFacingError('dbt cannot build on BigQuery: no service-account key is configured. Choose a key file in Settings, or use Application Default Credentials.')
  }
  return credentials.withTemporaryKeyFile((path) => work(buildDbtEnvironment(settings, path)))
}
