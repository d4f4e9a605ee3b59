// Estimates the bytes BigQuery would bill for a full dbt build and for an incremental refresh over
// Google's public GA4 sample, without BigQuery: each model's columns are measured in BigQuery's
// logical sizes on the team's real GA4 rows (the shared fixture, read in place), scaled to the sample.
//
//   npx tsx bench/bigquery-bytes.ts [fixture.parquet] [--new-events N]
//
// Sizes (BigQuery pricing, "Data size calculation"): STRING 2 bytes + UTF-8 length, INT64/FLOAT64 8,
// BOOL 1, DATE 8, TIMESTAMP 8, NUMERIC 16, STRUCT/ARRAY = sum of their fields, NULL 0. On-demand
// queries bill at least 10 MB per table referenced (each export shard counts as one table).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'

const FIXTURE_DEFAULT = '/work/shared/fixtures/ga4/ga4_fixture_20201219_20210119.parquet'
const SAMPLE = { events: 4_295_584, shards: 92, users: 270_154 }
const MB = 1_000_000
const MIN_PER_TABLE = 10 * MB
const LATE_WINDOW_DAYS = 3 // var late_event_window_hours 72
const MARGIN_DAYS = 2 // bigquery_recompute_margin_days()

const args = process.argv.slice(2)
const fixture = args.find((a) => a.endsWith('.parquet')) ?? FIXTURE_DEFAULT
const newEventsArg = args.indexOf('--new-events')
const newEvents = newEventsArg >= 0 ? Number(args[newEventsArg + 1]) : 1000

/** BigQuery logical bytes of one DuckDB column expression, by its BigQuery type. */
function sizeSql(column: string, type: 'string' | 'int64' | 'float64' | 'bool' | 'date' | 'timestamp' | 'numeric'): string {
  if (type === 'string')
    return `coalesce(sum(case when ${column} is not null then 2 + octet_length(encode(cast(${column} as varchar))) end), 0)`
  const width = { int64: 8, float64: 8, bool: 1, date: 8, timestamp: 8, numeric: 16 }[type]
  return `coalesce(sum(case when ${column} is not null then ${width} end), 0)`
}

type ColumnBytes = Map<string, number>

/** Logical bytes per column of a table (columns typed as BigQuery would store them). */
async function measure(db: DuckDBConnection, table: string, columns: Record<string, Parameters<typeof sizeSql>[1]>): Promise<ColumnBytes> {
  const names = Object.keys(columns)
  const sql = `select ${Object.entries(columns)
    .map(([name, type]) => `${sizeSql(`"${name}"`, type)} as "${name}"`)
    .join(', ')} from ${table}`
  const row = (await db.runAndReadAll(sql)).getRowObjectsJson()[0] as Record<string, string | number>
  return new Map(names.map((name) => [name, Number(row[name])]))
}

async function rowCount(db: DuckDBConnection, table: string): Promise<number> {
  return Number((await db.runAndReadAll(`select count(*) as n from ${table}`)).getRowObjectsJson()[0]?.n)
}

function run(command: string, argv: string[], env: Record<string, string>): void {
  const result = spawnSync(command, argv, { env: { ...process.env, ...env }, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed:\n${result.stdout}\n${result.stderr}`)
}

const work = mkdtempSync(join(tmpdir(), 'bigquery-bytes-'))
try {
  // Build the models on DuckDB from the fixture: their rows are what BigQuery would store.
  const warehouse = join(work, 'w.duckdb')
  run(process.execPath, ['bin/attribution.js', 'import', fixture, '--warehouse', warehouse], {})
  const dbtEnv = { ATTRIBUTION_WAREHOUSE: warehouse, ATTRIBUTION_DBT_TARGET: 'duckdb', DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' }
  for (const command of ['seed', 'run']) {
    run(
      '.venv/bin/dbt',
      [
        command,
        '--project-dir',
        'dbt_attribution',
        '--profiles-dir',
        'dbt_attribution',
        '--target-path',
        join(work, 'target'),
        '--exclude',
        'tag:oracle',
      ],
      dbtEnv,
    )
  }
  const instance = await DuckDBInstance.create(warehouse)
  const db = await instance.connect()
  const fixtureEvents = await rowCount(db, 'ga4.all_events')
  const scale = SAMPLE.events / fixtureEvents

  // The export columns stg_ga4__events reads; event_params is read whole (digest and lookups).
  const raw = new Map<string, number>()
  const params = (
    await db.runAndReadAll(`
    select coalesce(sum(2 + octet_length(encode(p.key))), 0)
      + coalesce(sum(case when p.value.string_value is not null then 2 + octet_length(encode(p.value.string_value)) end), 0)
      + coalesce(sum(case when p.value.int_value is not null then 8 end), 0)
      + coalesce(sum(case when p.value.float_value is not null then 8 end), 0)
      + coalesce(sum(case when p.value.double_value is not null then 8 end), 0) as bytes
    from (select unnest(event_params) as p from ga4.all_events)`)
  ).getRowObjectsJson()[0]?.bytes
  raw.set('event_params', Number(params))
  for (const [name, bytes] of await measure(
    db,
    '(select *, ecommerce.purchase_revenue_in_usd as ec_revenue, ecommerce.transaction_id as ec_transaction_id from ga4.all_events)',
    {
      event_date: 'string',
      event_timestamp: 'int64',
      event_name: 'string',
      event_bundle_sequence_id: 'int64',
      event_value_in_usd: 'float64',
      user_pseudo_id: 'string',
      ec_revenue: 'float64',
      ec_transaction_id: 'string',
    },
  ))
    raw.set(name, bytes)

  const s = 'attribution.'
  const stg = await measure(db, `${s}stg_ga4__events`, {
    event_key: 'string',
    event_id: 'string',
    event_name: 'string',
    event_timestamp_micros: 'int64',
    event_date: 'date',
    user_pseudo_id: 'string',
    user_key: 'string',
    ga_session_id: 'int64',
    source: 'string',
    medium: 'string',
    campaign: 'string',
    gclid: 'string',
    dclid: 'string',
    transaction_id: 'string',
    purchase_revenue_in_usd: 'float64',
    event_value_in_usd: 'float64',
    is_intraday: 'bool',
    load_seq: 'int64',
    loaded_at: 'timestamp',
    loaded_through_seq: 'int64',
  })
  // On BigQuery load_seq and loaded_through_seq are NULL: 0 bytes.
  stg.set('load_seq', 0)
  stg.set('loaded_through_seq', 0)
  const sessions = await measure(db, `${s}int_sessions_classified`, {
    session_key: 'string',
    user_key: 'string',
    ga_session_id: 'int64',
    session_started_at: 'timestamp',
    session_started_micros: 'int64',
    has_traffic_source: 'bool',
    source: 'string',
    medium: 'string',
    campaign: 'string',
    gclid: 'string',
    dclid: 'string',
    source_category: 'string',
    channel: 'string',
  })
  const conversions = await measure(db, `${s}int_conversions_deduplicated`, {
    conversion_id: 'string',
    conversion_event_name: 'string',
    converted_at: 'timestamp',
    converted_micros: 'int64',
    conversion_date: 'date',
    user_key: 'string',
    session_key: 'string',
    ga_session_id: 'int64',
    transaction_id: 'string',
    revenue_usd: 'numeric',
  })
  const touchpoints = await measure(db, `${s}int_touchpoints_joined_to_conversions`, {
    touchpoint_key: 'string',
    conversion_id: 'string',
    user_key: 'string',
    session_key: 'string',
    ga_session_id: 'int64',
    session_started_at: 'timestamp',
    session_started_micros: 'int64',
    lag_micros: 'int64',
    lookback_days_needed: 'int64',
    source: 'string',
    medium: 'string',
    campaign: 'string',
    channel: 'string',
  })
  const factColumns = {
    conversion_id: 'string',
    conversion_event_name: 'string',
    attribution_model: 'string',
    converted_at: 'timestamp',
    conversion_date: 'date',
    user_key: 'string',
    revenue_usd: 'numeric',
    credited_session_key: 'string',
    credited_ga_session_id: 'int64',
    credited_session_started_at: 'timestamp',
    source: 'string',
    medium: 'string',
    campaign: 'string',
    channel: 'string',
  } as const
  const credits = await measure(db, `${s}fct_attribution_credits`, {
    ...factColumns,
    min_lookback_days: 'int64',
    max_lookback_days: 'int64',
  })
  const usersChanged = await measure(db, `${s}int_users_changed`, { user_key: 'string' })
  const counts = {
    stg: await rowCount(db, `${s}stg_ga4__events`),
    users: Number((await db.runAndReadAll(`select count(distinct user_key) as n from ${s}stg_ga4__events`)).getRowObjectsJson()[0]?.n),
  }
  db.closeSync()
  instance.closeSync()

  const all = (table: ColumnBytes) => [...table.values()].reduce((a, b) => a + b, 0) * scale
  const cols = (table: ColumnBytes, names: string[]) =>
    names.reduce((sum, name) => {
      const bytes = table.get(name)
      if (bytes === undefined) throw new Error(`unknown column ${name}`)
      return sum + bytes
    }, 0) * scale
  const days = (n: number) => Math.min(n, SAMPLE.shards) / SAMPLE.shards // share of a table in n daily partitions
  const usersShare = newEvents / (SAMPLE.events / SAMPLE.users) / SAMPLE.users // users touched by N new events, ~1 per 16 events

  type Read = { table: string; bytes: number; tables?: number }
  type Step = { model: string; what: string; reads: Read[] }
  const billed = (step: Step) => step.reads.reduce((sum, r) => sum + Math.max(r.bytes, MIN_PER_TABLE * (r.tables ?? 1)), 0)
  const scanned = (step: Step) => step.reads.reduce((sum, r) => sum + r.bytes, 0)

  const rawAll = [...raw.values()].reduce((a, b) => a + b, 0) * scale
  const stgUsers = ['user_key', 'event_name', 'transaction_id']
  const sessionEventColumns = [
    'user_key',
    'ga_session_id',
    'event_key',
    'event_timestamp_micros',
    'source',
    'medium',
    'campaign',
    'gclid',
    'dclid',
  ]
  const conversionEventColumns = [
    'event_key',
    'event_name',
    'event_timestamp_micros',
    'event_date',
    'user_key',
    'ga_session_id',
    'transaction_id',
    'purchase_revenue_in_usd',
    'event_value_in_usd',
  ]
  const convForFacts = ['conversion_id', 'conversion_event_name', 'converted_at', 'conversion_date', 'user_key', 'revenue_usd']
  const tpForCredits = [
    'conversion_id',
    'session_key',
    'ga_session_id',
    'session_started_at',
    'session_started_micros',
    'lookback_days_needed',
    'source',
    'medium',
    'campaign',
    'channel',
    'user_key',
  ]

  const full: Step[] = [
    {
      model: 'stg_ga4__events',
      what: 'export, all shards (intraday: none in the sample)',
      reads: [{ table: 'events_*', bytes: rawAll, tables: SAMPLE.shards }],
    },
    { model: 'int_users_changed', what: 'stg: user, event, transaction', reads: [{ table: 'stg', bytes: cols(stg, stgUsers) }] },
    {
      model: 'int_sessions_classified',
      what: 'stg session columns + seed',
      reads: [
        { table: 'stg', bytes: cols(stg, sessionEventColumns) },
        { table: 'seed', bytes: 0 },
      ],
    },
    {
      model: 'int_conversions_deduplicated',
      what: 'stg conversion columns',
      reads: [{ table: 'stg', bytes: cols(stg, conversionEventColumns) }],
    },
    {
      model: 'int_touchpoints_joined_to_conversions',
      what: 'conversions + sessions',
      reads: [
        { table: 'conv', bytes: cols(conversions, ['conversion_id', 'user_key', 'converted_micros']) },
        {
          table: 'sessions',
          bytes: cols(sessions, [
            'session_key',
            'user_key',
            'ga_session_id',
            'session_started_at',
            'session_started_micros',
            'source',
            'medium',
            'campaign',
            'channel',
          ]),
        },
      ],
    },
    {
      model: 'fct_attribution_credits',
      what: 'conversions + touchpoints',
      reads: [
        { table: 'conv', bytes: cols(conversions, convForFacts) },
        { table: 'tp', bytes: cols(touchpoints, tpForCredits) },
      ],
    },
    {
      model: 'rpt_data_quality',
      what: 'day-table rows from __TABLES__ metadata, stg, credits',
      reads: [
        { table: '__TABLES__', bytes: 0 },
        { table: 'stg', bytes: cols(stg, stgUsers) },
        {
          table: 'credits',
          bytes: cols(credits, [
            'credited_session_key',
            'attribution_model',
            'conversion_event_name',
            'min_lookback_days',
            'max_lookback_days',
          ]),
        },
      ],
    },
    { model: 'rpt_build_info', what: 'no table', reads: [] },
  ]

  // Refresh: N new events in the newest shard; the window re-reads 3 days + 1 shard of export,
  // stg is compared and merged from staging_stored_from (6 days before the newest partition).
  const shardsRead = LATE_WINDOW_DAYS + 2
  const recent = MARGIN_DAYS + 1 // partitions from recompute_from_date to the newest
  const newShare = newEvents / SAMPLE.events
  const meta: Read = { table: 'INFORMATION_SCHEMA / rpt_build_info', bytes: 0, tables: 2 }
  const refresh: Step[] = [
    {
      model: 'stg_ga4__events',
      what: `load plan (metadata, newest 2 partitions), window ${shardsRead} shards, stored from 7 partitions, merge into 7 partitions`,
      reads: [
        { table: 'INFORMATION_SCHEMA', bytes: 0 },
        { table: 'stg newest', bytes: cols(stg, ['event_timestamp_micros', 'event_date']) * days(2) },
        { table: 'events_*', bytes: rawAll * days(shardsRead), tables: shardsRead },
        { table: 'stg stored', bytes: cols(stg, ['event_key', 'is_intraday', 'event_timestamp_micros', 'event_date']) * days(7) },
        // MERGE with an UPDATE clause: + all columns of the partitions it may update (upper bound).
        { table: 'stg merge target', bytes: all(stg) * days(7) },
      ],
    },
    {
      model: 'int_users_changed',
      what: 'new rows from the newest partition, holders from 3 partitions',
      reads: [
        meta,
        {
          table: 'stg',
          bytes: cols(stg, [...stgUsers, 'loaded_at', 'event_date']) * days(1) + cols(stg, [...stgUsers, 'event_date']) * days(recent),
        },
      ],
    },
    {
      model: 'int_sessions_classified',
      what: `delete in ${recent} partitions, read stg ${recent + 1} partitions, insert`,
      reads: [
        meta,
        {
          table: 'sessions (delete)',
          bytes: cols(sessions, ['user_key', 'session_started_at']) * days(recent) + all(sessions) * days(recent),
        },
        { table: 'stg', bytes: cols(stg, [...sessionEventColumns, 'event_date']) * days(recent + 1) },
        { table: 'int_users_changed', bytes: 0 },
        { table: 'seed', bytes: 0 },
      ],
    },
    {
      model: 'int_conversions_deduplicated',
      what: `delete in ${recent} partitions, read stg ${recent} partitions + earlier transactions`,
      reads: [
        meta,
        {
          table: 'conv (delete + earlier winners)',
          bytes:
            cols(conversions, ['user_key', 'conversion_date']) * days(recent) +
            all(conversions) * days(recent) +
            cols(conversions, ['conversion_date', 'conversion_event_name', 'transaction_id']),
        },
        { table: 'stg', bytes: cols(stg, conversionEventColumns) * days(recent) },
        { table: 'int_users_changed', bytes: 0 },
      ],
    },
    {
      model: 'int_touchpoints_joined_to_conversions',
      what: "delete/read changed users' pairs of conversions from T (sessions up to 91 days earlier)",
      reads: [
        meta,
        {
          table: 'tp (delete)',
          bytes:
            cols(touchpoints, ['user_key', 'session_started_at', 'session_started_micros', 'lag_micros']) * days(recent + 92) +
            all(touchpoints) * usersShare,
        },
        {
          table: 'conv',
          bytes: cols(conversions, ['conversion_id', 'user_key', 'converted_micros', 'conversion_date']) * days(recent + 1),
        },
        {
          table: 'sessions',
          bytes:
            cols(sessions, [
              'session_key',
              'user_key',
              'ga_session_id',
              'session_started_at',
              'session_started_micros',
              'source',
              'medium',
              'campaign',
              'channel',
            ]) * days(recent + 92),
        },
        { table: 'int_users_changed', bytes: 0 },
      ],
    },
    {
      model: 'fct_attribution_credits',
      what: `delete/read from ${recent + 1} conversion partitions`,
      reads: [
        meta,
        {
          table: 'credits (delete)',
          bytes: cols(credits, ['user_key', 'conversion_date', 'converted_at']) * days(recent + 1) + all(credits) * days(recent + 1),
        },
        { table: 'conv', bytes: cols(conversions, convForFacts) * days(recent + 1) },
        { table: 'tp', bytes: cols(touchpoints, [...tpForCredits, 'lag_micros']) * days(recent + 92) },
        { table: 'int_users_changed', bytes: 0 },
      ],
    },
    { model: 'rpt_data_quality', what: 'table, rebuilt', reads: full.find((step) => step.model === 'rpt_data_quality')?.reads ?? [] },
    { model: 'rpt_build_info', what: 'no table', reads: [] },
  ]

  const fmt = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / MB).toFixed(1)} MB`)
  const print = (title: string, steps: Step[]) => {
    console.log(`\n### ${title}\n`)
    console.log('| model | reads | scanned | billed (10 MB/table minimum) |')
    console.log('|---|---|---:|---:|')
    for (const step of steps) console.log(`| ${step.model} | ${step.what} | ${fmt(scanned(step))} | ${fmt(billed(step))} |`)
    const total = steps.reduce((sum, step) => sum + scanned(step), 0)
    const totalBilled = steps.reduce((sum, step) => sum + billed(step), 0)
    console.log(`| **total** | | **${fmt(total)}** | **${fmt(totalBilled)}** |`)
  }
  console.log(
    `Fixture: ${fixtureEvents.toLocaleString('en-US')} events, ${counts.stg.toLocaleString('en-US')} unique, ${counts.users.toLocaleString('en-US')} users; scale x${scale.toFixed(2)} to ${SAMPLE.events.toLocaleString('en-US')} events / ${SAMPLE.shards} shards.`,
  )
  console.log(`Export columns read by staging, whole sample: ${fmt(rawAll)} (event_params ${fmt(raw.get('event_params')! * scale)}).`)
  console.log(
    `Stored sizes at sample scale: stg ${fmt(all(stg))}, sessions ${fmt(all(sessions))}, conversions ${fmt(all(conversions))}, touchpoints ${fmt(all(touchpoints))}, credits ${fmt(all(credits))}; int_users_changed after a full build ${fmt(all(usersChanged))}.`,
  )
  print('Full build (fresh dataset)', full)
  print(
    `Refresh: ${newEvents.toLocaleString('en-US')} new events in the newest shard (~${Math.round(usersShare * SAMPLE.users)} users)`,
    refresh,
  )
  console.log(
    `\nNew events: ${(newShare * 100).toFixed(3)}% of the sample. Machine: ${process.platform} ${process.arch}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
  )
} finally {
  rmSync(work, { recursive: true, force: true })
}
