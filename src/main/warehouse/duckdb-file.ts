import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { UserFacingError, messageOf } from '../errors'
import { ensurePrivateDir, makePrivateFile } from '../private-files'
import { rawSchemaStatements } from './duckdb-schema'

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
 * Opens the warehouse file; read-write opens create it and its raw tables when missing. The file
 * and its write-ahead log are 0600 and a folder created for them 0700, whatever the umask (DuckDB
 * creates them with the umask's bits, so they are chmodded after each read-write open and close).
 */
export async function openDuckDbFile(path: string, options: { readOnly: boolean }): Promise<DuckDbFile> {
  if (options.readOnly && !existsSync(path)) {
    throw new UserFacingError(`No warehouse at ${path}. Run \`attribution generate\` or \`attribution import FILE\` first.`)
  }
  if (!options.readOnly) ensurePrivateDir(dirname(path))
  let instance: DuckDBInstance
  try {
    instance = await DuckDBInstance.create(path, { access_mode: options.readOnly ? 'READ_ONLY' : 'READ_WRITE' })
  } catch (error) {
    throw translateOpenError(path, error)
  }
  const connection = await instance.connect()
  if (!options.readOnly) {
    makeWarehousePrivate(path)
    for (const statement of rawSchemaStatements()) await connection.run(statement)
    makeWarehousePrivate(path)
  }
  return {
    path,
    readOnly: options.readOnly,
    connection,
    connect: () => instance.connect(),
    close() {
      connection.closeSync()
      instance.closeSync()
      if (!options.readOnly) makeWarehousePrivate(path)
    },
  }
}

/** Runs work on the file and always closes it, so no lock outlives the work. */
export async function withDuckDbFile<T>(path: string, options: { readOnly: boolean }, work: (file: DuckDbFile) => Promise<T>): Promise<T> {
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

function translateOpenError(path: string, error: unknown): Error {
  const message = messageOf(error)
  if (/Could not set lock|Conflicting lock/i.test(message)) {
    const pid = /PID (\d+)/.exec(message)?.[1]
    return new UserFacingError(
      `The warehouse ${path} is in use by another process${pid ? ` (PID ${pid})` : ''}. ` +
        'Close the app (or the other attribution command) or wait for its import or build to finish, then retry.',
    )
  }
  if (/not a valid DuckDB database|Unsupported|serialization|version/i.test(message)) {
    return new UserFacingError(`${path} is not a DuckDB warehouse this app can read: ${message}`)
  }
  return new UserFacingError(`Cannot open the warehouse ${path}: ${message}`)
}
