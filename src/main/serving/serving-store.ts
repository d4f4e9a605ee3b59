import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import type { FeedEvent } from '@shared/api'
import {
  type WarehouseStamp,
  feedCreditsSql,
  transitionsWithCutOrderSql,
  feedEventFromRow,
  modelTableNamesSql,
  queryWarehouseStamp,
  stagedFeedSql,
} from '../warehouse/duckdb-queries'
import { eventNameCountsSql, streamCountsSql } from '../warehouse/mart-sql'
import { sqlString } from '../warehouse/sql-literal'
import { MODEL_SCHEMA, RAW_SCHEMA, rawSchemaStatements } from '../warehouse/duckdb-schema'
import { copyReferralSettings } from '../referrals/referral-store'
import { ga4JsonColumns } from '../warehouse/ga4-schema'
import { refreshAllEventsViews } from '../warehouse/raw-files'
import { eventIdOf } from '../warehouse/event-id'
import { CREDITS, copyCreditRowsOf, copyCredits } from './served-credits'

/** The serving copy's table of event names and their counts (the conversion-event picker's list). */
export const EVENT_NAME_COUNTS = 'event_name_counts'

/** The serving copy's table of streams, their platform and event counts (the stream picker's list). */
export const STREAM_COUNTS = 'stream_counts'

/** The serving copy's credit rows of the conversions among feed_events (the live feed's channels). */
const FEED_CREDIT_ROWS = 'feed_credit_rows'

/** Connections the views' reads share (the dashboard asks for up to four views' data at once). */
const READERS = 4

/** The copy's own catalog: a DuckDB file in the copy's folder, so what does not fit the memory limit stays on disk (DECISIONLOG 82). */
const SERVING_CATALOG = 'serving'
/** The copy's files in its folder, one per store: `serving-<pid>-<n>.duckdb`, a cache made anew at every start. */
const SERVING_FILE = /^serving-(\d+)-\d+\.duckdb(\.wal)?$/
let storesMade = 0
/** A refresh's folder of staging's summaries (refreshFrom), `refresh-<pid>-<random>`: removed when it ends, or at the next start after a crash. */
const REFRESH_FOLDER = /^refresh-(\d+)-\w+$/

/** True while process `pid` runs. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * What the copy's DuckDB may hold in memory before it spills to its folder: ATTRIBUTION_SERVING_MEMORY_LIMIT
 * (DuckDB units: "1GB", "2GiB"), else 512MB. It bounds the app's memory at any warehouse size; the
 * compressed copy of a ga4-scale warehouse holds about 20 MB of it.
 */
export function servingMemoryLimit(): string {
  return process.env.ATTRIBUTION_SERVING_MEMORY_LIMIT || '512MB'
}

/** The copy's folder (its file and what its queries spill): `<warehouse>.serving`. */
export function servingDirectory(warehousePath: string): string {
  return `${warehousePath}.serving`
}

/** Newest events kept in memory for the live feed. */
const FEED_ROWS = 500
/** A streamed event's id, from its raw params; dbt's event_key for it is this same id. */
const STREAM_EVENT_ID = `list_filter(event_params, p -> p.key = 'event_id')[1].value.string_value`

/** What refreshFrom reads of staging first, each a small Parquet file in a folder of the refresh's own. */
const STAGED_FILES = ['event_name_counts', 'stream_counts', 'feed_events', 'newest'] as const
type StagedFiles = Record<(typeof STAGED_FILES)[number], string>

/**
 * What the short-lived DuckDB that reads staging for a refresh may hold. Its queries keep little
 * (counts of names and streams, the 500 newest events), so the limit only makes it let go of the
 * blocks of staging it has read: at 4.3M events they were 120 MiB of the app's memory, at 100M up to
 * the copy's whole limit.
 */
const STAGED_READ_MEMORY_LIMIT = '64MB'

/** Raw counts at the last snapshot. */
interface SnapshotCounts {
  events: number
  intradayEvents: number
}

/** The marts the views read, each as the select that copies what the views need from the file (`wh`), and the other tables it reads. */
const SERVED_MARTS: ReadonlyArray<[string, string, string[]?]> = [
  // The credits are copied by copyCredits.
  // Summed over users: converting steps whatever the user, non-converting ones over users whose
  // modelled events' last conversions come in the same order (cutOrdersSql), since those pick the
  // same journey for any choice of events.
  [
    'agg_channel_transitions',
    `select journey_date, conversion_event_name, cut_event_name, cut_order, stream_id, min_lookback_days, max_lookback_days,
      from_state, to_state,
      sum(transitions)::bigint as transitions
    from ${transitionsWithCutOrderSql(`wh.${MODEL_SCHEMA}.agg_channel_transitions`, `wh.${MODEL_SCHEMA}.agg_user_last_conversions`)}
    group by all`,
    // A warehouse built before per-event journeys lacks it: its old transitions are not copied until the next build.
    ['agg_user_last_conversions'],
  ],
  // Spend and credit per model, lookback range, day and campaign (the Cost & return view).
  // dbt's sums are HUGEINT on DuckDB, which a file stores uncompressed and scans 5-10x slower than
  // BIGINT (cost & return 40 -> 165 ms); every sum fits a BIGINT (9.2e18 millionths or cents).
  [
    'agg_cost_and_return',
    `select * replace (cast(credit_micros as bigint) as credit_micros, cast(revenue_cents as bigint) as revenue_cents)
    from wh.${MODEL_SCHEMA}.agg_cost_and_return`,
  ],
  ['int_conversion_events_modelled', `select * from wh.${MODEL_SCHEMA}.int_conversion_events_modelled`],
  ['rpt_build_info', `select * from wh.${MODEL_SCHEMA}.rpt_build_info`],
  // The models the build defined (dbt's attribution_models()), which the app lists.
  ['rpt_attribution_models', `select * from wh.${MODEL_SCHEMA}.rpt_attribution_models`],
]

/**
 * The first step of a refresh: what the views read of staging (4.3M-100M rows), the event and
 * stream counts, the newest events and the newest timestamp, written as small Parquet files to
 * `folder` by a DuckDB of its own with a small memory limit, closed before the marts are copied
 * (DECISIONLOG 85). The copy's DuckDB never holds staging's blocks, and a view running meanwhile keeps
 * the copy's whole limit. Before a first build (no staging) only the newest timestamp is read, from
 * the raw tables and the kept Parquet files. Returns the files and the names of the file's model tables.
 */
async function readStagedSummaries(path: string, folder: string): Promise<{ files: StagedFiles; names: Set<string> }> {
  const files = Object.fromEntries(STAGED_FILES.map((name) => [name, join(folder, `${name}.parquet`)])) as StagedFiles
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: STAGED_READ_MEMORY_LIMIT,
    temp_directory: join(folder, 'spill'),
  })
  try {
    const c = await instance.connect()
    await c.run(`attach ${sqlString(path)} as wh (read_only)`)
    // The file's model tables, which the copy reads too: the caller holds the file, so they stay the same.
    const tables = await c.runAndReadAll(modelTableNamesSql('wh'))
    const names = new Set(tables.getRows().map((row) => String(row[0])))
    const hasStaging = names.has('stg_ga4__events')
    const staging = `wh.${MODEL_SCHEMA}.stg_ga4__events`
    const write = (file: keyof StagedFiles, select: string, values?: Record<string, number>) =>
      c.run(`copy (${select}) to ${sqlString(files[file])} (format parquet)`, values)
    if (hasStaging) {
      await write('event_name_counts', eventNameCountsSql(staging))
      await write('stream_counts', streamCountsSql(staging))
      await write('feed_events', stagedFeedSql(staging), { limit: FEED_ROWS })
    }
    // The newest event: staged ones and raw rows in the file's tables (streamed deliveries). The
    // kept Parquet files are read only before a first build: scanning them all (100M events) held
    // ~600 MiB of the app's memory for a figure staging already has.
    const rawSources = hasStaging
      ? `select max(event_timestamp_micros) as ts from ${staging}
        union all select max(event_timestamp) from wh.${RAW_SCHEMA}.events
        union all select max(event_timestamp) from wh.${RAW_SCHEMA}.events_intraday`
      : `select max(event_timestamp) as ts from wh.${RAW_SCHEMA}.all_events
        union all select max(event_timestamp) from wh.${RAW_SCHEMA}.all_events_intraday`
    await write('newest', `select max(ts)::bigint as ts from (${rawSources})`)
    c.closeSync()
    return { files, names }
  } finally {
    instance.closeSync()
  }
}

/**
 * An in-memory copy of what the dashboard reads: the marts after the last good dbt run, and the
 * newest raw events. Views query it, never the warehouse file, so a dbt run (which needs the file
 * to itself) or a failing model never blocks or blanks them: they show the last good numbers.
 */
export class ServingStore {
  /** How long the last `refreshFrom` took, in ms (the streamed -> views benchmark's stage breakdown). */
  lastRefreshMs: number | null = null
  private counts: SnapshotCounts = { events: 0, intradayEvents: 0 }
  private streamedSinceSnapshot = 0
  private readonly seenEventIds = new Set<string>()
  private hasMarts = false
  private readonly snapshotListeners = new Set<(stamp: WarehouseStamp) => void>()

  private nextReader = 0
  /** Views' reads running now, and when the last one ended (Date.now(); 0 before any). */
  private readsRunning = 0
  private lastReadEndedAt = 0

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly readers: readonly DuckDBConnection[],
    /** What close removes: the store's own folder, or its file in the folder it was given. */
    private readonly removedAtClose: string,
    /** The copy's folder: its file, what its queries spill, and each refresh's files of staging. */
    private readonly directory: string,
  ) {}

  /**
   * A connection for the views' reads, in turn. The views' queries run side by side on these (one
   * connection runs one query at a time), and each sees the last committed snapshot, never a
   * refresh half done on `connection`.
   */
  reader(): DuckDBConnection {
    const reader = this.readers[this.nextReader % this.readers.length] ?? this.connection
    this.nextReader += 1
    return reader
  }

  /** Runs one view's read on a reader connection (see reader()), counted for whenViewsAnswered. */
  async read<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    this.readsRunning += 1
    try {
      return await work(this.reader())
    } finally {
      this.readsRunning -= 1
      this.lastReadEndedAt = Date.now()
    }
  }

  /**
   * Resolves once the views have been answered: at least one read has ended, none has run for
   * `quietMs`, and none runs now; or `atMostMs` after the call, whatever the views do. Work that can
   * wait (dbt's worker parsing the project, seconds of one core) waits on it, so the dashboard's first
   * views have both cores.
   */
  async whenViewsAnswered(quietMs: number, atMostMs: number): Promise<void> {
    const deadline = Date.now() + atMostMs
    for (;;) {
      const now = Date.now()
      if (now >= deadline) return
      const quietFor = now - this.lastReadEndedAt
      if (this.lastReadEndedAt > 0 && this.readsRunning === 0 && quietFor >= quietMs) return
      const wait = this.lastReadEndedAt > 0 && this.readsRunning === 0 ? quietMs - quietFor : Math.min(quietMs, 100)
      // unref: a wait never keeps a closing process alive.
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(wait, deadline - now)).unref())
    }
  }

  /**
   * An empty store with the raw tables' shapes, so queries work before the first snapshot. Its
   * tables live in a DuckDB file in `directory` (a folder of its own in the system's temporary
   * folder when none is given, removed at close), made anew here; its DuckDB holds at most
   * `memoryLimit` in memory and spills its queries' excess to the same folder.
   */
  static async create(options: { directory?: string; memoryLimit?: string } = {}): Promise<ServingStore> {
    const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'serving-'))
    mkdirSync(directory, { recursive: true })
    // Copies left by a process that ended (a crash) are stale; a store of a running app keeps its own.
    for (const name of readdirSync(directory)) {
      const pid = (SERVING_FILE.exec(name) ?? REFRESH_FOLDER.exec(name))?.[1]
      if (pid && !isRunning(Number(pid))) rmSync(join(directory, name), { recursive: true, force: true })
    }
    storesMade += 1
    const file = join(directory, `serving-${process.pid}-${storesMade}.duckdb`)
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: options.memoryLimit ?? servingMemoryLimit(),
      temp_directory: join(directory, 'spill'),
      // Every read orders its rows itself; copying without keeping the file's row order needs less memory.
      preserve_insertion_order: 'false',
    })
    const connection = await instance.connect()
    // A file, not DuckDB's in-memory catalog: that one keeps tables uncompressed (806 MB of credit
    // splits where a file holds 129 MB) and cannot let them out of memory at any size.
    await connection.run(`attach ${sqlString(file)} as ${SERVING_CATALOG}`)
    await connection.run(`use ${SERVING_CATALOG}`)
    for (const statement of rawSchemaStatements()) await connection.run(statement)
    // No Parquet files here: the views read the (empty) tables, so shared queries run unchanged.
    await refreshAllEventsViews(connection, ':memory:')
    await connection.run(`create schema if not exists ${MODEL_SCHEMA}`)
    // Empty until the first snapshot of a built warehouse, so the event list answers before it.
    await connection.run(`create table ${MODEL_SCHEMA}.${EVENT_NAME_COUNTS} (event_name varchar, events bigint)`)
    await connection.run(`create table ${MODEL_SCHEMA}.${STREAM_COUNTS} (stream_id varchar, platform varchar, events bigint)`)
    await connection.run(
      `create table ${MODEL_SCHEMA}.int_conversion_events_modelled (conversion_event_name varchar, modelled_since timestamp)`,
    )
    // The newest events the models have read (stg_ga4__events), keyed as dbt keys them.
    await connection.run(`create table ${MODEL_SCHEMA}.feed_events (event_key varchar, event_id varchar, event_timestamp_micros bigint,
      event_name varchar, user_pseudo_id varchar, source varchar, medium varchar, value_usd varchar, is_intraday boolean)`)
    await connection.run(`create table ${RAW_SCHEMA}.snapshot_newest (ts bigint)`)
    await connection.run(`create table ${RAW_SCHEMA}.stream_log (event_id varchar, delivery varchar, logged_at timestamp)`)
    await connection.run(`create table ${RAW_SCHEMA}.stream_duplicates as select * from ${RAW_SCHEMA}.events_intraday limit 0`)
    // Streamed events live here until pruned, so a snapshot taken before their delivery does not hide them.
    await connection.run(`create table ${RAW_SCHEMA}.stream_recent as select * from ${RAW_SCHEMA}.events_intraday limit 0`)
    const readers = await Promise.all(Array.from({ length: READERS }, () => instance.connect()))
    for (const reader of readers) await reader.run(`use ${SERVING_CATALOG}`)
    return new ServingStore(instance, connection, readers, options.directory === undefined ? directory : file, directory)
  }

  /**
   * Compresses what the copy holds now (a checkpoint of its file). A refresh needs no call: it
   * rewrites more than DuckDB's WAL threshold, so its commit checkpoints; tests and benchmarks call
   * this to measure the compressed copy.
   */
  async compact(): Promise<void> {
    await this.connection.run(`checkpoint ${SERVING_CATALOG}`)
  }

  /** True once a snapshot held built marts. */
  get isBuilt(): boolean {
    return this.hasMarts
  }

  /** Raw counts: the last snapshot's plus events stored by this process since. */
  rawCounts(): { events: number; intradayEvents: number } {
    return { events: this.counts.events, intradayEvents: this.counts.intradayEvents + this.streamedSinceSnapshot }
  }

  /** Calls `listener` with the file's stamp after every snapshot; returns the function that stops it. */
  onSnapshot(listener: (stamp: WarehouseStamp) => void): () => void {
    this.snapshotListeners.add(listener)
    return () => this.snapshotListeners.delete(listener)
  }

  /** What the file holds now, without copying anything; the caller holds the file as for refreshFrom. */
  async readStamp(path: string): Promise<WarehouseStamp> {
    await this.connection.run(`attach ${sqlString(path)} as wh (read_only)`)
    try {
      return await queryWarehouseStamp(this.connection, 'wh')
    } finally {
      await this.connection.run('detach wh')
    }
  }

  /**
   * Copies marts and the newest staged events from the warehouse file. The caller must hold the file
   * exclusively (nothing else in this process has it open): this attaches it read-only for the copy.
   *
   * Two steps (DECISIONLOG 85): readStagedSummaries first writes what the views read of staging to
   * small files, in a DuckDB of its own; then one transaction copies the marts and those files, so
   * the views see the whole snapshot at once or none of it. The file cannot change in between: the
   * caller holds it.
   */
  async refreshFrom(path: string): Promise<WarehouseStamp> {
    const startedAt = performance.now()
    const c = this.connection
    // In the copy's own folder (owner-only beside the warehouse): the files hold events' user ids.
    const folder = mkdtempSync(join(this.directory, `refresh-${process.pid}-`))
    let stamp: WarehouseStamp
    try {
      const { files: staged, names } = await readStagedSummaries(path, folder)
      const read = (file: keyof StagedFiles) => `read_parquet(${sqlString(staged[file])})`
      await c.run(`attach ${sqlString(path)} as wh (read_only)`)
      try {
        await c.run('begin transaction')
        await copyCredits(c, names)
        for (const [mart, select, needs = []] of SERVED_MARTS) {
          if (names.has(mart) && needs.every((name) => names.has(name)))
            await c.run(`create or replace table ${MODEL_SCHEMA}.${mart} as ${select}`)
        }
        if (names.has('stg_ga4__events')) {
          await c.run(`create or replace table ${MODEL_SCHEMA}.${EVENT_NAME_COUNTS} as select * from ${read('event_name_counts')}`)
          await c.run(`create or replace table ${MODEL_SCHEMA}.${STREAM_COUNTS} as select * from ${read('stream_counts')}`)
          await c.run('delete from ' + MODEL_SCHEMA + '.feed_events')
          await c.run(`insert into ${MODEL_SCHEMA}.feed_events select * from ${read('feed_events')}`)
          // Streamed events the models have now read show from feed_events, under the same key.
          await c.run(`delete from ${RAW_SCHEMA}.stream_recent
            where ${STREAM_EVENT_ID} in (select event_id from wh.${MODEL_SCHEMA}.stg_ga4__events where event_id is not null)`)
        }
        // The feed's conversions' credit rows, so the live feed never scans every credit row.
        await copyCreditRowsOf(c, names, `${MODEL_SCHEMA}.${FEED_CREDIT_ROWS}`, `select event_key from ${MODEL_SCHEMA}.feed_events`)
        // What the shown numbers were modelled with, for every view's context line.
        await copyReferralSettings(c, 'wh')
        stamp = await queryWarehouseStamp(c, 'wh')
        await c.run(`create or replace table ${RAW_SCHEMA}.snapshot_newest as select ts from ${read('newest')}`)
        await c.run('commit')
        this.counts = { events: stamp.events, intradayEvents: stamp.intradayEvents }
        this.streamedSinceSnapshot = 0
        this.hasMarts = names.has(CREDITS)
      } catch (error) {
        await c.run('rollback').catch(() => undefined)
        throw error
      } finally {
        await c.run('detach wh')
      }
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
    this.lastRefreshMs = performance.now() - startedAt
    for (const listener of this.snapshotListeners) listener(stamp)
    return stamp
  }

  /** The newest raw event, ISO 8601 UTC: the last snapshot's, or a streamed one shown since; null when there is none. */
  async newestEventAt(): Promise<string | null> {
    const reader = await this.connection.runAndReadAll(`
      select strftime(make_timestamp(max(ts)), '%Y-%m-%dT%H:%M:%SZ') as newest
      from (select ts from ${RAW_SCHEMA}.snapshot_newest union all select max(event_timestamp) from ${RAW_SCHEMA}.stream_recent)`)
    return (reader.getRowObjectsJson()[0]?.newest as string | null) ?? null
  }

  /**
   * Shows streamed events in the feed at once, before the warehouse has them: each is `new`, or
   * `duplicate` when its event id was streamed before in this session (a retry or a replay).
   */
  async addStreamed(events: unknown[]): Promise<{ added: number; duplicates: number }> {
    const fresh: unknown[] = []
    const repeats: unknown[] = []
    const log: Array<[string, 'new' | 'duplicate']> = []
    for (const event of events) {
      const id = eventIdOf(event)
      if (!id) continue
      if (this.seenEventIds.has(id)) {
        repeats.push(event)
        log.push([id, 'duplicate'])
      } else {
        this.seenEventIds.add(id)
        fresh.push(event)
        log.push([id, 'new'])
      }
    }
    await this.insertJson(`${RAW_SCHEMA}.stream_recent`, fresh)
    await this.insertJson(`${RAW_SCHEMA}.stream_duplicates`, repeats)
    for (const table of ['stream_recent', 'stream_duplicates']) {
      await this.connection.run(`delete from ${RAW_SCHEMA}.${table} where event_timestamp < (
        select min(event_timestamp) from (select event_timestamp from ${RAW_SCHEMA}.${table} order by event_timestamp desc limit ${FEED_ROWS}))`)
    }
    if (log.length > 0) {
      const values = log.map(([id, delivery]) => `('${id.replace(/'/g, "''")}', '${delivery}', now()::timestamp)`).join(', ')
      await this.connection.run(`insert into ${RAW_SCHEMA}.stream_log values ${values}`)
    }
    this.streamedSinceSnapshot += fresh.length
    return { added: fresh.length, duplicates: repeats.length }
  }

  /**
   * The newest events with their delivery flag and, for conversions, the channels each model
   * credits: events the models have read come from feed_events under dbt's event_key; streamed
   * events not read yet come from memory under their event_id, which is dbt's key for them too.
   */
  async recentEvents(limit: number): Promise<FeedEvent[]> {
    const credited = this.hasMarts
      ? feedCreditsSql(`${MODEL_SCHEMA}.${FEED_CREDIT_ROWS}`)
      : '(select null as first_click_channel, null as last_click_channel)'
    const streamedColumns = `${STREAM_EVENT_ID} as event_key, ${STREAM_EVENT_ID} as event_id, event_timestamp as event_timestamp_micros,
          event_name, user_pseudo_id,
          list_filter(event_params, p -> p.key = 'source')[1].value.string_value as source,
          list_filter(event_params, p -> p.key = 'medium')[1].value.string_value as medium,
          cast(round(coalesce(ecommerce.purchase_revenue_in_usd, event_value_in_usd), 2) as decimal(18, 2))::varchar as value_usd,
          true as is_intraday`
    const sql = `
      with rows as (
        select *, null as delivery_override from ${MODEL_SCHEMA}.feed_events
        union all by name
        select ${streamedColumns}, null as delivery_override from ${RAW_SCHEMA}.stream_recent
        union all by name
        select ${streamedColumns}, 'duplicate' as delivery_override from ${RAW_SCHEMA}.stream_duplicates
      ),
      feed as (
        select * from rows
        -- A streamed event read by the models since it was shown: keep one row per key and flag.
        qualify row_number() over (partition by event_key, delivery_override order by event_timestamp_micros) = 1
        order by event_timestamp_micros desc
        limit $limit
      )
      select feed.*,
        strftime(make_timestamp(event_timestamp_micros), '%Y-%m-%dT%H:%M:%S.%gZ') as event_at,
        coalesce(delivery_override, case when event_id in (select event_id from ${RAW_SCHEMA}.stream_log) then 'new' end) as delivery,
        credited.first_click_channel, credited.last_click_channel
      from feed, lateral ${credited} as credited
      order by event_timestamp_micros desc, delivery_override nulls first, event_key`
    const reader = await this.connection.runAndReadAll(sql, { limit })
    return reader.getRowObjectsJson().map(feedEventFromRow)
  }

  /** Releases the memory and removes the copy's file (and the folder, when the store made it). */
  close(): void {
    for (const reader of this.readers) reader.closeSync()
    this.connection.closeSync()
    this.instance.closeSync()
    for (const path of [this.removedAtClose, `${this.removedAtClose}.wal`]) rmSync(path, { recursive: true, force: true })
  }

  private async insertJson(table: string, events: unknown[]): Promise<void> {
    if (events.length === 0) return
    const dir = mkdtempSync(join(tmpdir(), 'serving-'))
    const path = join(dir, 'events.ndjson')
    try {
      writeFileSync(path, events.map((event) => JSON.stringify(event)).join('\n'))
      await this.connection.run(
        `insert into ${table} by name select * from read_json($path, format = 'newline_delimited', columns = ${ga4JsonColumns()})`,
        { path },
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
