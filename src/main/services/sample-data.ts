import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GENERATOR_SCALES, type GenerateOptions } from '../generator'
import { writeSampleParquet } from '../generator/parquet-sample'
import { writeSampleSpendCsv } from '../generator/spend'
import type { DuckDbFile } from '../warehouse/duckdb-file'
import type { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import { Ga4ImportTransaction } from '../warehouse/importer'
import { importSpendFiles } from '../warehouse/spend-import'

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
  /** Days of paid campaigns whose spend was written (generator/spend.ts). */
  spendRows: number
}

/** The default sample: the app's first run, a few seconds of work. */
export const DEFAULT_SAMPLE = GENERATOR_SCALES.default

/** Today's date in UTC as YYYY-MM-DD, the default last day of sample data. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10)
}

/** Generates sample events into the warehouse through the import path (see writeSampleData). */
export function generateSampleData(
  warehouse: EmbeddedWarehouse,
  options: Parameters<typeof writeSampleData>[1],
): Promise<SampleDataResult> {
  return warehouse.writeSession((file) => writeSampleData(file, options))
}

/**
 * Generates GA4-shaped events as Parquet files (writeSampleParquet) and stores them through the
 * same import path as real exports, in one transaction, so generated data meets the same checks.
 * The files are moved beside the warehouse, not copied. Each file is named by what made it (seed,
 * size, dates, file), so generating the same sample again adds nothing.
 */
export async function writeSampleData(
  file: DuckDbFile,
  options: Omit<GenerateOptions, 'onProgress'> & { onProgress?: (progress: SampleDataProgress) => void },
): Promise<SampleDataResult> {
  // Sample data that ends today stops at this moment: a live feed must not show events from later today.
  if (options.notAfterMicros === undefined && options.endDate === todayUtc()) options = { ...options, notAfterMicros: Date.now() * 1000 }
  const { onProgress, ...generate } = options
  const temp = mkdtempSync(join(tmpdir(), 'attribution-sample-'))
  try {
    const written = await writeSampleParquet(temp, generate, (doneUsers, totalUsers, events) =>
      onProgress?.({ phase: 'generating', doneUsers, totalUsers, events }),
    )
    const transaction = await Ga4ImportTransaction.begin(file)
    let hasAddedEvents = false
    try {
      for (const [index, { path }] of written.files.entries()) {
        onProgress?.({ phase: 'importing', doneUsers: options.users, totalUsers: options.users, events: written.events })
        const result = await transaction.add(path, index, written.files.length, {
          contentKey: sampleKey(generate, index, written.files.length),
          move: true,
        })
        hasAddedEvents ||= !result.wasAlreadyImported
      }
      await transaction.commit()
    } catch (error) {
      await transaction.rollback()
      throw error
    }
    // The sample's ad spend, through the spend import (the same sample again changes nothing).
    const spendPath = join(temp, 'sample-spend.csv')
    const spendRows = writeSampleSpendCsv(spendPath, generate)
    await importSpendFiles(file, [spendPath])
    return { events: written.events, users: options.users, hasAddedEvents, spendRows }
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}

/** What names a generated file in the import ledger: the options that decide its rows, and its place. */
function sampleKey(options: Omit<GenerateOptions, 'onProgress'>, index: number, count: number): string {
  const { seed, users, days, endDate, firstUser, notAfterMicros, withEventId } = options
  const made = JSON.stringify({
    sample: 1,
    seed,
    users,
    days,
    endDate,
    firstUser,
    notAfterMicros,
    withEventId,
    file: `${index + 1}/${count}`,
  })
  return createHash('sha256').update(made).digest('hex')
}
