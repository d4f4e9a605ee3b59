import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { DemoSandboxInfo } from '../../shared/api'
import { ensurePrivateDir, makePrivateFile } from '../private-files'
import { type DuckDbFile, sqlString, withDuckDbFile } from '../warehouse/duckdb-file'
import { RAW_SCHEMA } from '../warehouse/duckdb-schema'
import { GA4_COLUMNS } from '../warehouse/ga4-schema'
import { ALL_EVENTS_VIEW, type RawTableName } from '../warehouse/raw-files'

/**
 * The presenter's demo never writes into an analyst's data: "Stream events" on a warehouse with
 * imported exports streams into a demo sandbox, a small copy of the warehouse's most recent days
 * kept in the folder `<warehouse>.demo/` beside it (file, Parquet folder, outbox, dbt target). See
 * DECISIONLOG "Demo streaming runs in a sandbox".
 */

/** Days of the newest data the sandbox keeps. */
export const DEMO_WINDOW_DAYS = 7
/** Most visitors the sandbox keeps (those seen last): few enough conversions that one burst moves the numbers visibly. */
export const DEMO_MAX_USERS = 400
/** Sample files are named so by the generator (parquet-sample.ts); any other imported file is someone's export. */
const SAMPLE_FILE_PATTERN = 'sample-events-%'
const DAY_MICROS = 86_400_000_000n
const SOURCE_CATALOG = 'demo_source'
const INFO_FILE = 'sandbox.json'

/** The folder of a warehouse's demo sandbox. */
export function demoFolderOf(warehousePath: string): string {
  return `${resolve(warehousePath)}.demo`
}

/** The sandbox's DuckDB file. */
export function demoWarehousePathOf(warehousePath: string): string {
  return join(demoFolderOf(warehousePath), 'demo.duckdb')
}

/** The sandbox of a warehouse as last made, or null when there is none (or it was never finished). */
export function readDemoSandbox(warehousePath: string): DemoSandboxInfo | null {
  const infoPath = join(demoFolderOf(warehousePath), INFO_FILE)
  if (!existsSync(infoPath) || !existsSync(demoWarehousePathOf(warehousePath))) return null
  try {
    return JSON.parse(readFileSync(infoPath, 'utf8')) as DemoSandboxInfo
  } catch {
    return null
  }
}

/** Deletes the sandbox folder (file, Parquet, outbox, dbt target); the real warehouse is not touched. */
export function removeDemoSandbox(warehousePath: string): void {
  rmSync(demoFolderOf(warehousePath), { recursive: true, force: true })
}

/** True when the warehouse holds rows from imported exports, not only generated sample data and streamed demo events. */
export async function hasImportedData(connection: DuckDBConnection): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `select count(*)::integer as n from ${RAW_SCHEMA}.import_log where file_name not like ${sqlString(SAMPLE_FILE_PATTERN)} and row_count > 0`,
  )
  return Number(reader.getRowObjectsJson()[0]?.n ?? 0) > 0
}

/** What to copy: the newest days' window, and how many whole days the copy moves forward to end now. */
async function sourceWindow(connection: DuckDBConnection, now: Date): Promise<{ newestMicros: bigint; shiftDays: number } | null> {
  const reader = await connection.runAndReadAll(
    `select max(event_timestamp) as newest from (
      select max(event_timestamp) as event_timestamp from ${SOURCE_CATALOG}.${ALL_EVENTS_VIEW.events}
      union all select max(event_timestamp) from ${SOURCE_CATALOG}.${ALL_EVENTS_VIEW.events_intraday})`,
  )
  const newest = reader.getRows()[0]?.[0]
  if (newest === null || newest === undefined) return null
  const newestMicros = BigInt(newest as bigint)
  const nowMicros = BigInt(now.getTime()) * 1000n
  // Whole days, so event_date moves with the timestamps; never into the future.
  const shiftDays = newestMicros < nowMicros ? Number((nowMicros - newestMicros) / DAY_MICROS) : 0
  return { newestMicros, shiftDays }
}

/** The export's columns, with the times and dates moved `shiftDays` forward. */
function shiftedColumns(shiftDays: number): string {
  const shift = `${BigInt(shiftDays) * DAY_MICROS}::bigint`
  return GA4_COLUMNS.map(([name]) => {
    if (name === 'event_date') return `strftime(strptime(event_date, '%Y%m%d') + interval ${shiftDays} day, '%Y%m%d') as event_date`
    if (['event_timestamp', 'event_previous_timestamp', 'user_first_touch_timestamp'].includes(name)) return `"${name}" + ${shift} as "${name}"`
    return `"${name}"`
  }).join(', ')
}

/**
 * Copies a closed warehouse's newest `DEMO_WINDOW_DAYS` days, of at most `DEMO_MAX_USERS` visitors (the
 * most recently seen), into a new sandbox file, moved forward by whole days so the window ends now
 * and streamed demo events continue it. Models are not copied: the caller builds them (a small
 * full build). The real file is only read (attached read-only). Returns what the header shows.
 */
export async function createDemoSandbox(
  warehousePath: string,
  options: { windowDays?: number; maxUsers?: number; now?: Date } = {},
): Promise<DemoSandboxInfo> {
  const started = Date.now()
  const windowDays = options.windowDays ?? DEMO_WINDOW_DAYS
  const maxUsers = options.maxUsers ?? DEMO_MAX_USERS
  removeDemoSandbox(warehousePath)
  ensurePrivateDir(demoFolderOf(warehousePath), { isOwnFolder: true })
  const sandboxPath = demoWarehousePathOf(warehousePath)
  try {
    const copied = await withDuckDbFile(sandboxPath, { readOnly: false }, async (file) => {
      await file.connection.run(`attach ${sqlString(resolve(warehousePath))} as ${SOURCE_CATALOG} (read_only true)`)
      try {
        return await copyWindow(file, options.now ?? new Date(), windowDays, maxUsers)
      } finally {
        await file.connection.run(`detach ${SOURCE_CATALOG}`)
      }
    })
    const info: DemoSandboxInfo = {
      location: sandboxPath,
      sourceLocation: resolve(warehousePath),
      sourceName: basename(warehousePath),
      createdAt: new Date().toISOString(),
      ...copied,
      windowDays,
      copyMs: Date.now() - started,
    }
    const infoPath = join(demoFolderOf(warehousePath), INFO_FILE)
    writeFileSync(`${infoPath}.tmp`, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 })
    renameSync(`${infoPath}.tmp`, infoPath)
    makePrivateFile(infoPath)
    return info
  } catch (error) {
    removeDemoSandbox(warehousePath)
    throw error
  }
}

async function copyWindow(
  file: DuckDbFile,
  now: Date,
  windowDays: number,
  maxUsers: number,
): Promise<Pick<DemoSandboxInfo, 'fromDate' | 'toDate' | 'shiftDays' | 'users' | 'events'>> {
  const window = await sourceWindow(file.connection, now)
  if (!window) return { fromDate: null, toDate: null, shiftDays: 0, users: 0, events: 0 }
  const fromMicros = window.newestMicros - BigInt(windowDays) * DAY_MICROS
  const sources = Object.entries(ALL_EVENTS_VIEW) as Array<[RawTableName, string]>
  // The visitors seen last, over both raw tables; all their events in the window are kept, so journeys stay whole inside it.
  await file.connection.run(
    `create temp table demo_users as
     select user_pseudo_id from (
       ${sources.map(([, view]) => `select user_pseudo_id, event_timestamp from ${SOURCE_CATALOG}.${view} where event_timestamp > ${fromMicros}`).join(' union all ')}
     ) where user_pseudo_id is not null
     group by user_pseudo_id order by max(event_timestamp) desc, user_pseudo_id limit ${maxUsers}`,
  )
  const names = GA4_COLUMNS.map(([name]) => `"${name}"`).join(', ')
  await file.connection.run('begin transaction')
  try {
    for (const [table, view] of sources) {
      await file.connection.run(
        `insert into ${RAW_SCHEMA}.${table} (${names})
         select ${shiftedColumns(window.shiftDays)} from ${SOURCE_CATALOG}.${view}
         where event_timestamp > ${fromMicros} and user_pseudo_id in (select user_pseudo_id from demo_users)
         order by event_timestamp`,
      )
    }
    await file.connection.run('commit')
  } catch (error) {
    await file.connection.run('rollback')
    throw error
  }
  const reader = await file.connection.runAndReadAll(
    `select count(*)::integer as events, count(distinct user_pseudo_id)::integer as users, min(event_date) as from_date, max(event_date) as to_date
     from (select user_pseudo_id, event_date from ${RAW_SCHEMA}.events union all select user_pseudo_id, event_date from ${RAW_SCHEMA}.events_intraday)`,
  )
  const row = reader.getRowObjectsJson()[0] ?? {}
  const isoDate = (value: unknown) => (typeof value === 'string' && value.length === 8 ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}` : null)
  await file.connection.run('drop table demo_users')
  return { fromDate: isoDate(row.from_date), toDate: isoDate(row.to_date), shiftDays: window.shiftDays, users: Number(row.users ?? 0), events: Number(row.events ?? 0) }
}
