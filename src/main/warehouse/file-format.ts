import { open, stat } from 'node:fs/promises'
import { constants, gunzipSync } from 'node:zlib'
import { UserFacingError } from '../errors'

/** The GA4 export file formats BigQuery writes. */
export type Ga4FileFormat = 'parquet' | 'ndjson' | 'json_array'

/** What the importer needs to know to read a file. */
export interface DetectedFile {
  format: Ga4FileFormat
  isGzip: boolean
  sizeBytes: number
}

const SNIFF_BYTES = 64 * 1024

/** Tells Parquet, newline-delimited JSON and the console's JSON array apart by their first bytes. */
export async function detectFileFormat(path: string): Promise<DetectedFile> {
  let sizeBytes: number
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new UserFacingError(`${path} is not a file.`)
    sizeBytes = info.size
  } catch (error) {
    if (error instanceof UserFacingError) throw error
    throw new UserFacingError(`File not found: ${path}`)
  }
  if (sizeBytes === 0) throw new UserFacingError(`${path} is empty: there are no events to import.`)

  const head = await readHead(path)
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return { format: 'parquet', isGzip: false, sizeBytes }
  const isGzip = head[0] === 0x1f && head[1] === 0x8b
  const text = isGzip ? gunzipPrefix(path, head) : head.toString('utf8')
  const first = text.trimStart()[0]
  if (first === '[') return { format: 'json_array', isGzip, sizeBytes }
  if (first === '{') return { format: 'ndjson', isGzip, sizeBytes }
  throw new UserFacingError(
    `${path} is not a GA4 export this app can read: expected Parquet, newline-delimited JSON (plain or .gz) ` +
      'or the BigQuery console JSON array.',
  )
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

function gunzipPrefix(path: string, head: Buffer): string {
  try {
    // A prefix of a gzip stream inflates up to where it was cut; `finishFlush` keeps that part.
    return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8')
  } catch {
    throw new UserFacingError(`${path} looks gzip-compressed but cannot be decompressed: the file is damaged.`)
  }
}
