import type { BigQueryTransport } from '../bigquery/bigquery-client'
import { BigQueryWarehouse } from '../bigquery/bigquery-warehouse'
import { buildOnBigQuery } from '../bigquery/dbt-environment'
import { BIGQUERY_SPEND_TABLE, importSpendToBigQuery } from '../bigquery/spend-load'
import type { DbtProgress, DbtRunResult } from '../dbt/dbt-runner'
import { UserFacingError, messageOf } from '../errors'
import { loadSettings } from '../settings/app-settings'
import type { SpendMapping } from '../warehouse/spend-formats'
import { SPEND_MODELS, spendImportText } from '../warehouse/spend-import'

/** Tests only: a loopback BigQuery, a stand-in for dbt and a line writer. */
export interface BigQuerySpendCommandOptions {
  transport?: BigQueryTransport
  build?: (select: string, onProgress: (progress: DbtProgress) => void) => Promise<DbtRunResult>
  write?: (line: string) => void
}

/**
 * `attribution import-spend --bigquery FILE...`: spend into `ad_spend` of the marts dataset the app's
 * Settings name (never the GA4 export's), with the embedded import's checks and messages, then
 * `dbt build` of the spend models and the cost mart there. Uses Application Default Credentials:
 * the app's stored key is for the app only.
 */
export async function runBigQueryImportSpend(
  settingsPath: string,
  files: string[],
  mapping: SpendMapping,
  options: BigQuerySpendCommandOptions = {},
): Promise<void> {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  const { settings } = await loadSettings(settingsPath)
  const bigquery = { ...settings.bigquery, credentialMode: 'adc' as const }
  if (!bigquery.projectId || !bigquery.martsDataset) {
    throw new UserFacingError(`${settingsPath} names no BigQuery project and marts dataset: fill them in the app's Settings first.`)
  }
  const warehouse = new BigQueryWarehouse({ settings: bigquery, credentials: { mode: 'adc' }, transport: options.transport })
  write(`importing spend into BigQuery ${bigquery.projectId}.${bigquery.martsDataset}.${BIGQUERY_SPEND_TABLE}`)
  const imported = await importSpendToBigQuery(warehouse.spendTarget(), files, { mapping })
  for (const result of imported) write(`${result.file}: ${spendImportText(result)}`)
  const build =
    options.build ??
    ((select: string, onProgress: (progress: DbtProgress) => void) =>
      buildOnBigQuery(bigquery, { serviceAccountKey: () => undefined }, { select, onProgress }))
  write(`building the cost mart in ${bigquery.projectId}.${bigquery.martsDataset}`)
  let result: DbtRunResult
  try {
    result = await build(SPEND_MODELS, (progress) => {
      if (progress.level !== 'debug') write(`dbt: ${progress.message}`)
    })
  } catch (error) {
    result = { success: false, errors: [messageOf(error)], durationMs: 0 }
  }
  if (!result.success) {
    // The spend is stored: importing again adds nothing and builds again, so say what did happen.
    throw new UserFacingError(
      `The spend import worked; the cost mart build on BigQuery after it failed: ${result.errors.join(' ').slice(0, 600)} Fix the cause, then run the same import again (it adds nothing and builds again).`,
    )
  }
}
