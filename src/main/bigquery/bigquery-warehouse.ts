import type { BigQuery, Query } from '@google-cloud/bigquery'
import type { ConversionEventInfo } from '@shared/attribution'
import type { FeedEvent, StreamInfo, WarehouseStatus } from '@shared/api'
import type { BigQuerySettings } from '@shared/settings-api'
import { formatCents, parseCents } from '@shared/money'
import { UserFacingError } from '../errors'
import { splitGa4Dataset } from '../settings/app-settings'
import { MartReader } from '../warehouse/mart-reader'
import type { Dialect, MartQuery } from '../warehouse/mart-sql'
import type { AttributionWarehouse, WarehouseModelRow } from '../warehouse/warehouse'
import {
  type BigQueryCredentials,
  type BigQueryTransport,
  type ErrorContext,
  createBigQueryClient,
  errorReasons,
  formatBytes,
  toUserFacing,
} from './bigquery-client'
import {
  type BigQueryStatement,
  type DatasetRef,
  bigQueryDialect,
  bigQueryStatement,
  buildInfoStatement,
  conversionRangeStatement,
  newestEventStatement,
  recentEventsStatement,
  shardsStatement,
} from './bigquery-sql'
import type { BigQuerySpendTarget } from './spend-load'

/** A row of a query result as the Node client gives it: INT64 and FLOAT64 as number (it refuses unsafe integers), STRING as string. */
export type ResultRow = Record<string, unknown>

/** How a BigQuery warehouse is set up. */
export interface BigQueryWarehouseOptions {
  settings: BigQuerySettings
  credentials: BigQueryCredentials
  /** Tests only: a loopback server instead of Google. */
  transport?: BigQueryTransport
  /** How long a result is reused for the same query and parameters (default one minute). */
  cacheTtlMs?: number
  /** A dry run above this many bytes is reported through `onCostlyQuery` before the query runs. */
  costlyQueryBytes?: number
  /** Told the estimate of a costly query before it runs, for the app to show. */
  onCostlyQuery?: (estimate: QueryEstimate) => void
  maxRetries?: number
  now?: () => number
}

/** What a dry run says a query would cost. */
export interface QueryEstimate {
  bytesProcessed: number
  /** What BigQuery would bill at most (the limit from Settings). */
  maximumBytesBilled: number
  /** For people: "1.2 GB". */
  text: string
}

const MAX_CACHE_ENTRIES = 200

/** The dashboard over BigQuery: reads the marts dbt built and the export's `events_*` shards. */
export class BigQueryWarehouse extends MartReader implements AttributionWarehouse {
  readonly kind = 'bigquery' as const
  private readonly client: BigQuery
  private readonly marts: DatasetRef
  protected readonly dialect: Dialect
  private readonly ga4: DatasetRef
  private readonly cache = new Map<string, { expiresAt: number; rows: ResultRow[] }>()
  private readonly now: () => number

  constructor(private readonly options: BigQueryWarehouseOptions) {
    super()
    const { settings } = options
    this.marts = { project: settings.projectId, dataset: settings.martsDataset }
    this.dialect = bigQueryDialect(this.marts)
    this.ga4 = splitGa4Dataset(settings)
    this.client = createBigQueryClient(settings, options.credentials, { transport: options.transport, maxRetries: options.maxRetries })
    this.now = options.now ?? Date.now
  }

  /** The client, for the streaming writer and the connection test to share. */
  bigQuery(): BigQuery {
    return this.client
  }

  /** Where a spend import writes: `ad_spend` of the marts dataset, which the cost mart reads. */
  spendTarget(): BigQuerySpendTarget {
    return { client: this.client, marts: this.marts, location: this.options.settings.location, errorContext: this.errorContext() }
  }

  /** Forgets cached results, e.g. after a dbt build or a stream batch. */
  invalidateCache(): void {
    this.cache.clear()
  }

  override async conversionEvents(): Promise<ConversionEventInfo[]> {
    return (await this.tableExists('stg_ga4__events')) ? super.conversionEvents() : []
  }

  override async attributionModels(): Promise<WarehouseModelRow[]> {
    return (await this.tableExists('rpt_attribution_models')) ? super.attributionModels() : []
  }

  override async streams(): Promise<StreamInfo[]> {
    return (await this.tableExists('stg_ga4__events')) ? super.streams() : []
  }

  async recentEvents(limit: number): Promise<FeedEvent[]> {
    const shards = await this.shards()
    if (shards.suffixes.length === 0) return []
    const rows = await this.run(recentEventsStatement(this.ga4, shards.suffixes, limit))
    return rows.map((row) => ({
      event_key: String(row.event_key),
      event_at: String(row.event_at),
      event_name: String(row.event_name),
      user_pseudo_id: row.user_pseudo_id == null ? null : String(row.user_pseudo_id),
      source: row.source == null ? null : String(row.source),
      medium: row.medium == null ? null : String(row.medium),
      value_usd: normalizeAmount(row.value_usd),
      is_intraday: row.is_intraday === true,
      // As in the embedded warehouse, the feed query leaves these to the streamer and the refresh.
      delivery: null,
      first_click_channel: null,
      last_click_channel: null,
    }))
  }

  async status(): Promise<WarehouseStatus> {
    const shards = await this.shards()
    const newest = shards.suffixes.length > 0 ? await this.run(newestEventStatement(this.ga4, shards.suffixes)) : []
    const [hasCredits, hasBuildInfo] = await Promise.all([this.tableExists('fct_attribution_credits'), this.tableExists('rpt_build_info')])
    let firstConversionDate: string | null = null
    let lastConversionDate: string | null = null
    let modelsBuiltAt: string | null = null
    if (hasCredits) {
      const range = (await this.run(conversionRangeStatement(this.marts)))[0] ?? {}
      firstConversionDate = textOrNull(range.first_date)
      lastConversionDate = textOrNull(range.last_date)
    }
    if (hasBuildInfo) modelsBuiltAt = textOrNull((await this.run(buildInfoStatement(this.marts)))[0]?.built)
    return {
      kind: this.kind,
      location: `${this.marts.project}.${this.marts.dataset} (GA4 export: ${this.ga4.project}.${this.ga4.dataset}, ${this.options.settings.location})`,
      events: shards.events,
      intradayEvents: shards.intradayEvents,
      hasModels: hasCredits,
      newestEventAt: textOrNull(newest[0]?.newest),
      modelsBuiltAt,
      firstConversionDate,
      lastConversionDate,
    }
  }

  /** What a statement would process, from a free dry run. */
  async estimate(statement: BigQueryStatement): Promise<QueryEstimate> {
    try {
      const [job] = await this.client.createQueryJob({ ...this.queryOptions(statement), dryRun: true })
      const bytesProcessed = Number(job.metadata?.statistics?.totalBytesProcessed ?? 0)
      const maximumBytesBilled = this.options.settings.maximumBytesBilled
      return { bytesProcessed, maximumBytesBilled, text: formatBytes(bytesProcessed) }
    } catch (error) {
      throw toUserFacing(error, this.errorContext())
    }
  }

  /** Runs a shared mart query (mart-sql.ts) and maps its rows. */
  protected async runMart<T>(query: MartQuery<T>): Promise<T> {
    return query.read(await this.run(bigQueryStatement(query)))
  }

  /** Runs a statement with the bytes-billed guard, reusing a fresh enough result of the same query and parameters. */
  async run(statement: BigQueryStatement): Promise<ResultRow[]> {
    const key = JSON.stringify([statement.sql, statement.params])
    const cached = this.cache.get(key)
    if (cached && cached.expiresAt > this.now()) return cached.rows
    if (this.options.onCostlyQuery) {
      const estimate = await this.estimate(statement)
      if (estimate.bytesProcessed >= (this.options.costlyQueryBytes ?? 1e9)) this.options.onCostlyQuery(estimate)
    }
    let rows: ResultRow[]
    try {
      ;[rows] = (await this.client.query(this.queryOptions(statement))) as [ResultRow[], ...unknown[]]
    } catch (error) {
      throw toUserFacing(error, this.errorContext())
    }
    if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string)
    this.cache.set(key, { expiresAt: this.now() + (this.options.cacheTtlMs ?? 60_000), rows })
    return rows
  }

  private queryOptions(statement: BigQueryStatement): Query {
    const options: Query = {
      query: statement.sql,
      location: this.options.settings.location,
      useLegacySql: false,
      // BigQuery fails a query that would bill more, instead of running it: the cost guard.
      maximumBytesBilled: String(this.options.settings.maximumBytesBilled),
    }
    if (Object.keys(statement.params).length > 0) {
      options.params = statement.params
      options.types = statement.types
    }
    return options
  }

  private async shards(): Promise<{ suffixes: string[]; events: number; intradayEvents: number }> {
    let row: ResultRow
    try {
      row = (await this.run(shardsStatement(this.ga4)))[0] ?? {}
    } catch (error) {
      // No events_* tables yet is an empty export, not an error; a missing dataset is.
      if (error instanceof UserFacingError && /No GA4 export tables found/.test(error.message))
        return { suffixes: [], events: 0, intradayEvents: 0 }
      throw error
    }
    const suffixes = [row.newest_day_suffix, row.newest_intraday_suffix].filter((value): value is string => typeof value === 'string')
    return { suffixes, events: Number(row.events ?? 0), intradayEvents: Number(row.intraday_events ?? 0) }
  }

  private async tableExists(table: string): Promise<boolean> {
    try {
      const [exists] = await this.client.dataset(this.marts.dataset, { projectId: this.marts.project }).table(table).exists()
      return exists
    } catch (error) {
      if (errorReasons(error).status === 404) return false
      throw toUserFacing(error, this.errorContext())
    }
  }

  private errorContext(): ErrorContext {
    return {
      projectId: this.marts.project,
      datasets: [`${this.marts.project}.${this.marts.dataset}`, `${this.ga4.project}.${this.ga4.dataset}`],
      maximumBytesBilled: this.options.settings.maximumBytesBilled,
    }
  }
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value)
}

/**
 * A decimal as the app's two-decimal text: BigQuery casts NUMERIC to text without trailing zeros
 * ("12.5", "13562"); more than cents would be a bug in the marts, so it throws.
 */
export function normalizeAmount(value: unknown): string | null {
  if (value === null || value === undefined) return null
  const match = /^(-?\d+)(?:\.(\d*?)0*)?$/.exec(String(value).trim())
  if (!match?.[1]) throw new Error(`Not a decimal amount: ${JSON.stringify(value)}`)
  const fraction = match[2] ?? ''
  if (fraction.length > 2) throw new Error(`Amount with more than cents: ${JSON.stringify(value)}`)
  return formatCents(parseCents(fraction ? `${match[1]}.${fraction}` : match[1]))
}
