import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import type { DuckDBConnection } from '@duckdb/node-api'
import { UserFacingError, messageOf } from '../errors'
import type { DuckDbFile } from './duckdb-file'
import { RAW_SCHEMA } from './duckdb-schema'
import { type DetectedFile, detectFileFormat } from './file-format'
import { GA4_COLUMNS, REQUIRED_GA4_COLUMNS, ga4JsonColumns } from './ga4-schema'

/** Where the import stands, for a progress bar. */
export interface ImportProgress {
  file: string
  fileIndex: number
  fileCount: number
  phase: 'hashing' | 'reading' | 'checking' | 'storing'
  /** 0..100 within the phase where DuckDB can tell, otherwise undefined. */
  percent?: number
}

/** The outcome for one file. */
export interface ImportedFile {
  file: string
  format: DetectedFile['format']
  rows: number
  /** True when the same content was imported before, so nothing was added. */
  wasAlreadyImported: boolean
}

/** Which raw table the rows go to: day tables for exports, intraday for streamed events. */
export type RawTable = 'events' | 'events_intraday'

/** Options of an import. */
export interface ImportOptions {
  table?: RawTable
  onProgress?: (progress: ImportProgress) => void
}

const PROGRESS_INTERVAL_MS = 250

/**
 * Imports GA4 export files in one transaction: all of them or, on any error, none.
 * A file whose content was imported before adds nothing.
 */
export async function importGa4Files(file: DuckDbFile, paths: string[], options: ImportOptions = {}): Promise<ImportedFile[]> {
  if (file.readOnly) throw new Error('importGa4Files needs a read-write warehouse')
  const table = options.table ?? 'events'
  const report = options.onProgress ?? (() => undefined)
  const { connection } = file
  const results: ImportedFile[] = []
  const seenHashes = new Set<string>()

  await connection.run('begin transaction')
  try {
    for (const [index, path] of paths.entries()) {
      const step = (phase: ImportProgress['phase'], percent?: number) =>
        report({ file: path, fileIndex: index, fileCount: paths.length, phase, percent })
      const detected = await detectFileFormat(path)
      step('hashing')
      const contentSha256 = await sha256OfFile(path)
      if (seenHashes.has(contentSha256) || (await isAlreadyImported(connection, contentSha256))) {
        results.push({ file: path, format: detected.format, rows: 0, wasAlreadyImported: true })
        continue
      }
      seenHashes.add(contentSha256)
      const rows = await loadIntoBatch(connection, path, detected, (percent) => step('reading', percent))
      step('checking')
      await checkBatch(connection, path, detected, rows)
      step('storing')
      await connection.run(`insert into ${RAW_SCHEMA}.${table} by name select * exclude (import_row_number) from import_batch`)
      await connection.run(
        `insert into ${RAW_SCHEMA}.import_log values ($sha, $name, $format, $rows, now()::timestamp)`,
        { sha: contentSha256, name: basename(path), format: detected.format, rows },
      )
      await connection.run('drop table import_batch')
      results.push({ file: path, format: detected.format, rows, wasAlreadyImported: false })
    }
    await connection.run('commit')
  } catch (error) {
    await connection.run('rollback')
    throw error
  }
  return results
}

async function isAlreadyImported(connection: DuckDBConnection, contentSha256: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `select count(*)::integer as n from ${RAW_SCHEMA}.import_log where content_sha256 = $sha`,
    { sha: contentSha256 },
  )
  return Number(reader.getRows()[0]?.[0]) > 0
}

/** Reads the file into the temporary table `import_batch`, cast to the export schema. */
async function loadIntoBatch(
  connection: DuckDBConnection,
  path: string,
  detected: DetectedFile,
  onPercent: (percent: number) => void,
): Promise<number> {
  const select = detected.format === 'parquet' ? await parquetSelect(connection, path) : jsonSelect(detected)
  const sql = `create or replace temp table import_batch as
    select row_number() over () as import_row_number, ${select.columns} from ${select.from}`
  const timer = setInterval(() => {
    const progress = connection.progress
    if (progress.percentage >= 0) onPercent(Math.round(progress.percentage))
  }, PROGRESS_INTERVAL_MS)
  try {
    await connection.run(sql, { path })
  } catch (error) {
    throw await describeReadError(path, detected, error)
  } finally {
    clearInterval(timer)
  }
  const reader = await connection.runAndReadAll('select count(*)::integer from import_batch')
  return Number(reader.getRows()[0]?.[0])
}

interface BatchSelect {
  columns: string
  from: string
}

async function parquetSelect(connection: DuckDBConnection, path: string): Promise<BatchSelect> {
  let present: Set<string>
  try {
    const reader = await connection.runAndReadAll('select name from parquet_schema($path)', { path })
    present = new Set(reader.getRows().map((row) => String(row[0])))
  } catch (error) {
    throw new UserFacingError(`${path} cannot be read as Parquet: ${firstLine(messageOf(error))}`)
  }
  const missing = REQUIRED_GA4_COLUMNS.filter((name) => !present.has(name))
  if (missing.length > 0) throw new UserFacingError(`${path} is not a GA4 export: it has no column ${missing.join(', ')}.`)
  // Known columns are cast to the export schema; unknown newer columns are left out, absent optional ones stay NULL.
  const columns = GA4_COLUMNS.filter(([name]) => present.has(name))
    .map(([name, type]) => `cast("${name}" as ${type}) as "${name}"`)
    .join(', ')
  return { columns, from: 'read_parquet($path)' }
}

function jsonSelect(detected: DetectedFile): BatchSelect {
  const format = detected.format === 'json_array' ? 'array' : 'newline_delimited'
  const compression = detected.isGzip ? 'gzip' : 'uncompressed'
  return {
    columns: '*',
    from: `read_json($path, format = '${format}', compression = '${compression}', columns = ${ga4JsonColumns()})`,
  }
}

/** Rejects the batch when it is empty or a row lacks what every GA4 event has. */
async function checkBatch(connection: DuckDBConnection, path: string, detected: DetectedFile, rows: number): Promise<void> {
  if (rows === 0) throw new UserFacingError(`${path} holds no events.`)
  const reader = await connection.runAndReadAll(`
    select import_row_number,
      case
        when event_name is null or event_name = '' then 'event_name is missing'
        when event_timestamp is null then 'event_timestamp is missing'
        when event_date is null or not regexp_full_match(event_date, '[0-9]{8}') then 'event_date is missing or not YYYYMMDD'
      end as problem
    from import_batch
    where problem is not null
    order by import_row_number
    limit 1`)
  const bad = reader.getRows()[0]
  if (bad) throw new UserFacingError(`${path}, ${rowLabel(detected)} ${String(bad[0])}: ${String(bad[1])}. Nothing was imported.`)
}

function rowLabel(detected: DetectedFile): string {
  if (detected.format === 'ndjson') return 'line'
  if (detected.format === 'json_array') return 'array element'
  return 'row'
}

/** Turns DuckDB's reader errors into a message with the file and, where it can be found, the line. */
async function describeReadError(path: string, detected: DetectedFile, error: unknown): Promise<UserFacingError> {
  const message = firstLine(messageOf(error).replace(/^[A-Za-z ]+Error: /, ''))
  if (detected.format === 'ndjson' && /Malformed JSON/i.test(message)) {
    // DuckDB's line number for malformed JSON can be off by one; find the line ourselves on this rare path.
    const badLine = await firstUnparsableLine(path, detected.isGzip)
    if (badLine !== undefined) return new UserFacingError(`${path}, line ${badLine}: not valid JSON. Nothing was imported.`)
  }
  if (detected.format === 'parquet') return new UserFacingError(`${path} cannot be read as Parquet (damaged or truncated?): ${message}`)
  return new UserFacingError(`${path} cannot be imported: ${message}. Nothing was imported.`)
}

async function firstUnparsableLine(path: string, isGzip: boolean): Promise<number | undefined> {
  const raw = createReadStream(path)
  const lines = createInterface({ input: isGzip ? raw.pipe(createGunzip()) : raw, crlfDelay: Infinity })
  let lineNumber = 0
  try {
    for await (const line of lines) {
      lineNumber += 1
      if (line.trim() === '') continue
      try {
        JSON.parse(line)
      } catch {
        return lineNumber
      }
    }
  } catch {
    return lineNumber + 1
  } finally {
    lines.close()
    raw.destroy()
  }
  return undefined
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text
}
