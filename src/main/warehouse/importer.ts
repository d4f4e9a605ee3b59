import { createHash } from 'node:crypto'
import { createReadStream, rmSync } from 'node:fs'
import { copyFile, rename } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import type { DuckDBConnection } from '@duckdb/node-api'
import { UserFacingError, messageOf } from '../errors'
import { makePrivateFile } from '../private-files'
import { type DuckDbFile } from './duckdb-file'
import { sqlString } from './sql-literal'
import { RAW_SCHEMA } from './duckdb-schema'
import { type DetectedFile, detectFileFormat } from './file-format'
import { GA4_COLUMNS, REQUIRED_GA4_COLUMNS, ga4JsonColumns } from './ga4-schema'
import { rowBoundsProblemSql } from './event-bounds'
import { withLiteralPath } from './literal-path'
import { canKeepFilesBeside, ensureRawFolder, hasExportTypes, keptFileName, refreshAllEventsViews, registerKeptFile } from './raw-files'

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
  const transaction = await Ga4ImportTransaction.begin(file, options)
  try {
    const results: ImportedFile[] = []
    for (const [index, path] of paths.entries()) results.push(await transaction.add(path, index, paths.length))
    await transaction.commit()
    return results
  } catch (error) {
    await transaction.rollback()
    // A full disk can fail the commit itself (the write-ahead log), after every file was read.
    throw diskFullError(paths.join(', '), error) ?? error
  }
}

/** The message for an import that ran out of disk space, or undefined when `error` is something else. */
function diskFullError(what: string, error: unknown): UserFacingError | undefined {
  const message = messageOf(error)
  if (!/no space left on device|ENOSPC|disk is full/i.test(message)) return undefined
  if (error instanceof UserFacingError && message.startsWith('Importing ')) return error
  return new UserFacingError(
    `Importing ${what} ran out of disk space (${firstLine(message.replace(/^[A-Za-z ]+Error: /, ''))}). Nothing was imported: free some space and import again.`,
  )
}

/** An open import: files are added one by one (as a generator writes them) and kept only on commit. */
export class Ga4ImportTransaction {
  private readonly seenHashes = new Set<string>()

  private readonly keptPaths: string[] = []

  private readonly connection: DuckDBConnection

  private constructor(
    private readonly file: DuckDbFile,
    private readonly options: ImportOptions,
  ) {
    this.connection = file.connection
  }

  /** Starts a transaction on a read-write warehouse. */
  static async begin(file: DuckDbFile, options: ImportOptions = {}): Promise<Ga4ImportTransaction> {
    if (file.readOnly) throw new Error('An import needs a read-write warehouse')
    await file.connection.run('begin transaction')
    return new Ga4ImportTransaction(file, options)
  }

  /**
   * Reads, checks and stages one file; `index` and `count` only feed the progress display.
   * `contentKey` names content made here (generated samples) instead of the file's hash, and
   * `move` lets a Parquet file kept beside the warehouse be moved there rather than copied.
   */
  async add(path: string, index = 0, count = 1, options: { contentKey?: string; move?: boolean } = {}): Promise<ImportedFile> {
    const { connection } = this
    const table = this.options.table ?? 'events'
    const step = (phase: ImportProgress['phase'], percent?: number) =>
      this.options.onProgress?.({ file: path, fileIndex: index, fileCount: count, phase, percent })
    const detected = await detectFileFormat(path)
    step('hashing')
    const contentSha256 = options.contentKey ?? (await sha256OfFile(path))
    if (this.seenHashes.has(contentSha256) || (await isAlreadyImported(connection, contentSha256))) {
      return { file: path, format: detected.format, rows: 0, wasAlreadyImported: true }
    }
    this.seenHashes.add(contentSha256)
    const onPercent = (percent: number) => step('reading', percent)
    // DuckDB's readers expand * ? [ ] { } as globs: read the file under a literal name (see literal-path.ts).
    const rows =
      detected.format === 'parquet' && canKeepFilesBeside(this.file.path)
        ? await withLiteralPath(path, (literal) =>
            this.keepParquetFile(path, literal, detected, contentSha256, onPercent, options.move === true),
          )
        : await withLiteralPath(path, (literal) => insertFile(this.file, `${RAW_SCHEMA}.${table}`, literal, detected, onPercent))
    step('storing')
    await connection.run(`insert into ${RAW_SCHEMA}.import_log values ($sha, $name, $format, $rows, now()::timestamp)`, {
      sha: contentSha256,
      name: basename(path),
      format: detected.format,
      rows,
    })
    return { file: path, format: detected.format, rows, wasAlreadyImported: false }
  }

  /**
   * Keeps a checked Parquet export beside the warehouse (raw-files.ts): as it is when its columns
   * already have the export's types, else rewritten with them. Returns its row count.
   */
  private async keepParquetFile(
    path: string,
    literal: string,
    detected: DetectedFile,
    contentSha256: string,
    onPercent: (percent: number) => void,
    move: boolean,
  ): Promise<number> {
    const table = this.options.table ?? 'events'
    const select = await parquetSelect(this.connection, literal)
    const count = `select count(*)::bigint from (select ${select.columns} from ${select.from}) where (${rowProblemSql(select.present)}) is null or error('${ROW_PROBLEM_MARKER}')`
    const rows = await runOverCheckedRows(this.file, literal, detected, select, count, onPercent)
    if (rows === 0) throw new UserFacingError(`${path} holds no events.`)
    const target = join(ensureRawFolder(this.file.path), keptFileName(table, contentSha256))
    this.keptPaths.push(target)
    if (await hasExportTypes(this.connection, literal)) {
      await placeFile(path, target, move)
    } else {
      await withProgress(this.connection, onPercent, () =>
        this.connection.run(
          `copy (select ${select.columns} from ${select.from}) to ${sqlString(target)} (format parquet, compression zstd)`,
          { path: literal },
        ),
      ).catch(async (error: unknown) => {
        throw await describeReadError(path, detected, error)
      })
    }
    makePrivateFile(target)
    await registerKeptFile(this.connection, table, contentSha256, rows)
    return rows
  }

  /** Keeps everything added. */
  async commit(): Promise<void> {
    // Once per import, not per file: a generated sample is dozens of files, and each view lists them all.
    if (this.keptPaths.length > 0) await refreshAllEventsViews(this.connection, this.file.path)
    await this.connection.run('commit')
  }

  /** Drops everything added; the warehouse is as it was before `begin`. */
  async rollback(): Promise<void> {
    // DuckDB ends the transaction itself on some failures (a full disk): then there is nothing to roll
    // back, and that must not hide why the import failed.
    await this.connection.run('rollback').catch(() => undefined)
    // Files kept beside the warehouse are outside the transaction: the registry rows naming them are gone, so are they.
    for (const path of this.keptPaths.splice(0)) rmSync(path, { force: true })
  }
}

async function isAlreadyImported(connection: DuckDBConnection, contentSha256: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(`select count(*)::integer as n from ${RAW_SCHEMA}.import_log where content_sha256 = $sha`, {
    sha: contentSha256,
  })
  return Number(reader.getRows()[0]?.[0]) > 0
}

/**
 * Why a row is not a GA4 event the app can store, as SQL over the export columns; NULL when it is
 * fine. Past the required columns, the bounds of event-bounds.ts: a timestamp 2015-01-01 .. now + 1
 * day, event_date within a day of it, revenue finite and within 1e12 USD (negative only on a refund).
 */
function rowProblemSql(present: ReadonlySet<string>): string {
  return `case
    when event_name is null or event_name = '' then 'event_name is missing'
    when event_timestamp is null then 'event_timestamp is missing'
    when event_date is null or not regexp_full_match(event_date, '[0-9]{8}') then 'event_date is missing or not YYYYMMDD'
    ${rowBoundsProblemSql(present).join('\n    ')}
  end`
}
const ROW_PROBLEM_MARKER = 'GA4_ROW_PROBLEM'

/**
 * Streams the file straight into the raw table in one statement; a row that is not a GA4 event
 * aborts it, and only then is the file read again to name that row.
 */
async function insertFile(
  file: DuckDbFile,
  table: string,
  path: string,
  detected: DetectedFile,
  onPercent: (percent: number) => void,
): Promise<number> {
  const { connection } = file
  const select = detected.format === 'parquet' ? await parquetSelect(connection, path) : jsonSelect(detected)
  const sql = `insert into ${table} by name
    select ${select.columns} from ${select.from}
    where (${rowProblemSql(select.present)}) is null or error('${ROW_PROBLEM_MARKER}')`
  const rows = await runOverCheckedRows(file, path, detected, select, sql, onPercent)
  if (rows === 0) throw new UserFacingError(`${path} holds no events.`)
  return rows
}

/**
 * Runs a statement over the file's rows that fails on the first one that is not a GA4 event (its
 * `where` calls error with ROW_PROBLEM_MARKER), with DuckDB's progress; returns the row count it
 * reports, and turns a failure into a message naming the file and, where it can, the row.
 */
async function runOverCheckedRows(
  file: DuckDbFile,
  path: string,
  detected: DetectedFile,
  select: BatchSelect,
  sql: string,
  onPercent: (percent: number) => void,
): Promise<number> {
  try {
    const reader = await withProgress(file.connection, onPercent, () => file.connection.runAndReadAll(sql, { path }))
    return Number(reader.getRows()[0]?.[0] ?? 0)
  } catch (error) {
    if (messageOf(error).includes(ROW_PROBLEM_MARKER)) throw await describeBadRow(file, path, detected, select)
    throw await describeReadError(path, detected, error)
  }
}

/** Runs work while reporting DuckDB's progress of the connection's statement every PROGRESS_INTERVAL_MS. */
async function withProgress<T>(connection: DuckDBConnection, onPercent: (percent: number) => void, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    const progress = connection.progress
    if (progress.percentage >= 0) onPercent(Math.round(progress.percentage))
  }, PROGRESS_INTERVAL_MS)
  try {
    return await work()
  } finally {
    clearInterval(timer)
  }
}

/** Moves or copies a file (a move across file systems copies). */
async function placeFile(source: string, target: string, move: boolean): Promise<void> {
  if (move) {
    try {
      await rename(source, target)
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
    }
  }
  await copyFile(source, target)
}

interface BatchSelect {
  columns: string
  from: string
  /** The export columns the rows have (the others read as NULL). */
  present: ReadonlySet<string>
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
  return { columns, from: 'read_parquet($path)', present }
}

function jsonSelect(detected: DetectedFile): BatchSelect {
  const format = detected.format === 'json_array' ? 'array' : 'newline_delimited'
  const compression = detected.isGzip ? 'gzip' : 'uncompressed'
  return {
    columns: '*',
    from: `read_json($path, format = '${format}', compression = '${compression}', columns = ${ga4JsonColumns()})`,
    present: new Set(GA4_COLUMNS.map(([name]) => name)),
  }
}

/** Names the first row that is not a GA4 event (the rare path, so a second read is fine). */
async function describeBadRow(file: DuckDbFile, path: string, detected: DetectedFile, select: BatchSelect): Promise<UserFacingError> {
  // The failed insert aborted the import's transaction, so the file is read again on a connection of its own.
  const connection = await file.connect()
  const reader = await connection.runAndReadAll(
    `select row_number, problem from (
      select row_number() over () as row_number, ${rowProblemSql(select.present)} as problem from (select ${select.columns} from ${select.from})
    ) where problem is not null order by row_number limit 1`,
    { path },
  )
  connection.closeSync()
  const bad = reader.getRows()[0]
  return new UserFacingError(
    `${path}, ${rowLabel(detected)} ${String(bad?.[0] ?? '?')}: ${String(bad?.[1] ?? 'not a GA4 event')}. Nothing was imported.`,
  )
}

function rowLabel(detected: DetectedFile): string {
  if (detected.format === 'ndjson') return 'line'
  if (detected.format === 'json_array') return 'array element'
  return 'row'
}

/** Turns DuckDB's reader errors into a message with the file and, where it can be found, the line. */
async function describeReadError(path: string, detected: DetectedFile, error: unknown): Promise<UserFacingError> {
  // Writing the warehouse or its Parquet copy failed, not reading the file: say so, not "damaged".
  const diskFull = diskFullError(path, error)
  if (diskFull) return diskFull
  const message = firstLine(messageOf(error).replace(/^[A-Za-z ]+Error: /, ''))
  if (detected.format === 'ndjson' && /Malformed JSON/i.test(message)) {
    // DuckDB's line number for malformed JSON can be off by one; find the line ourselves on this rare path.
    const badLine = await firstUnparsableLine(path, detected.isGzip)
    if (badLine !== undefined) return new UserFacingError(`${path}, line ${badLine}: not valid JSON. Nothing was imported.`)
  }
  if (detected.format === 'ndjson') {
    // DuckDB's line for a value of the wrong type can be far off (it counts within a block): find it here.
    const wrong = await firstMistypedLine(path, detected.isGzip)
    if (wrong) return new UserFacingError(`${path}, line ${wrong.line}: ${wrong.problem}. Nothing was imported.`)
  }
  if (detected.format === 'parquet') return new UserFacingError(`${path} cannot be read as Parquet (damaged or truncated?): ${message}`)
  return new UserFacingError(`${path} cannot be imported: ${message}. Nothing was imported.`)
}

/** What JSON value a top-level export column takes, from its DuckDB type; undefined for text, which takes any. */
function expectedJsonShape(type: string): 'a list' | 'an object' | 'a whole number' | 'a number' | 'true or false' | undefined {
  if (type.trim().endsWith('[]')) return 'a list'
  if (type.startsWith('STRUCT')) return 'an object'
  if (type === 'BIGINT') return 'a whole number'
  if (type === 'DOUBLE') return 'a number'
  if (type === 'BOOLEAN') return 'true or false'
  return undefined
}

function hasShape(value: unknown, shape: NonNullable<ReturnType<typeof expectedJsonShape>>): boolean {
  if (value === null || value === undefined) return true
  const numeric = typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
  switch (shape) {
    case 'a list':
      return Array.isArray(value)
    case 'an object':
      return typeof value === 'object' && !Array.isArray(value)
    case 'a whole number':
      return numeric && Number.isInteger(Number(value))
    case 'a number':
      return numeric
    case 'true or false':
      return typeof value === 'boolean'
  }
}

/** The first line whose top-level export column holds a value of the wrong kind, with the column named. */
async function firstMistypedLine(path: string, isGzip: boolean): Promise<{ line: number; problem: string } | undefined> {
  const shapes = GA4_COLUMNS.flatMap(([name, type]) => {
    const shape = expectedJsonShape(type)
    return shape ? [[name, shape] as const] : []
  })
  let lineNumber = 0
  try {
    for await (const line of linesOf(path, isGzip)) {
      lineNumber += 1
      if (line.trim() === '') continue
      let event: unknown
      try {
        event = JSON.parse(line)
      } catch {
        return undefined
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event)) return { line: lineNumber, problem: 'not a JSON object' }
      const record = event as Record<string, unknown>
      const wrong = shapes.find(([name, shape]) => !hasShape(record[name], shape))
      if (wrong) return { line: lineNumber, problem: `${wrong[0]} must be ${wrong[1]}` }
    }
  } catch {
    return undefined
  }
  return undefined
}

async function firstUnparsableLine(path: string, isGzip: boolean): Promise<number | undefined> {
  let lineNumber = 0
  try {
    for await (const line of linesOf(path, isGzip)) {
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
  }
  return undefined
}

/** The lines of a JSON-lines file, gunzipped when `isGzip`; the file is closed when the loop ends, however it ends. */
async function* linesOf(path: string, isGzip: boolean): AsyncGenerator<string> {
  const raw = createReadStream(path)
  const lines = createInterface({ input: isGzip ? raw.pipe(createGunzip()) : raw, crlfDelay: Infinity })
  try {
    yield* lines
  } finally {
    lines.close()
    raw.destroy()
  }
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text
}
