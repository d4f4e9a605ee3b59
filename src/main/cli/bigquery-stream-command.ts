import { dirname, join } from 'node:path'
import { type BigQueryTransport, createBigQueryClient } from '../bigquery/bigquery-client'
import { type BigQueryDbtBuild, bigQueryDbtBuild } from '../bigquery/bigquery-refresh'
import { insertIntradayEvents } from '../bigquery/intraday-writer'
import { createBigQueryDemo, demoBigQuerySettings, describeBigQueryDemoTarget, readBigQueryDemo } from '../demo/bigquery-demo'
import { UserFacingError } from '../errors'
import { loadSettings } from '../settings/app-settings'
import { StreamSource } from '../stream/stream-source'
import { wholeNumberFlag } from './flags'
import type { StreamFlags } from './stream-command'

const MAX_COUNT = 100_000

/** Tests only: a loopback BigQuery and a stand-in for dbt. */
export interface BigQueryStreamCommandOptions {
  transport?: BigQueryTransport
  build?: BigQueryDbtBuild
  write?: (line: string) => void
}

/** The app's settings file for a warehouse path: the app keeps it beside the warehouse, in the data folder. */
export function settingsPathFor(warehousePath: string): string {
  return join(dirname(warehousePath), 'settings.json')
}

/**
 * `attribution stream --bigquery`: demo events into the BigQuery demo dataset of the app's settings
 * (`<ga4 dataset>_demo`, made when missing, as the app makes it), never the export; then `dbt build`
 * of the demo marts. Uses Application Default Credentials: the app's stored key is for the app only.
 */
export async function runBigQueryStream(
  settingsPath: string,
  values: Pick<StreamFlags, 'count' | 'seed'>,
  options: BigQueryStreamCommandOptions = {},
): Promise<void> {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  const { settings } = await loadSettings(settingsPath)
  const real = settings.bigquery
  if (!real.projectId || !real.ga4Dataset || !real.martsDataset) {
    throw new UserFacingError(
      `${settingsPath} names no BigQuery project, GA4 dataset and marts dataset: fill them in the app's Settings first.`,
    )
  }
  const count = wholeNumberFlag('--count', values.count, 10, 1, MAX_COUNT)
  const seed = values.seed === undefined ? undefined : wholeNumberFlag('--seed', values.seed, 0, 0, 2 ** 31 - 1)
  const demoSettings = demoBigQuerySettings(real)
  const client = createBigQueryClient(real, { mode: 'adc' }, { transport: options.transport })
  // Application Default Credentials only: no key is read.
  const build = options.build ?? bigQueryDbtBuild({ serviceAccountKey: () => undefined })
  write(`streaming demo events into BigQuery ${describeBigQueryDemoTarget(real)}`)
  const buildDemo = async () => {
    const result = await build({ ...demoSettings, credentialMode: 'adc' })
    if (!result.success) throw new UserFacingError(`dbt could not build the demo marts: ${result.errors.join(' ').slice(0, 400)}`)
  }
  if (!(await readBigQueryDemo(client, real))) {
    const info = await createBigQueryDemo(client, real, { log: write })
    write(`made the demo dataset ${info.location} (${info.dayShards ?? 0} day tables, ${info.events} events, ${info.copyMs} ms)`)
  }
  const events = new StreamSource({ seed }).next(count, 'realistic')
  const report = await insertIntradayEvents(events, { client, settings: demoSettings, log: write })
  write(`building the demo marts ${demoSettings.projectId}.${demoSettings.martsDataset}`)
  await buildDemo()
  process.stdout.write(
    `${JSON.stringify({ queued: events.length, added: report.accepted, rejected: report.deadLetters.length, dataset: demoSettings.ga4Dataset })}\n`,
  )
}
