import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GENERATOR_SCALES, type GenerateOptions, generateEvents } from '../generator'
import type { DuckDbFile } from '../warehouse/duckdb-file'
import { Ga4ImportTransaction } from '../warehouse/importer'

/** Where sample generation stands, for a progress bar. */
export interface SampleDataProgress {
  phase: 'generating' | 'importing'
  doneUsers: number
  totalUsers: number
  events: number
}

/** What was written. */
export interface SampleDataResult {
  events: number
  users: number
  /** False when the same seed, size and dates were generated into this warehouse before. */
  hasAddedEvents: boolean
}

/** Users per NDJSON chunk (~175 MB): bounds temporary disk use, and lets chunk k import while k+1 is generated. */
const USERS_PER_CHUNK = 5_000
const LINES_PER_WRITE = 2_000

/** The default sample: the app's first run, a few seconds of work. */
export const DEFAULT_SAMPLE = GENERATOR_SCALES.default

/** Today's date in UTC as YYYY-MM-DD, the default last day of sample data. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10)
}

/**
 * Generates GA4-shaped events and stores them through the same import path as real exports
 * (NDJSON chunks, one transaction), so generated data meets the same checks and idempotency.
 */
export async function writeSampleData(
  file: DuckDbFile,
  options: Omit<GenerateOptions, 'onProgress'> & { onProgress?: (progress: SampleDataProgress) => void },
): Promise<SampleDataResult> {
  // Sample data that ends today stops at this moment: a live feed must not show events from later today.
  if (options.notAfterMicros === undefined && options.endDate === todayUtc()) options = { ...options, notAfterMicros: Date.now() * 1000 }
  const temp = mkdtempSync(join(tmpdir(), 'attribution-sample-'))
  const transaction = await Ga4ImportTransaction.begin(file)
  let events = 0
  let hasAddedEvents = false
  let importing: Promise<void> = Promise.resolve()
  try {
    const chunkCount = Math.ceil(options.users / USERS_PER_CHUNK)
    for (let chunk = 0; chunk < chunkCount; chunk++) {
      const firstUser = chunk * USERS_PER_CHUNK
      const users = Math.min(USERS_PER_CHUNK, options.users - firstUser)
      const path = join(temp, `sample-${chunk}.ndjson`)
      // Generation yields to the event loop between writes, so the previous chunk's import runs in DuckDB's threads meanwhile.
      events += await writeChunk(path, { ...options, firstUser, users }, (done) =>
        options.onProgress?.({ phase: 'generating', doneUsers: firstUser + done, totalUsers: options.users, events }),
      )
      await importing
      options.onProgress?.({ phase: 'importing', doneUsers: firstUser + users, totalUsers: options.users, events })
      importing = transaction.add(path, chunk, chunkCount).then((result) => {
        hasAddedEvents ||= !result.wasAlreadyImported
        rmSync(path)
      })
      importing.catch(() => undefined)
    }
    await importing
    await transaction.commit()
  } catch (error) {
    await importing.catch(() => undefined)
    await transaction.rollback()
    throw error
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
  return { events, users: options.users, hasAddedEvents }
}

async function writeChunk(
  path: string,
  options: Omit<GenerateOptions, 'onProgress'> & { firstUser: number },
  onUsers: (doneUsers: number) => void,
): Promise<number> {
  const fd = openSync(path, 'w')
  let lines: string[] = []
  let count = 0
  try {
    for (const event of generateEvents({ ...options, onProgress: (done) => onUsers(done) })) {
      lines.push(JSON.stringify(event))
      count += 1
      if (lines.length === LINES_PER_WRITE) {
        writeSync(fd, `${lines.join('\n')}\n`)
        lines = []
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`)
  } finally {
    closeSync(fd)
  }
  return count
}
