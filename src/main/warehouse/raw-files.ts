import { copyFileSync, cpSync, existsSync, readdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { ensurePrivateDir } from '../private-files'
import { sqlString } from './sql-literal'
import { LOAD_SEQ_COLUMN, RAW_SCHEMA } from './duckdb-schema'
import { GA4_COLUMNS } from './ga4-schema'
import { hasGlobCharacters } from './literal-path'

/**
 * Parquet exports are kept as files beside the warehouse, not copied into its tables: DuckDB reads
 * a Parquet file about as fast as its own tables, while storing the export's wide nested rows costs
 * ~15x a read. Each file is registered in `ga4.event_files` with one load number for all its rows,
 * and the views `ga4.all_events` / `ga4.all_events_intraday` are what dbt and the app read: the
 * table's rows and every registered file's rows, with the same columns. See DECISIONLOG #32.
 */

/** Which raw table's rows a file holds. */
export type RawTableName = 'events' | 'events_intraday'

/** The view over each raw table and its files: what everything reads. */
export const ALL_EVENTS_VIEW: Record<RawTableName, string> = {
  events: `${RAW_SCHEMA}.all_events`,
  events_intraday: `${RAW_SCHEMA}.all_events_intraday`,
}

/** The folder holding a warehouse's Parquet files. */
export function rawFolderOf(warehousePath: string): string {
  return `${resolve(warehousePath)}.raw`
}

/** False when DuckDB would read the folder's file names as globs: then Parquet is stored in the tables as before. */
export function canKeepFilesBeside(warehousePath: string): boolean {
  return !hasGlobCharacters(rawFolderOf(warehousePath))
}

/** A kept file's name in the raw folder: its table and content hash, so a name never collides. */
export function keptFileName(table: RawTableName, contentSha256: string): string {
  return `${table}-${contentSha256}.parquet`
}

/** Registers a file already written to the raw folder; its rows get one new load number. */
export async function registerKeptFile(
  connection: DuckDBConnection,
  table: RawTableName,
  contentSha256: string,
  rows: number,
): Promise<void> {
  await connection.run(`insert into ${RAW_SCHEMA}.event_files values ($sha, $name, $table, $rows, nextval('${RAW_SCHEMA}.load_seq'))`, {
    sha: contentSha256,
    name: keptFileName(table, contentSha256),
    table,
    rows,
  })
}

/** A Parquet file's top-level columns and their DuckDB types. */
async function columnsOf(connection: DuckDBConnection, path: string): Promise<Map<string, string>> {
  const reader = await connection.runAndReadAll(
    `select column_name, column_type from (describe select * from read_parquet(${sqlString(path)}))`,
  )
  return new Map(reader.getRows().map((row) => [String(row[0]), String(row[1])]))
}

let exportTypes: Promise<Map<string, string>> | undefined

/** The export columns' types as DuckDB writes them, to compare with a file's. */
function exportTypesOf(connection: DuckDBConnection): Promise<Map<string, string>> {
  exportTypes ??= connection
    .runAndReadAll(
      `select column_name, column_type from (describe select ${GA4_COLUMNS.map(([name, type]) => `cast(null as ${type}) as "${name}"`).join(', ')})`,
    )
    .then((reader) => new Map(reader.getRows().map((row) => [String(row[0]), String(row[1])])))
  return exportTypes
}

/** True when every export column the file has is of the export's type (absent optional ones read as NULL). */
export async function hasExportTypes(connection: DuckDBConnection, path: string): Promise<boolean> {
  const [columns, expected] = await Promise.all([columnsOf(connection, path), exportTypesOf(connection)])
  return [...expected].every(([name, type]) => !columns.has(name) || columns.get(name) === type)
}

interface KeptFile {
  fileName: string
  table: RawTableName
  loadSeq: number
}

async function keptFiles(connection: DuckDBConnection): Promise<KeptFile[]> {
  const reader = await connection.runAndReadAll(`select file_name, raw_table, load_seq from ${RAW_SCHEMA}.event_files order by load_seq`)
  return reader.getRows().map((row) => ({ fileName: String(row[0]), table: String(row[1]) as RawTableName, loadSeq: Number(row[2]) }))
}

/**
 * (Re)creates both views from the registry, with this warehouse's folder (so a moved warehouse
 * folder keeps working). A registered file that is gone is left out and returned, so the caller
 * can say so; its rows are then missing from the models until it is put back.
 * Every read-write open calls this, and streamed deliveries open the file often: when the views
 * already read exactly these files in this folder (their comment says which), nothing is redone,
 * so an open costs one registry query and a stat per file, not a Parquet footer read per file.
 */
export async function refreshAllEventsViews(connection: DuckDBConnection, warehousePath: string): Promise<{ missingFiles: string[] }> {
  const folder = rawFolderOf(warehousePath)
  const files = await keptFiles(connection)
  const missingFiles = files.map((file) => join(folder, file.fileName)).filter((path) => !existsSync(path))
  const signature = JSON.stringify({
    folder,
    files: files.map((file) => file.fileName).filter((name) => !missingFiles.includes(join(folder, name))),
  })
  if ((await viewSignatures(connection)).every((comment) => comment === signature)) return { missingFiles }
  const names = [...GA4_COLUMNS.map(([name]) => `"${name}"`), LOAD_SEQ_COLUMN].join(', ')
  for (const table of ['events', 'events_intraday'] as const) {
    const branches = [`select ${names} from ${RAW_SCHEMA}.${table}`]
    for (const file of files.filter((kept) => kept.table === table)) {
      const path = join(folder, file.fileName)
      if (missingFiles.includes(path)) continue
      // Columns a file lacks (newer optional ones) read as NULL; unknown newer columns are left out.
      const present = await columnsOf(connection, path)
      const columns = GA4_COLUMNS.map(([name, type]) => (present.has(name) ? `"${name}"` : `cast(null as ${type}) as "${name}"`)).join(', ')
      // One constant load number per file: an incremental load's `_load_seq > n` prunes older files unread.
      branches.push(`select ${columns}, ${file.loadSeq}::bigint as ${LOAD_SEQ_COLUMN} from read_parquet(${sqlString(path)})`)
    }
    await connection.run(`create or replace view ${ALL_EVENTS_VIEW[table]} as\n${branches.join('\nunion all\n')}`)
    await connection.run(`comment on view ${ALL_EVENTS_VIEW[table]} is ${sqlString(signature)}`)
  }
  return { missingFiles }
}

/**
 * The rows the two raw views read, without reading a Parquet footer: the rows stored in the raw
 * tables plus the registry's row counts of the files the views read (their signature names them).
 * Counting the views instead reads every kept file's footer (630 files of 100M events: 2 s, and
 * ~800 MiB of the process's memory kept afterwards). Null when the views carry no signature.
 */
export async function rawViewRowCounts(
  connection: DuckDBConnection,
  catalog?: string,
): Promise<{ events: number; intradayEvents: number } | null> {
  const [signature = ''] = await viewSignatures(connection, catalog)
  let files: unknown
  try {
    files = (JSON.parse(signature) as { files?: unknown }).files
  } catch {
    return null
  }
  if (!Array.isArray(files) || !files.every((name) => typeof name === 'string')) return null
  const prefix = catalog ? `${catalog}.` : ''
  const read = files.length > 0 ? `file_name in (${files.map((name) => sqlString(name)).join(', ')})` : 'false'
  const counted = (table: RawTableName) => `(select count(*) from ${prefix}${RAW_SCHEMA}.${table})
    + (select coalesce(sum(row_count), 0) from ${prefix}${RAW_SCHEMA}.event_files where raw_table = '${table}' and ${read})`
  const counts = await connection.runAndReadAll(
    `select (${counted('events')})::bigint as events, (${counted('events_intraday')})::bigint as intraday_events`,
  )
  const row = counts.getRowObjectsJson()[0] ?? {}
  return { events: Number(row.events), intradayEvents: Number(row.intraday_events) }
}

/** The comments of both views (what each reads), or an empty string for a view that is missing; of `catalog`'s views when given. */
async function viewSignatures(connection: DuckDBConnection, catalog?: string): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `select view_name, comment from duckdb_views()
    where database_name = coalesce($catalog::varchar, current_database()) and schema_name = $schema`,
    { catalog: catalog ?? null, schema: RAW_SCHEMA },
  )
  const comments = new Map(reader.getRows().map((row) => [String(row[0]), row[1] === null ? '' : String(row[1])]))
  return Object.values(ALL_EVENTS_VIEW).map((view) => comments.get(view.split('.')[1] ?? '') ?? '')
}

/**
 * The names the app gives the files it keeps (keptFileName), and DuckDB's temporary name while a
 * rewrite is written (`tmp_` prefix): nothing else in the raw folder is the app's to remove.
 */
const OWN_FILE_NAME = /^(tmp_)?(events|events_intraday)-[0-9a-f]{64}\.parquet$/

/** True for a name the app writes into the raw folder itself; a person's own files never match. */
export function isOwnRawFileName(name: string): boolean {
  return OWN_FILE_NAME.test(name)
}

/**
 * Removes the app's own Parquet files in the raw folder that no registry row names: left by an
 * import that was interrupted before it committed. Files of any other name are the person's and
 * stay. Only safe while this process holds the warehouse read-write.
 */
export async function removeUnregisteredFiles(connection: DuckDBConnection, warehousePath: string): Promise<void> {
  const folder = rawFolderOf(warehousePath)
  if (!existsSync(folder)) return
  const registered = new Set((await keptFiles(connection)).map((file) => file.fileName))
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isFile() && isOwnRawFileName(entry.name) && !registered.has(entry.name)) rmSync(join(folder, entry.name), { force: true })
  }
}

/** Creates the raw folder (private, like the warehouse) and returns it. */
export function ensureRawFolder(warehousePath: string): string {
  const folder = rawFolderOf(warehousePath)
  ensurePrivateDir(folder, { isOwnFolder: true })
  return folder
}

/** Copies a closed warehouse: the file and its folder of Parquet files (the views find them on the copy's first read-write open). */
export function copyWarehouse(from: string, to: string): void {
  copyFileSync(from, to)
  rmSync(rawFolderOf(to), { recursive: true, force: true })
  if (existsSync(rawFolderOf(from))) cpSync(rawFolderOf(from), rawFolderOf(to), { recursive: true })
}
