import { readFile } from 'node:fs/promises'
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api'
import { formatCents } from '@shared/money'
import type { ImportedSpendFile } from '@shared/spend'
import { UserFacingError, messageOf } from '../errors'
import type { DuckDbFile } from './duckdb-file'
import { RAW_SCHEMA } from './duckdb-schema'
import {
  DEFAULT_SPEND_MAPPING,
  type ParsedSpendFile,
  type SpendFormat,
  type SpendMapping,
  type SpendRow,
  describeKey,
  parseSpendFile,
  spendKey,
} from './spend-formats'

export type { ImportedSpendFile }

/** Options of a spend import. */
export interface SpendImportOptions {
  mapping?: SpendMapping
}

const INSERT_BATCH = 250

/**
 * Imports spend files in one transaction: all of them or, on any problem, none. Each row is keyed by
 * day and source/medium/campaign; a row with a stored key replaces it (a corrected export), and
 * the same key twice, in one file or across the files, is refused as a duplicate.
 */
export async function importSpendFiles(file: DuckDbFile, paths: string[], options: SpendImportOptions = {}): Promise<ImportedSpendFile[]> {
  if (file.readOnly) throw new Error('A spend import needs a read-write warehouse')
  const parsed = await parseSpendFiles(paths, options)
  const { connection } = file
  await connection.run('begin transaction')
  try {
    const results: ImportedSpendFile[] = []
    for (const { path, format, rows } of parsed) results.push(await storeFile(connection, path, format, rows))
    await connection.run('commit')
    return results
  } catch (error) {
    await connection.run('rollback')
    throw error
  }
}

/** A spend file read and checked, ready to store. */
export type CheckedSpendFile = ParsedSpendFile & { path: string }

/**
 * Reads and checks spend files for any warehouse: a bad row, or a key twice (in one file or across
 * them), refuses them all with the file and line, before anything is stored.
 */
export async function parseSpendFiles(paths: string[], options: SpendImportOptions = {}): Promise<CheckedSpendFile[]> {
  if (paths.length === 0) throw new UserFacingError('Name at least one spend file.')
  const parsed = await Promise.all(
    paths.map(async (path) => ({ path, ...parseSpendFile(path, await readSpendText(path), options.mapping ?? DEFAULT_SPEND_MAPPING) })),
  )
  const owners = new Map<string, string>()
  for (const { path, rows } of parsed) {
    for (const row of rows) {
      const key = spendKey(row)
      const owner = owners.get(key)
      if (owner !== undefined) {
        throw new UserFacingError(
          `${path}, line ${row.line}: duplicate row: ${describeKey(row)} is also in ${owner}. Nothing was imported.`,
        )
      }
      owners.set(key, `${path}, line ${row.line}`)
    }
  }
  return parsed
}

/** UTF-8, or UTF-16LE with its byte-order mark (Google Ads' "CSV for Excel" download). */
async function readSpendText(path: string): Promise<string> {
  try {
    const bytes = await readFile(path)
    return bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserFacingError(`File not found: ${path}`)
    throw new UserFacingError(`${path} cannot be read: ${messageOf(error)}`)
  }
}

async function storeFile(connection: DuckDBConnection, path: string, format: SpendFormat, rows: SpendRow[]): Promise<ImportedSpendFile> {
  await connection.run(`create or replace temp table spend_staged as select * from ${RAW_SCHEMA}.ad_spend limit 0`)
  for (let start = 0; start < rows.length; start += INSERT_BATCH) {
    const batch = rows.slice(start, start + INSERT_BATCH)
    const values: Record<string, DuckDBValue> = { format, name: path }
    const tuples = batch.map((row, index) => {
      values[`d${index}`] = row.spendDate
      values[`s${index}`] = row.source
      values[`m${index}`] = row.medium
      values[`c${index}`] = row.campaign
      values[`i${index}`] = row.campaignId
      values[`k${index}`] = formatCents(row.costCents)
      values[`n${index}`] = row.impressions
      values[`l${index}`] = row.clicks
      return `(cast($d${index} as date), $s${index}, $m${index}, $c${index}, $i${index}, cast($k${index} as decimal(18, 2)), $n${index}, $l${index}, $format, $name, now()::timestamp)`
    })
    await connection.run(`insert into spend_staged values ${tuples.join(', ')}`, values)
  }
  const reader = await connection.runAndReadAll(`
    select
      count(*) filter (where stored.spend_date is null)::integer as added,
      count(*) filter (where stored.spend_date is not null and not ${SAME_ROW})::integer as changed,
      count(*) filter (where stored.spend_date is not null and ${SAME_ROW})::integer as unchanged,
      coalesce(sum(staged.cost_usd), 0)::decimal(18, 2)::varchar as cost_usd
    from spend_staged as staged
    left join ${RAW_SCHEMA}.ad_spend as stored using (spend_date, source, medium, campaign)`)
  const [added, changed, unchanged, costUsd] = reader.getRows()[0] ?? []
  // Rows that repeat what is stored keep their first file and time; the rest are new or corrected.
  await connection.run(`
    insert into ${RAW_SCHEMA}.ad_spend
    select staged.* from spend_staged as staged
    left join ${RAW_SCHEMA}.ad_spend as stored using (spend_date, source, medium, campaign)
    where stored.spend_date is null or not ${SAME_ROW}
    on conflict (spend_date, source, medium, campaign) do update set
      campaign_id = excluded.campaign_id,
      cost_usd = excluded.cost_usd,
      impressions = excluded.impressions,
      clicks = excluded.clicks,
      file_format = excluded.file_format,
      file_name = excluded.file_name,
      imported_at = excluded.imported_at`)
  await connection.run('drop table spend_staged')
  return {
    file: path,
    format,
    rows: rows.length,
    added: Number(added),
    changed: Number(changed),
    unchanged: Number(unchanged),
    costUsd: String(costUsd),
  }
}

/** A staged row that says what the stored one says. */
const SAME_ROW = `(staged.cost_usd = stored.cost_usd
      and staged.campaign_id is not distinct from stored.campaign_id
      and staged.impressions is not distinct from stored.impressions
      and staged.clicks is not distinct from stored.clicks)`

/** The spend stored: rows and total cost (for status lines and tests). */
export async function querySpendTotals(connection: DuckDBConnection): Promise<{ rows: number; costUsd: string }> {
  const reader = await connection.runAndReadAll(
    `select count(*)::integer, coalesce(sum(cost_usd), 0)::decimal(18, 2)::varchar from ${RAW_SCHEMA}.ad_spend`,
  )
  const [rows, cost] = reader.getRows()[0] ?? []
  return { rows: Number(rows), costUsd: String(cost) }
}

/** The dbt selection a spend import rebuilds: the spend models and the cost mart (nothing else reads spend). */
export const SPEND_MODELS = 'stg_spend__ad_costs+'

/** One line on what an import did: "12 rows (google_ads): 10 added, 2 changed, 0 unchanged; 1333.66 USD". */
export function spendImportText(result: ImportedSpendFile): string {
  const what =
    result.added === 0 && result.changed === 0
      ? 'already imported, nothing changed'
      : `${result.added} added, ${result.changed} changed, ${result.unchanged} unchanged`
  return `${result.rows} rows (${result.format}): ${what}; ${result.costUsd} USD`
}
