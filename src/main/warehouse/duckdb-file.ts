import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { UserFacingError, messageOf } from '../errors'
import { ensurePrivateDir, makePrivateFile } from '../private-files'
import { rawSchemaStatements } from './duckdb-schema'
import { sqlString } from './sql-literal'
import { refreshAllEventsViews, removeUnregisteredFiles } from './raw-files'

/** An open DuckDB warehouse file: one instance, one connection. */
export interface DuckDbFile {
  path: string
  readOnly: boolean
  connection: DuckDBConnection
  /** Another connection to the same file, outside the main connection's transaction. */
  connect(): Promise<DuckDBConnection>
  close(): void
}

/**
 * The name the warehouse file is attached under, in the app and in dbt (profiles.yml). DuckDB would
 * name the catalog after the file, and `ga4.duckdb`'s catalog "ga4" clashes with the schema ga4
 * ("Ambiguous reference to catalog or schema"); main, memory, system and temp clash too.
 */
export const WAREHOUSE_CATALOG = 'attribution_warehouse'

/** How long an open waits for another process (the app, the CLI, dbt) to hand the file over. */
export const LOCK_WAIT_MS = 3_000
const LOCK_RETRY_MS = 100

/**
 * Opens the warehouse file; read-write opens create it and its raw tables when missing. The file
 * is attached under WAREHOUSE_CATALOG to an in-memory instance, so any file name works. The file
 * and its write-ahead log are 0600 and a folder created for them 0700, whatever the umask (DuckDB
 * creates them with the umask's bits, so they are chmodded after each read-write open and close).
 * While another process holds the file, the open retries for `lockWaitMs` (hand-overs are short).
 */
export async function openDuckDbFile(path: string, options: { readOnly: boolean; lockWaitMs?: number }): Promise<DuckDbFile> {
  if (options.readOnly && !existsSync(path)) {
    throw new UserFacingError(`No warehouse at ${path}. Run \`attribution generate\` or \`attribution import FILE\` first.`)
  }
  if (!options.readOnly) ensurePrivateDir(dirname(path))
  const deadline = Date.now() + (options.lockWaitMs ?? LOCK_WAIT_MS)
  let instance: DuckDBInstance
  for (;;) {
    try {
      instance = await attachWarehouse(path, options.readOnly)
      break
    } catch (error) {
      if (!isLockConflict(error) || Date.now() >= deadline) throw translateOpenError(path, error)
      await sleep(LOCK_RETRY_MS)
    }
  }
  const connection = await useWarehouse(await instance.connect())
  if (!options.readOnly) {
    makeWarehousePrivate(path)
    for (const statement of rawSchemaStatements()) await connection.run(statement)
    await removeUnregisteredFiles(connection, path)
    const { missingFiles } = await refreshAllEventsViews(connection, path)
    if (missingFiles.length > 0)
      console.warn(
        `The warehouse's Parquet files ${missingFiles.join(', ')} are missing: their events are left out until they are put back.`,
      )
    makeWarehousePrivate(path)
  }
  return {
    path,
    readOnly: options.readOnly,
    connection,
    connect: async () => useWarehouse(await instance.connect()),
    close() {
      connection.closeSync()
      instance.closeSync()
      if (!options.readOnly) makeWarehousePrivate(path)
    },
  }
}

/** An in-memory instance with the file attached; DuckDB checkpoints the file when the instance closes. */
async function attachWarehouse(path: string, readOnly: boolean): Promise<DuckDBInstance> {
  // Spills go beside the warehouse, as with a file opened directly, not into the working folder.
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: `${path}.tmp` })
  try {
    const connection = await instance.connect()
    try {
      await connection.run(`attach ${sqlString(path)} as ${WAREHOUSE_CATALOG} (read_only ${readOnly})`)
    } finally {
      connection.closeSync()
    }
    return instance
  } catch (error) {
    instance.closeSync()
    throw error
  }
}

/** Makes the warehouse the connection's default catalog, so `ga4.events` and `attribution.x` resolve there. */
async function useWarehouse(connection: DuckDBConnection): Promise<DuckDBConnection> {
  await connection.run(`use ${WAREHOUSE_CATALOG}`)
  return connection
}

/** Runs work on the file and always closes it, so no lock outlives the work. */
export async function withDuckDbFile<T>(
  path: string,
  options: { readOnly: boolean; lockWaitMs?: number },
  work: (file: DuckDbFile) => Promise<T>,
): Promise<T> {
  const file = await openDuckDbFile(path, options)
  try {
    return await work(file)
  } finally {
    file.close()
  }
}

/** The warehouse file and its write-ahead log, owner-only. */
export function makeWarehousePrivate(path: string): void {
  makePrivateFile(path)
  makePrivateFile(`${path}.wal`)
}

/** The one line saying another process holds the warehouse, from DuckDB's lock error (which names its PID). */
export function warehouseInUseMessage(path: string, lockError: string): string {
  const pid = /PID (\d+)/.exec(lockError)?.[1]
  return (
    `The warehouse ${path} is in use by another process${pid ? ` (PID ${pid})` : ''}. ` +
    'Close the app (or the other attribution command) or wait for its import or build to finish, then retry.'
  )
}

/** The warehouse path in DuckDB's lock error, when the error is one (dbt's output, say). */
export function lockedWarehouseOf(text: string): string | undefined {
  return /Could not set lock on file "([^"]+)"/.exec(text)?.[1]
}

function isLockConflict(error: unknown): boolean {
  return /Could not set lock|Conflicting lock/i.test(messageOf(error))
}

function translateOpenError(path: string, error: unknown): Error {
  const message = messageOf(error)
  if (isLockConflict(error)) return new UserFacingError(warehouseInUseMessage(path, message))
  if (/not a valid DuckDB database|Unsupported|serialization|version/i.test(message)) {
    return new UserFacingError(`${path} is not a DuckDB warehouse this app can read: ${message}`)
  }
  return new UserFacingError(`Cannot open the warehouse ${path}: ${message}`)
}
