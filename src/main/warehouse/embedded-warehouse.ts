import type { ConversionEvent, ConversionEventInfo } from '@shared/attribution'
import type { FeedEvent, StitchingQuality, WarehouseStatus } from '@shared/api'
import type { DuckDBConnection } from '@duckdb/node-api'
import { type DbtProgress, type DbtRunResult, type DbtRunner, type DbtVars, runDbt } from '../dbt/dbt-runner'
import { UserFacingError } from '../errors'
import { loadModelSettings } from '../settings/model-settings'
import { DUCKDB_DIALECT, hasTables, modelTableNamesSql, queryFreshness, queryRawCounts, queryRecentEvents, runMart } from './duckdb-queries'
import { DuckDbMartReader } from './duckdb-mart-reader'
import { conversionEventsQuery, eventNameCountsSql } from './mart-sql'
import { MODEL_SCHEMA, RAW_SCHEMA } from './duckdb-schema'
import { type DuckDbFile, makeWarehousePrivate } from './duckdb-file'
import { DuckDbSession, type DuckDbSessionObserver } from './duckdb-session'
import { type ImportOptions, type ImportedFile, importGa4Files } from './importer'
import type { ReferralCandidate, ReferralSettings, UnwantedReferral } from '@shared/referrals'
import { queryReferralCandidates, readReferralSettings, writeReferralSettings } from '../referrals/referral-store'
import { type ImportedSpendFile, type SpendImportOptions, importSpendFiles, querySpendTotals } from './spend-import'
import type { AttributionWarehouse, WarehouseModelRow } from './warehouse'

/** Options of a dbt build. */
export interface BuildOptions {
  conversionEvents?: readonly ConversionEvent[]
  /** var user_id_stitching for this run only; the warehouse's model settings (settings/model-settings.ts) when absent. */
  userIdStitching?: boolean
  /** One-off unwanted referrals and self-referral switch for this run; the warehouse's stored ones when absent. */
  unwantedReferrals?: readonly UnwantedReferral[]
  detectsSelfReferrals?: boolean
  onProgress?: (progress: DbtProgress) => void
  signal?: AbortSignal
  /** The dbt command and selection; a full `build` of everything but dbt's unit tests when absent. */
  command?: 'build' | 'run' | 'test'
  /** Runs dbt's unit tests too in a `build` (CI does; see DbtRunOptions.withoutUnitTests). */
  withUnitTests?: boolean
  /** Builds the test oracle too (CI does; see DbtRunOptions.withTestOracle). */
  withTestOracle?: boolean
  select?: string
  fullRefresh?: boolean
  /** Runs after a successful dbt run while the file is still free of this process's connections. */
  afterSuccess?: () => Promise<unknown>
  /** Who runs dbt: a new process per run by default, or the refresh loop's long-lived worker. */
  runner?: DbtRunner
}

/** The embedded DuckDB warehouse: one file, shared by readers and handed over for each write. */
export class EmbeddedWarehouse extends DuckDbMartReader implements AttributionWarehouse {
  readonly kind = 'embedded' as const
  private readonly session: DuckDbSession

  constructor(readonly path: string) {
    super()
    this.session = new DuckDbSession(path)
  }

  /** Imports GA4 export files, all or nothing. */
  async importFiles(files: string[], options: ImportOptions = {}): Promise<ImportedFile[]> {
    return this.session.write((file) => importGa4Files(file, files, options))
  }

  /** Imports ad spend files (spend-import.ts), all or nothing. */
  async importSpend(files: string[], options: SpendImportOptions = {}): Promise<ImportedSpendFile[]> {
    return this.session.write((file) => importSpendFiles(file, files, options))
  }

  /** The spend stored: rows and total cost in USD. */
  async spendTotals(): Promise<{ rows: number; costUsd: string }> {
    if (!this.session.exists()) await this.session.write(async () => undefined)
    return this.session.read(querySpendTotals)
  }

  /**
   * Runs work on the file opened read-write once: a run of many writes (the CLI's stream), or a
   * writer from a layer above storage (sample data, the outbox's delivery), which the warehouse
   * does not import.
   */
  writeSession<T>(work: (file: DuckDbFile) => Promise<T>): Promise<T> {
    return this.session.write(work)
  }

  /** Raw row counts; creates an empty warehouse when there is none. */
  async rawCounts(): Promise<{ events: number; intradayEvents: number; importedFiles: number }> {
    if (!this.session.exists()) await this.session.write(async () => undefined)
    return this.session.read(queryRawCounts)
  }

  /** Runs `dbt build` on this file while nothing else in this process has it open. */
  async build(options: BuildOptions = {}): Promise<DbtRunResult> {
    const vars: DbtVars = {}
    if (options.conversionEvents !== undefined) vars.conversion_events = options.conversionEvents
    const settings = options.userIdStitching === undefined ? await loadModelSettings(this.path) : undefined
    if (settings !== undefined && !settings.ok) throw new UserFacingError(settings.error)
    vars.user_id_stitching = options.userIdStitching ?? settings?.value.userIdStitching
    if (options.unwantedReferrals !== undefined) {
      vars.unwanted_referrals = options.unwantedReferrals.map((rule) => ({ match_type: rule.matchType, pattern: rule.pattern }))
    }
    if (options.detectsSelfReferrals !== undefined) vars.detect_self_referrals = options.detectsSelfReferrals
    // Opening read-write once creates the raw tables, so dbt's sources exist even in a new warehouse.
    await this.session.write(async () => undefined)
    return this.session.exclusive(async () => {
      // dbt's DuckDB creates the write-ahead log with the umask's mode; whatever the run's end, owner-only again.
      const result = await (options.runner ?? runDbt)({
        command: options.command ?? 'build',
        target: 'duckdb',
        env: { ATTRIBUTION_WAREHOUSE: this.path },
        vars,
        select: options.select,
        fullRefresh: options.fullRefresh,
        withoutUnitTests: options.withUnitTests !== true,
        withTestOracle: options.withTestOracle,
        targetPath: this.dbtTargetPath,
        onProgress: options.onProgress,
        signal: options.signal,
      }).finally(() => makeWarehousePrivate(this.path))
      if (result.success) await options.afterSuccess?.()
      return result
    })
  }

  /** The unwanted referrals and self-referral switch this warehouse keeps (the app and the CLI share them). */
  referralSettings(): Promise<ReferralSettings> {
    return this.session.read(readReferralSettings)
  }

  /** Validates (a regex by the warehouse's engine) and stores them; the next dbt run applies them. */
  saveReferralSettings(settings: unknown): Promise<ReferralSettings> {
    return this.session.write((file) => writeReferralSettings(file.connection, settings))
  }

  /** What the last build did with user ids (rpt_data_quality's stitching columns); null before a build. */
  async stitchingQuality(): Promise<StitchingQuality | null> {
    if (!this.session.exists()) return null
    return this.session.read(async (connection) => {
      const tables = new Set((await connection.runAndReadAll(modelTableNamesSql())).getRows().map((row) => String(row[0])))
      if (!tables.has('rpt_data_quality')) return null
      const reader = await connection.runAndReadAll(
        `select is_user_id_stitching_on, stitched_devices, stitched_users from ${MODEL_SCHEMA}.rpt_data_quality limit 1`,
      )
      const [row] = reader.getRowObjectsJson()
      if (!row) return null
      return {
        isUserIdStitchingOn: row.is_user_id_stitching_on === true,
        stitchedDevices: Number(row.stitched_devices),
        stitchedUsers: Number(row.stitched_users),
      }
    })
  }

  /** Referral sources the last build found on the property's own domains or on payment and identity hosts. */
  referralCandidates(): Promise<ReferralCandidate[]> {
    return this.session.read(queryReferralCandidates)
  }

  /** The dbt target folder of this warehouse: one per file keeps dbt's parse cache valid. */
  get dbtTargetPath(): string {
    return `${this.path}.dbt`
  }

  /** Runs work while this process holds no connection to the file (to attach it elsewhere, say). */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    await this.session.write(async () => undefined)
    return this.session.exclusive(work)
  }

  /** Like exclusive, but without opening the file first: for a quick look that must not wait on, or create, anything. */
  handOver<T>(work: () => Promise<T>): Promise<T> {
    return this.session.exclusive(work)
  }

  /** Tells `observer` about every write and hand-over of this process (the app's outside-change watch). */
  observe(observer: DuckDbSessionObserver | undefined): void {
    this.session.observer = observer
  }

  /** True while this process reads, writes or hands over the file, or waits to. */
  get isBusy(): boolean {
    return this.session.isBusy
  }

  protected withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.session.read(work)
  }

  override async attributionModels(): Promise<WarehouseModelRow[]> {
    if (!this.session.exists()) return []
    return super.attributionModels()
  }

  recentEvents(limit: number): Promise<FeedEvent[]> {
    return this.session.read((connection) => queryRecentEvents(connection, limit))
  }

  /** The staged event names (the raw ones before the first build), with their counts and whether each is modelled. */
  override async conversionEvents(): Promise<ConversionEventInfo[]> {
    if (!this.session.exists()) return []
    return this.session.read(async (connection) => {
      const tables = new Set((await connection.runAndReadAll(modelTableNamesSql())).getRows().map((row) => String(row[0])))
      const counts = tables.has('stg_ga4__events')
        ? `${MODEL_SCHEMA}.stg_ga4__events`
        : `(select event_name from ${RAW_SCHEMA}.all_events union all select event_name from ${RAW_SCHEMA}.all_events_intraday)`
      const modelled = tables.has('int_conversion_events_modelled') ? `${MODEL_SCHEMA}.int_conversion_events_modelled` : null
      return runMart(connection, conversionEventsQuery(DUCKDB_DIALECT, `(${eventNameCountsSql(counts)})`, modelled))
    })
  }

  /**
   * The events int_conversion_events_modelled lists, or null before the first build made it. A small
   * table: the CLI's `report` checks its events here and scans staging only to explain a refusal.
   */
  async modelledEventNames(): Promise<string[] | null> {
    if (!this.session.exists()) return null
    return this.session.read(async (connection) => {
      const table = 'int_conversion_events_modelled'
      if (!(await hasTables(connection, MODEL_SCHEMA, [table])).has(table)) return null
      const rows = await connection.runAndReadAll(`select distinct conversion_event_name from ${MODEL_SCHEMA}.${table}`)
      return rows.getRows().map((row) => String(row[0]))
    })
  }

  /** Runs `work`, whose reads share one opening of the file (see DuckDbSession.hold). */
  holdReader<T>(work: () => Promise<T>): Promise<T> {
    return this.session.hold(work)
  }

  /**
   * Adds events to the modelled set (int_conversion_events_modelled) without a dbt var, so the next
   * run, with the usual vars and parse, models them for every user. Needs a built warehouse.
   */
  async addModelledEvents(events: readonly ConversionEvent[]): Promise<void> {
    // UTC, as dbt's run_started_at: after the marts' last build, so the next run adds them for every user.
    const at = new Date().toISOString().replace('T', ' ').replace('Z', '')
    await this.session.write(async (file) => {
      for (const name of events) {
        await file.connection.run(
          `insert into ${MODEL_SCHEMA}.int_conversion_events_modelled
          select $name, cast($at as timestamp)
          where $name not in (select conversion_event_name from ${MODEL_SCHEMA}.int_conversion_events_modelled)`,
          { name, at },
        )
      }
    })
  }

  async status(): Promise<WarehouseStatus> {
    const counts = await this.rawCounts()
    const freshness = await this.session.read(queryFreshness)
    return { kind: this.kind, location: this.path, events: counts.events, intradayEvents: counts.intradayEvents, ...freshness }
  }

  /** Releases the file. */
  close(): Promise<void> {
    return this.session.close()
  }
}

/** What to do after a failed build: the raw events are not touched by one. */
export const AFTER_FAILED_BUILD =
  'The events stay stored. Fix the cause, then build again (`attribution build`); ' +
  '`attribution build --full-refresh` rebuilds every model from the raw events.'

/** Throws a person-readable error when a dbt run failed. */
export function assertDbtSucceeded(result: DbtRunResult): void {
  const [only] = result.errors
  if (
    !result.success &&
    result.errors.length === 1 &&
    only?.startsWith('The warehouse ') &&
    only.includes(' is in use by another process')
  ) {
    throw new UserFacingError(only)
  }
  if (!result.success) throw new UserFacingError(`dbt build failed:\n${result.errors.join('\n')}\n${AFTER_FAILED_BUILD}`)
}
