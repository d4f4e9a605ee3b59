import { randomUUID } from 'node:crypto'
import type { BigQuery, Dataset } from '@google-cloud/bigquery'
import { formatCents } from '@shared/money'
import type { ImportedSpendFile } from '@shared/spend'
import { UserFacingError } from '../errors'
import { type SpendImportOptions, parseSpendFiles } from '../warehouse/spend-import'
import type { SpendRow } from '../warehouse/spend-formats'
import { type ErrorContext, toUserFacing } from './bigquery-client'
import type { DatasetRef } from './bigquery-sql'
import type { BigQueryField } from './ga4-bigquery-schema'

/** The table the BigQuery cost mart reads spend from (dbt source `spend.ad_spend`, in the marts dataset). */
export const BIGQUERY_SPEND_TABLE = 'ad_spend'

/** The columns of `ad_spend`, as the embedded warehouse's `ga4.ad_spend` has them. */
export const BIGQUERY_SPEND_SCHEMA: BigQueryField[] = [
  { name: 'spend_date', type: 'DATE', mode: 'REQUIRED' },
  { name: 'source', type: 'STRING', mode: 'REQUIRED' },
  { name: 'medium', type: 'STRING', mode: 'REQUIRED' },
  { name: 'campaign', type: 'STRING', mode: 'REQUIRED' },
  { name: 'campaign_id', type: 'STRING', mode: 'NULLABLE' },
  { name: 'cost_usd', type: 'NUMERIC', mode: 'REQUIRED' },
  { name: 'impressions', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'clicks', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'file_format', type: 'STRING', mode: 'REQUIRED' },
  { name: 'file_name', type: 'STRING', mode: 'REQUIRED' },
  { name: 'imported_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
]

/** Rows per insertAll request (BigQuery takes up to 50,000 and 10 MB). */
const INSERT_BATCH = 5000
/** A staging table a crashed import leaves behind expires by itself. */
const STAGING_LIFETIME_MS = 60 * 60 * 1000

/** Where a BigQuery spend import writes: the marts dataset, never the GA4 export's. */
export interface BigQuerySpendTarget {
  client: BigQuery
  marts: DatasetRef
  location: string
  errorContext: ErrorContext
}

/**
 * Imports spend files into `ad_spend` of the marts dataset with the embedded warehouse's rules
 * (parseSpendFiles: same messages, nothing stored on a bad row). The rows go to a private staging
 * table first; one MERGE then adds new days and replaces corrected ones, so the table changes all
 * at once or not at all, and a file imported twice changes nothing.
 */
export async function importSpendToBigQuery(
  target: BigQuerySpendTarget,
  paths: string[],
  options: SpendImportOptions = {},
): Promise<ImportedSpendFile[]> {
  const parsed = await parseSpendFiles(paths, options)
  const dataset = target.client.dataset(target.marts.dataset, { projectId: target.marts.project })
  const staging = `ad_spend_import_${randomUUID().replace(/-/g, '')}`
  try {
    await ensureSpendTable(dataset, target.location)
    await dataset.table(staging).create({
      schema: { fields: [...BIGQUERY_SPEND_SCHEMA, { name: 'file_index', type: 'INTEGER', mode: 'REQUIRED' }] },
      expirationTime: String(Date.now() + STAGING_LIFETIME_MS),
    })
    const importedAt = new Date().toISOString()
    const staged = parsed.flatMap(({ path, format, rows }, fileIndex) =>
      rows.map((row) => stagedRow(row, { fileIndex, format, path, importedAt })),
    )
    for (let start = 0; start < staged.length; start += INSERT_BATCH) {
      const batch = staged.slice(start, start + INSERT_BATCH).map((json, offset) => ({ insertId: `${staging}-${start + offset}`, json }))
      await dataset.table(staging).insert(batch, { raw: true, partialRetries: 0 })
    }
    const tables = { stored: tableName(target.marts, BIGQUERY_SPEND_TABLE), staged: tableName(target.marts, staging) }
    const [counted] = (await target.client.query({ query: countsSql(tables), location: target.location, useLegacySql: false })) as [
      Array<Record<string, unknown>>,
      ...unknown[],
    ]
    const stagedRows = counted.reduce((sum, row) => sum + Number(row.added) + Number(row.changed) + Number(row.unchanged), 0)
    if (stagedRows !== staged.length) throw new Error(`BigQuery staged ${stagedRows} of ${staged.length} spend rows; nothing was imported.`)
    await target.client.query({ query: mergeSql(tables), location: target.location, useLegacySql: false })
    return parsed.map(({ path, format, rows }, fileIndex) => {
      const row = counted.find((candidate) => Number(candidate.file_index) === fileIndex) ?? {}
      return {
        file: path,
        format,
        rows: rows.length,
        added: Number(row.added ?? 0),
        changed: Number(row.changed ?? 0),
        unchanged: Number(row.unchanged ?? 0),
        costUsd: formatCents(rows.reduce((sum, spend) => sum + spend.costCents, 0n)),
      }
    })
  } catch (error) {
    if (error instanceof UserFacingError) throw error
    throw toUserFacing(error, target.errorContext)
  } finally {
    await dataset
      .table(staging)
      .delete({ ignoreNotFound: true })
      .catch(() => undefined)
  }
}

/** Creates the marts dataset (in the settings' location) and `ad_spend` when they are missing. */
async function ensureSpendTable(dataset: Dataset, location: string): Promise<void> {
  const [datasetExists] = await dataset.exists()
  if (!datasetExists) await dataset.create({ location })
  const table = dataset.table(BIGQUERY_SPEND_TABLE)
  const [tableExists] = await table.exists()
  if (!tableExists) await table.create({ schema: { fields: BIGQUERY_SPEND_SCHEMA } })
}

function stagedRow(row: SpendRow, file: { fileIndex: number; format: string; path: string; importedAt: string }): Record<string, unknown> {
  return {
    spend_date: row.spendDate,
    source: row.source,
    medium: row.medium,
    campaign: row.campaign,
    campaign_id: row.campaignId,
    cost_usd: formatCents(row.costCents),
    impressions: row.impressions,
    clicks: row.clicks,
    file_format: file.format,
    file_name: file.path,
    imported_at: file.importedAt,
    file_index: file.fileIndex,
  }
}

function tableName(dataset: DatasetRef, table: string): string {
  return `\`${dataset.project}.${dataset.dataset}.${table}\``
}

/** A staged row that says what the stored one says (as the embedded import's SAME_ROW). */
const SAME_ROW = `(staged.cost_usd = stored.cost_usd
      and staged.campaign_id is not distinct from stored.campaign_id
      and staged.impressions is not distinct from stored.impressions
      and staged.clicks is not distinct from stored.clicks)`

const SAME_KEY = `stored.spend_date = staged.spend_date
      and stored.source = staged.source
      and stored.medium = staged.medium
      and stored.campaign = staged.campaign`

/** Per file: rows new to the table, rows that correct a stored one, rows that repeat it. */
function countsSql(tables: { stored: string; staged: string }): string {
  return `
    select
      staged.file_index,
      countif(stored.spend_date is null) as added,
      countif(stored.spend_date is not null and not ${SAME_ROW}) as changed,
      countif(stored.spend_date is not null and ${SAME_ROW}) as unchanged
    from ${tables.staged} as staged
    left join ${tables.stored} as stored
      on ${SAME_KEY}
    group by staged.file_index`
}

/** New days go in; corrected ones are replaced; repeated ones keep their first file and time. */
function mergeSql(tables: { stored: string; staged: string }): string {
  const columns = BIGQUERY_SPEND_SCHEMA.map((field) => field.name)
  const updated = columns.filter((name) => !['spend_date', 'source', 'medium', 'campaign'].includes(name))
  return `
    merge into ${tables.stored} as stored
    using ${tables.staged} as staged
      on ${SAME_KEY}
    when matched and not ${SAME_ROW} then
      update set ${updated.map((name) => `${name} = staged.${name}`).join(', ')}
    when not matched then
      insert (${columns.join(', ')})
      values (${columns.map((name) => `staged.${name}`).join(', ')})`
}
