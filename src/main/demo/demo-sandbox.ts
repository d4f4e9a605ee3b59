import { constants, copyFileSync, existsSync, linkSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { DemoSandboxInfo } from '@shared/api'
import { ensurePrivateDir, makePrivateFile } from '../private-files'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { sqlString } from '../warehouse/sql-literal'
import { RAW_SCHEMA } from '../warehouse/duckdb-schema'
import { rawFolderOf } from '../warehouse/raw-files'

/**
 * The presenter's demo never writes into an analyst's data: "Stream events" on a warehouse with
 * imported exports streams into a demo sandbox, a copy of the warehouse kept in the folder
 * `<warehouse>.demo/` beside it (file, Parquet folder, outbox, dbt target). See
 * DECISIONLOG "Demo streaming runs in a sandbox".
 */

/** Sample files are named so by the generator (parquet-sample.ts); any other imported file is someone's export. */
const SAMPLE_FILE_PATTERN = 'sample-events-%'
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

/** Links a Parquet file of the real warehouse into the sandbox (kept files are never changed, only added or removed); copies it across devices. */
function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to)
  } catch {
    copyFileSync(from, to)
  }
}

/**
 * Copies a closed warehouse into its sandbox: the DuckDB file with its built models (so the demo is
 * shown at once, without a dbt build), and its Parquet files linked, not copied (they are named by
 * content and never changed). The real warehouse is only read. Returns what the header shows.
 */
export async function createDemoSandbox(warehousePath: string, options: { now?: Date } = {}): Promise<DemoSandboxInfo> {
  const started = Date.now()
  removeDemoSandbox(warehousePath)
  ensurePrivateDir(demoFolderOf(warehousePath), { isOwnFolder: true })
  const sandboxPath = demoWarehousePathOf(warehousePath)
  try {
    // A clone where the file system has them (APFS, btrfs, XFS), else a copy: 0.6-1.1 s for a 320 MB warehouse here.
    copyFileSync(warehousePath, sandboxPath, constants.COPYFILE_FICLONE)
    makePrivateFile(sandboxPath)
    if (existsSync(rawFolderOf(warehousePath))) {
      ensurePrivateDir(rawFolderOf(sandboxPath), { isOwnFolder: true })
      for (const name of readdirSync(rawFolderOf(warehousePath)))
        linkOrCopy(join(rawFolderOf(warehousePath), name), join(rawFolderOf(sandboxPath), name))
    }
    const counts = await withDuckDbFile(sandboxPath, { readOnly: true }, (file) => copiedCounts(file.connection))
    const info: DemoSandboxInfo = {
      location: sandboxPath,
      sourceLocation: resolve(warehousePath),
      sourceName: basename(warehousePath),
      createdAt: (options.now ?? new Date()).toISOString(),
      ...counts,
      copyMs: Date.now() - started,
    }
    const infoPath = join(demoFolderOf(warehousePath), INFO_FILE)
    writeFileSync(`${infoPath}.tmp`, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 })
    renameSync(`${infoPath}.tmp`, infoPath)
    return info
  } catch (error) {
    removeDemoSandbox(warehousePath)
    throw error
  }
}

/** The copy's raw events, from the tables and the registry of kept files (no file is read). */
async function copiedCounts(connection: DuckDBConnection): Promise<Pick<DemoSandboxInfo, 'events'>> {
  const reader = await connection.runAndReadAll(
    `select ((select count(*) from ${RAW_SCHEMA}.events) + (select count(*) from ${RAW_SCHEMA}.events_intraday)
      + (select coalesce(sum(row_count), 0) from ${RAW_SCHEMA}.event_files))::bigint as events`,
  )
  return { events: Number(reader.getRowObjectsJson()[0]?.events ?? 0) }
}
