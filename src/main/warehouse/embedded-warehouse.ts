import type { ConversionEvent, ReportRequest, ReportResult } from '../../shared/attribution'
import { UserFacingError } from '../errors'
import { type DbtProgress, type DbtRunResult, runDbt } from '../dbt/dbt-runner'
import { withDuckDbFile } from './duckdb-file'
import { queryRawCounts, queryReport } from './duckdb-queries'
import { type ImportOptions, type ImportedFile, importGa4Files } from './importer'

/** The embedded DuckDB warehouse: one file, opened only for as long as each piece of work needs it. */
export class EmbeddedWarehouse {
  constructor(readonly path: string) {}

  /** Imports GA4 export files, all or nothing. */
  async importFiles(files: string[], options: ImportOptions = {}): Promise<ImportedFile[]> {
    return withDuckDbFile(this.path, { readOnly: false }, (file) => importGa4Files(file, files, options))
  }

  /** Raw row counts; creates an empty warehouse when there is none. */
  async rawCounts(): Promise<{ events: number; intradayEvents: number; importedFiles: number }> {
    return withDuckDbFile(this.path, { readOnly: false }, (file) => queryRawCounts(file.connection))
  }

  /** Runs `dbt build` on this file; the file must not be open elsewhere while dbt writes it. */
  async build(options: {
    lookbackDays?: number
    conversionEvents?: readonly ConversionEvent[]
    onProgress?: (progress: DbtProgress) => void
    signal?: AbortSignal
  }): Promise<DbtRunResult> {
    const vars: { lookback_days?: number; conversion_events?: readonly ConversionEvent[] } = {}
    if (options.lookbackDays !== undefined) vars.lookback_days = options.lookbackDays
    if (options.conversionEvents !== undefined) vars.conversion_events = options.conversionEvents
    // Opening once first creates the raw tables, so dbt's sources exist even in a new warehouse.
    await this.rawCounts()
    return runDbt({
      command: 'build',
      target: 'duckdb',
      env: { ATTRIBUTION_WAREHOUSE: this.path },
      vars,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })
  }

  /** Conversions per group at any lookback, read-only. */
  async report(request: ReportRequest): Promise<ReportResult> {
    return withDuckDbFile(this.path, { readOnly: true }, (file) => queryReport(file.connection, request))
  }
}

/** Throws a person-readable error when a dbt run failed. */
export function assertDbtSucceeded(result: DbtRunResult): void {
  if (!result.success) throw new UserFacingError(`dbt build failed:\n${result.errors.join('\n')}`)
}
