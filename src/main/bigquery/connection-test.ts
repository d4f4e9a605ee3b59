import type { BigQuery } from '@google-cloud/bigquery'
import type { Result } from '@shared/attribution'
import type { BigQuerySettings, ConnectionReport } from '@shared/settings-api'
import { messageOf } from '../errors'
import { splitGa4Dataset, validateBigQuerySettings } from '../settings/app-settings'
import {
  type BigQueryCredentials,
  type BigQueryTransport,
  createBigQueryClient,
  describeBigQueryError,
  errorReasons,
} from './bigquery-client'
import { tableRef } from './bigquery-sql'

/**
 * Checks a BigQuery set-up step by step and says exactly what is wrong: no key, the key's project,
 * permissions, a missing dataset, a location mismatch, or no network. Reads metadata and runs one
 * query on the `_table_suffix` pseudo-column only, so it costs nothing.
 */
export async function testConnection(
  input: unknown,
  credentials: BigQueryCredentials,
  options: { transport?: BigQueryTransport; maxRetries?: number } = {},
): Promise<Result<ConnectionReport>> {
  const checked = validateBigQuerySettings(input, { complete: true })
  if (!checked.ok) return checked
  const settings = checked.value
  if (settings.credentialMode === 'service_account' && !(credentials.mode === 'service_account' && credentials.key)) {
    return { ok: false, error: 'No service-account key is configured: choose a key file, or switch to Application Default Credentials.' }
  }
  const keyProject = credentials.mode === 'service_account' ? credentials.key?.project_id : undefined
  const effective: BigQueryCredentials = settings.credentialMode === 'adc' ? { mode: 'adc' } : credentials
  let client: BigQuery
  try {
    client = createBigQueryClient(settings, effective, { transport: options.transport, maxRetries: options.maxRetries ?? 0 })
  } catch (error) {
    return { ok: false, error: messageOf(error) }
  }
  const ga4 = splitGa4Dataset(settings)
  const ga4Name = `${ga4.project}.${ga4.dataset}`
  const martsName = `${settings.projectId}.${settings.martsDataset}`
  const fail = (step: string, error: unknown): Result<ConnectionReport> => {
    let message = `${step}: ${describeBigQueryError(error, { projectId: settings.projectId, maximumBytesBilled: settings.maximumBytesBilled })}`
    const { status } = errorReasons(error)
    if ((status === 403 || status === 404) && keyProject && keyProject !== settings.projectId) {
      message += ` Note: the key belongs to project ${keyProject}, not ${settings.projectId}; is the project right?`
    }
    return { ok: false, error: message }
  }
  const notes: string[] = []
  if (keyProject && keyProject !== settings.projectId)
    notes.push(`The key belongs to project ${keyProject}; queries run (and are billed) in ${settings.projectId}.`)

  let ga4Location: string | null
  try {
    const [metadata] = await client.dataset(ga4.dataset, { projectId: ga4.project }).getMetadata()
    ga4Location = typeof metadata.location === 'string' ? metadata.location : null
  } catch (error) {
    if (errorReasons(error).status === 404) {
      return {
        ok: false,
        error: `Dataset missing: the GA4 export dataset ${ga4Name} was not found (or this account cannot see it). Check the name (analytics_<property id>) and the project.`,
      }
    }
    return fail(`Reading the GA4 dataset ${ga4Name}`, error)
  }
  if (ga4Location && ga4Location.toLowerCase() !== settings.location.toLowerCase()) {
    return {
      ok: false,
      error: `The GA4 dataset ${ga4Name} is in ${ga4Location}, but the location in Settings is ${settings.location}. BigQuery reads and writes in one location: set the location to ${ga4Location}.`,
    }
  }

  let dayTables = 0
  let intradayTables = 0
  try {
    const [rows] = await client.query({
      query: `
        select
          count(distinct if(starts_with(_table_suffix, 'intraday_'), null, _table_suffix)) as day_tables,
          count(distinct if(starts_with(_table_suffix, 'intraday_'), _table_suffix, null)) as intraday_tables
        from ${tableRef(ga4, 'events_*')}`,
      location: settings.location,
      useLegacySql: false,
      maximumBytesBilled: String(settings.maximumBytesBilled),
    })
    const row = (rows as Array<Record<string, unknown>>)[0] ?? {}
    dayTables = Number(row.day_tables ?? 0)
    intradayTables = Number(row.intraday_tables ?? 0)
  } catch (error) {
    if (errorReasons(error).status === 404 && /events_/.test(messageOf(error))) {
      notes.push(`${ga4Name} has no events_YYYYMMDD tables yet: GA4 writes the first one a day after the BigQuery link is made.`)
    } else {
      return fail(`Running a query in project ${settings.projectId}`, error)
    }
  }

  let hasMarts = false
  try {
    const marts = client.dataset(settings.martsDataset, { projectId: settings.projectId })
    const [metadata] = await marts.getMetadata()
    const martsLocation = typeof metadata.location === 'string' ? metadata.location : null
    if (martsLocation && martsLocation.toLowerCase() !== settings.location.toLowerCase()) {
      return {
        ok: false,
        error: `The marts dataset ${martsName} is in ${martsLocation}, but the GA4 data is in ${settings.location}: pick a marts dataset in ${settings.location}.`,
      }
    }
    ;[hasMarts] = await marts.table('fct_attribution_credits').exists()
    if (!hasMarts) notes.push(`${martsName} has no marts yet: run a build.`)
  } catch (error) {
    if (errorReasons(error).status === 404) notes.push(`The marts dataset ${martsName} does not exist yet; the first build creates it.`)
    else return fail(`Reading the marts dataset ${martsName}`, error)
  }
  return {
    ok: true,
    value: {
      projectId: settings.projectId,
      ga4Dataset: ga4Name,
      martsDataset: martsName,
      ga4Location,
      dayTables,
      intradayTables,
      hasMarts,
      notes,
    },
  }
}

export type { BigQuerySettings }
