import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import type { FeedEvent } from '../../shared/api'
import { feedEventFromRow } from '../warehouse/duckdb-queries'
import { MODEL_SCHEMA, RAW_SCHEMA, rawSchemaStatements } from '../warehouse/duckdb-schema'
import { ga4JsonColumns } from '../warehouse/ga4-schema'
import { eventIdOf } from '../stream/validate-event'

/** Newest raw events kept in memory for the live feed. */
const FEED_ROWS = 500
/** Lookback at which the feed names the credited channels (the app's default). */
const FEED_LOOKBACK_DAYS = 14

/** Raw counts at the last snapshot. */
interface SnapshotCounts {
  events: number
  intradayEvents: number
}

/**
 * An in-memory copy of what the dashboard reads: the marts after the last good dbt run, and the
 * newest raw events. Views query it, never the warehouse file, so a dbt run (which needs the file
 * to itself) or a failing model never blocks or blanks them: they show the last good numbers.
 */
export class ServingStore {
  private counts: SnapshotCounts = { events: 0, intradayEvents: 0 }
  private streamedSinceSnapshot = 0
  private readonly seenEventIds = new Set<string>()
  private hasMarts = false

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /** An empty store with the raw tables' shapes, so queries work before the first snapshot. */
  static async create(): Promise<ServingStore> {
    const instance = await DuckDBInstance.create(':memory:')
    const connection = await instance.connect()
    for (const statement of rawSchemaStatements()) await connection.run(statement)
    await connection.run(`create schema if not exists ${MODEL_SCHEMA}`)
    await connection.run(`create table ${RAW_SCHEMA}.stream_log (event_id varchar, delivery varchar, logged_at timestamp)`)
    await connection.run(`create table ${RAW_SCHEMA}.stream_duplicates as select * from ${RAW_SCHEMA}.events_intraday limit 0`)
    // Streamed events live here until pruned, so a snapshot taken before their delivery does not hide them.
    await connection.run(`create table ${RAW_SCHEMA}.stream_recent as select * from ${RAW_SCHEMA}.events_intraday limit 0`)
    return new ServingStore(instance, connection)
  }

  /** True once a snapshot held built marts. */
  get isBuilt(): boolean {
    return this.hasMarts
  }

  /** Raw counts: the last snapshot's plus events stored by this process since. */
  rawCounts(): { events: number; intradayEvents: number } {
    return { events: this.counts.events, intradayEvents: this.counts.intradayEvents + this.streamedSinceSnapshot }
  }

  /**
   * Copies marts and the newest raw events from the warehouse file. The caller must hold the file
   * exclusively (nothing else in this process has it open): this attaches it read-only for the copy.
   */
  async refreshFrom(path: string): Promise<void> {
    const c = this.connection
    await c.run(`attach '${path.replace(/'/g, "''")}' as wh (read_only)`)
    try {
      const tables = await c.runAndReadAll(
        `select table_name from duckdb_tables() where database_name = 'wh' and schema_name = '${MODEL_SCHEMA}'`,
      )
      const names = new Set(tables.getRows().map((row) => String(row[0])))
      await c.run('begin transaction')
      for (const mart of ['fct_attribution_credits', 'rpt_build_info']) {
        if (names.has(mart)) await c.run(`create or replace table ${MODEL_SCHEMA}.${mart} as select * from wh.${MODEL_SCHEMA}.${mart}`)
      }
      for (const table of ['events', 'events_intraday']) {
        await c.run(`delete from ${RAW_SCHEMA}.${table}`)
        await c.run(`insert into ${RAW_SCHEMA}.${table} select * from wh.${RAW_SCHEMA}.${table} order by event_timestamp desc limit ${FEED_ROWS}`)
      }
      const counts = await c.runAndReadAll(`
        select (select count(*) from wh.${RAW_SCHEMA}.events)::bigint as events,
          (select count(*) from wh.${RAW_SCHEMA}.events_intraday)::bigint as intraday_events`)
      await c.run('commit')
      const row = counts.getRowObjectsJson()[0] ?? {}
      this.counts = { events: Number(row.events), intradayEvents: Number(row.intraday_events) }
      this.streamedSinceSnapshot = 0
      this.hasMarts = names.has('fct_attribution_credits')
    } catch (error) {
      await c.run('rollback').catch(() => undefined)
      throw error
    } finally {
      await c.run('detach wh')
    }
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

  /** The newest events with their delivery flag and, for conversions, the channels each model credits. */
  async recentEvents(limit: number): Promise<FeedEvent[]> {
    const param = (key: string) => `list_filter(event_params, p -> p.key = '${key}')[1].value.string_value`
    const credited = this.hasMarts
      ? `(select max(channel) filter (where attribution_model = 'first_click') as first_click_channel,
            max(channel) filter (where attribution_model = 'last_click') as last_click_channel
          from ${MODEL_SCHEMA}.fct_attribution_credits as c
          where c.conversion_id = feed.event_key and ${FEED_LOOKBACK_DAYS} between c.min_lookback_days and c.max_lookback_days)`
      : '(select null as first_click_channel, null as last_click_channel)'
    const sql = `
      with rows as (
        select *, false as is_intraday, null as delivery_override from ${RAW_SCHEMA}.events
        union all by name
        select *, true as is_intraday, null as delivery_override from ${RAW_SCHEMA}.events_intraday
        union all by name
        select *, true as is_intraday, null as delivery_override from ${RAW_SCHEMA}.stream_recent
        union all by name
        select *, true as is_intraday, 'duplicate' as delivery_override from ${RAW_SCHEMA}.stream_duplicates
      ),
      keyed as (
        select *, coalesce(${param('event_id')}, md5(concat_ws('|', user_pseudo_id, event_timestamp, event_name, event_bundle_sequence_id))) as row_key
        from rows
        -- A streamed event is in stream_recent and, once delivered and snapshotted, in events_intraday too: show it once.
        qualify row_number() over (partition by row_key, delivery_override order by is_intraday) = 1
      ),
      feed as (
        select coalesce(${param('event_id')}, md5(concat_ws('|', user_pseudo_id, event_timestamp, event_name, event_bundle_sequence_id))) as event_key,
          ${param('event_id')} as event_id,
          event_timestamp, event_name, user_pseudo_id,
          ${param('source')} as source, ${param('medium')} as medium,
          cast(round(coalesce(ecommerce.purchase_revenue_in_usd, event_value_in_usd), 2) as decimal(18, 2))::varchar as value_usd,
          is_intraday, delivery_override
        from keyed
        order by event_timestamp desc
        limit $limit
      )
      select feed.*,
        strftime(make_timestamp(event_timestamp), '%Y-%m-%dT%H:%M:%S.%gZ') as event_at,
        coalesce(delivery_override, case when event_id in (select event_id from ${RAW_SCHEMA}.stream_log) then 'new' end) as delivery,
        credited.first_click_channel, credited.last_click_channel
      from feed, lateral ${credited} as credited
      order by event_timestamp desc, delivery nulls first, event_key`
    const reader = await this.connection.runAndReadAll(sql, { limit })
    return reader.getRowObjectsJson().map(feedEventFromRow)
  }

  /** Releases the memory. */
  close(): void {
    this.connection.closeSync()
    this.instance.closeSync()
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
