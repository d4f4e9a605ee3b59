import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dbtExecutable, dbtProjectDir } from '../paths'
import { makeTempDir } from '../testing/fixtures'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { generateSampleData } from '../services/sample-data'

const MARTS = ['fct_attribution_credits', 'agg_channel_transitions', 'agg_cost_and_return', 'rpt_data_quality', 'rpt_build_info']
/** The test oracle (dbt tag oracle): compiled and documented like the marts, built only when asked. */
const ORACLE = ['fct_attributed_conversions', 'agg_attribution_daily']
const BIGQUERY_ENV = {
  ATTRIBUTION_DBT_TARGET: 'bigquery',
  ATTRIBUTION_BQ_PROJECT: 'example-project',
  ATTRIBUTION_GA4_PROJECT: 'example-project',
  ATTRIBUTION_GA4_DATASET: 'analytics_123456',
}

/** Runs dbt with an argument array; returns exit code and output for the assertion message. */
function dbt(args: string[], env: Record<string, string>): { status: number | null; output: string } {
  const project = dbtProjectDir()
  const run = spawnSync(dbtExecutable(), [...args, '--project-dir', project, '--profiles-dir', project], {
    env: { ...process.env, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', ...env },
    encoding: 'utf8',
  })
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` }
}

function compiledFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.sql')) out.set(entry.name.replace(/\.sql$/, ''), readFileSync(path, 'utf8'))
    }
  }
  walk(dir)
  return out
}

/** A throwaway service-account key in the environment form the app uses; dbt builds a client from it and never sends a request offline. */
function offlineKey(): Record<string, string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    ATTRIBUTION_BQ_METHOD: 'service-account-json',
    ATTRIBUTION_BQ_KEY_PROJECT_ID: 'example-project',
    ATTRIBUTION_BQ_KEY_CLIENT_EMAIL: 'offline@example-project.iam.gserviceaccount.com',
    DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY_ID: 'offline',
    DBT_ENV_SECRET_ATTRIBUTION_BQ_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  }
}

type Manifest = { nodes: Record<string, { name: string; resource_type: string; config: Record<string, unknown> }> }

/** BigQuery tables partitioned by date and clustered as docs/bigquery-costs.md says; per-user models insert only (their pre-hook deletes). */
function assertBigQueryTableLayout(manifest: Manifest): void {
  const config = (name: string) =>
    Object.values(manifest.nodes).find((node) => node.resource_type === 'model' && node.name === name)?.config ?? {}
  const day = (field: string, dataType: string) => ({ field, data_type: dataType, granularity: 'day' })
  const expected: Record<string, { partition: object; cluster: string[] }> = {
    stg_ga4__events: { partition: day('event_date', 'date'), cluster: ['user_key', 'event_name'] },
    int_sessions_classified: { partition: day('session_started_at', 'timestamp'), cluster: ['user_key'] },
    int_conversions_deduplicated: { partition: day('conversion_date', 'date'), cluster: ['user_key'] },
    int_touchpoints_joined_to_conversions: { partition: day('session_started_at', 'timestamp'), cluster: ['user_key'] },
    fct_attributed_conversions: { partition: day('conversion_date', 'date'), cluster: ['user_key'] },
    fct_attribution_credit_splits: { partition: day('conversion_date', 'date'), cluster: ['conversion_event_name', 'channel', 'user_key'] },
    agg_attribution_daily: { partition: day('conversion_date', 'date'), cluster: ['attribution_model', 'channel'] },
    agg_channel_transitions: { partition: day('journey_date', 'date'), cluster: ['conversion_event_name'] },
    agg_cost_and_return: { partition: day('report_date', 'date'), cluster: ['attribution_model', 'channel'] },
  }
  for (const [model, layout] of Object.entries(expected)) {
    expect(config(model).partition_by, `${model} partition_by`).toEqual(layout.partition)
    expect(config(model).cluster_by, `${model} cluster_by`).toEqual(layout.cluster)
  }
  for (const model of [
    'int_sessions_classified',
    'int_conversions_deduplicated',
    'int_touchpoints_joined_to_conversions',
    'fct_attribution_credit_splits',
  ]) {
    expect(config(model).unique_key ?? null, `${model} inserts only`).toBeNull()
    expect(JSON.stringify(config(model)['pre-hook'] ?? []), `${model} pre-hook`).toContain('delete_recent_rows_of_changed_users')
  }
  const staging = config('stg_ga4__events')
  expect(staging.incremental_predicates).toEqual(['DBT_INTERNAL_DEST.event_date >= staging_stored_from'])
  expect(String(staging.sql_header)).toMatch(/declare staging_stored_from date default \(/)
  expect(String(staging.sql_header)).toContain('`example-project`.`attribution`.INFORMATION_SCHEMA.PARTITIONS')
  expect(String(staging.sql_header)).toContain("table_name = 'stg_ga4__events'")
}

type CatalogFile = { nodes: Record<string, { columns: Record<string, { name: string }> }> }
type DocumentedManifest = {
  nodes: Record<string, { name: string; resource_type: string; description: string; columns: Record<string, { description: string }> }>
}

/**
 * Each model column a built table has (dbt's catalog) without a description in the model's YAML,
 * each description of a column the table lacks, and each model without a description, as
 * "model.column: what is wrong".
 */
function undocumentedColumns(manifest: DocumentedManifest, catalog: CatalogFile): string[] {
  const problems: string[] = []
  for (const [id, node] of Object.entries(manifest.nodes)) {
    if (node.resource_type !== 'model') continue
    if (!node.description.trim()) problems.push(`${node.name}: no model description`)
    const built = catalog.nodes[id]
    if (!built) {
      problems.push(`${node.name}: not built, so its columns cannot be checked`)
      continue
    }
    const described = new Map(Object.entries(node.columns).map(([name, column]) => [name.toLowerCase(), column.description.trim()]))
    const actual = new Set(Object.values(built.columns).map((column) => column.name.toLowerCase()))
    for (const column of actual) if (!described.get(column)) problems.push(`${node.name}.${column}: no description`)
    for (const column of described.keys()) if (!actual.has(column)) problems.push(`${node.name}.${column}: described but not in the model`)
  }
  return problems.sort()
}

describe('the dbt project', () => {
  const temp = makeTempDir('dbt-project')
  afterAll(temp.cleanup)

  it('parses for DuckDB and for BigQuery without credentials', () => {
    const duckdb = dbt(['parse', '--target-path', join(temp.dir, 'parse-duckdb')], {
      ATTRIBUTION_WAREHOUSE: join(temp.dir, 'never-opened.duckdb'),
    })
    expect(duckdb.status, duckdb.output).toBe(0)
    const bigquery = dbt(['parse', '--target-path', join(temp.dir, 'parse-bigquery')], BIGQUERY_ENV)
    expect(bigquery.status, bigquery.output).toBe(0)
  })

  it('compiles every model to BigQuery SQL offline, reading the sharded export tables', () => {
    // dbt builds a BigQuery client before compiling; a throwaway key (from the environment, as the app gives it) lets it, and no request is ever sent.
    const key = offlineKey()
    const target = join(temp.dir, 'compile-bigquery')
    const run = dbt(['--no-populate-cache', 'compile', '--no-introspect', '--target-path', target], { ...BIGQUERY_ENV, ...key })
    expect(run.status, run.output).toBe(0)
    const compiled = compiledFiles(join(target, 'compiled'))
    for (const model of [
      'stg_ga4__events',
      'int_sessions_classified',
      'int_conversions_deduplicated',
      'int_touchpoints_joined_to_conversions',
      ...MARTS,
      ...ORACLE,
    ]) {
      expect(compiled.has(model), `${model} compiled`).toBe(true)
    }
    const staging = compiled.get('stg_ga4__events') ?? ''
    expect(staging).toContain('`example-project`.`analytics_123456`.`events_*`')
    expect(staging).toContain('`example-project`.`analytics_123456`.`events_intraday_*`')
    expect(staging).toMatch(/_table_suffix/i)
    expect(staging).toMatch(/from unnest\(/i)
    expect(staging).not.toMatch(/list_filter|regexp_matches|::/)
    // Rows no build could use are set aside with BigQuery's own NaN and infinity tests.
    expect(staging).toMatch(/is_inf\(ecommerce\.purchase_revenue_in_usd\) or is_nan\(ecommerce\.purchase_revenue_in_usd\)/)
    expect(staging).not.toMatch(/isfinite/)
    expect(compiled.get('int_sessions_classified') ?? '').toMatch(/regexp_contains/i)
    // Offline the intraday guard keeps the wildcard, so the SQL stays checkable; rpt_data_quality counts day rows from metadata.
    const quality = compiled.get('rpt_data_quality') ?? ''
    expect(quality).toContain('`example-project`.`analytics_123456`.`events_intraday_*`')
    expect(quality).toContain('`example-project`.`analytics_123456`.__TABLES__')
    expect(quality).not.toContain('`events_*`')
    // The export's newer traffic-source fields are read where the newest shard has them (offline: assumed).
    expect(staging).toContain('collected_traffic_source.manual_source as collected_source')
    expect(staging).toContain('session_traffic_source_last_click.google_ads_campaign.campaign_name as google_ads_campaign_name')
    assertBigQueryTableLayout(JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8')) as Manifest)
  })

  it('compiles the BigQuery refresh macros to partition-pruning SQL (fixed inputs, offline)', () => {
    // A copy of the project with one analysis calling the macros, so nothing is added to the real project.
    const project = join(temp.dir, 'refresh-macros-project')
    cpSync(dbtProjectDir(), project, { recursive: true, filter: (path) => !/[/\\](target|logs|dbt_packages)$/.test(path) })
    mkdirSync(join(project, 'analyses'), { recursive: true })
    writeFileSync(
      join(project, 'analyses', 'refresh_macros.sql'),
      [
        '{%- set bounds = bigquery_refresh_bounds_from(modules.datetime.date(2021, 1, 31)) -%}',
        'bounds: {{ tojson(bounds, sort_keys=true) }}',
        "sessions: {{ recent_rows_condition('sessions', bounds) }}",
        "conversions: {{ recent_rows_condition('conversions', bounds) }}",
        "touchpoints: {{ recent_rows_condition('touchpoints', bounds) }}",
        "conversion_facts: {{ recent_rows_condition('conversion_facts', bounds) }}",
        "none: {{ recent_rows_condition('sessions', none) }}",
        'has_intraday_offline: {{ ga4_has_intraday_tables() }}',
        "unique_key: {{ attribution_unique_key('session_key') }}",
        'stored: {{ stored_events_condition() }}',
        'empty: {{ ga4_empty_events_sql(is_intraday=true) }}',
      ].join('\n'),
    )
    const target = join(temp.dir, 'refresh-macros-target')
    const run = spawnSync(
      dbtExecutable(),
      [
        '--no-populate-cache',
        'compile',
        '--no-introspect',
        '--select',
        'refresh_macros',
        '--target-path',
        target,
        '--project-dir',
        project,
        '--profiles-dir',
        project,
      ],
      {
        env: { ...process.env, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', ...BIGQUERY_ENV, ...offlineKey() },
        encoding: 'utf8',
      },
    )
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    const out = compiledFiles(join(target, 'compiled')).get('refresh_macros') ?? ''
    const line = (name: string) =>
      out
        .split('\n')
        .find((l) => l.startsWith(`${name}: `))
        ?.slice(name.length + 2) ?? ''
    // New rows from 2021-01-31, margin 2 days: sessions from 2021-01-29 UTC, conversions from a day earlier.
    expect(JSON.parse(line('bounds'))).toMatchObject({
      new_rows_from_date: "date '2021-01-31'",
      recompute_from_date: "date '2021-01-29'",
      sessions_from_micros: Date.UTC(2021, 0, 29) * 1000,
      conversions_from_micros: Date.UTC(2021, 0, 28) * 1000,
      conversions_from_date: "date '2021-01-27'",
      touchpoint_sessions_from_at: "timestamp '2020-10-30 00:00:00+00'",
    })
    expect(line('sessions')).toBe("session_started_at >= timestamp '2021-01-29 00:00:00+00'")
    expect(line('conversions')).toBe("conversion_date >= date '2021-01-29'")
    expect(line('touchpoints')).toBe(
      `session_started_at >= timestamp '2020-10-30 00:00:00+00' and session_started_micros + lag_micros >= ${Date.UTC(2021, 0, 28) * 1000}`,
    )
    expect(line('conversion_facts')).toBe("conversion_date >= date '2021-01-27' and converted_at >= timestamp '2021-01-28 00:00:00+00'")
    expect(line('none')).toBe('None')
    expect(line('has_intraday_offline')).toBe('True')
    expect(line('unique_key')).toBe('None')
    expect(line('stored')).toBe('event_date >= staging_stored_from')
    expect(out).toMatch(
      /cast\(null as array<struct<key string, value struct<string_value string, int_value int64, float_value float64, double_value float64>>>\) as event_params/,
    )
    expect(out).toMatch(/true as is_intraday\s+limit 0/)
    // A dataset without intraday tables stands in NULLs for the newer traffic-source fields too.
    expect(out).toMatch(
      /cast\(null as string\) as collected_source,[\s\S]*cast\(null as string\) as google_ads_campaign_name,\s+true as is_intraday/,
    )
  })

  it('generates its documentation on a built warehouse, with every column of every model described', async () => {
    const path = join(temp.dir, 'docs.duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    await generateSampleData(warehouse, { seed: 3, users: 300, days: 30, endDate: '2026-10-31' })
    assertDbtSucceeded(await warehouse.build({ withTestOracle: true }))
    await warehouse.close()
    const target = join(temp.dir, 'docs-target')
    const run = dbt(['docs', 'generate', '--target-path', target], { ATTRIBUTION_WAREHOUSE: path })
    expect(run.status, run.output).toBe(0)
    const catalog = JSON.parse(readFileSync(join(target, 'catalog.json'), 'utf8')) as CatalogFile
    for (const mart of [...MARTS, ...ORACLE])
      expect(
        Object.keys(catalog.nodes).some((key) => key.endsWith(`.${mart}`)),
        mart,
      ).toBe(true)
    expect(existsSync(join(target, 'index.html'))).toBe(true)
    const manifest = JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8')) as DocumentedManifest
    const problems = undocumentedColumns(manifest, catalog)
    expect(problems, 'describe each column in the YAML beside its model (models/<layer>/_*.yml)').toEqual([])
    // The check reads real columns: every model was built, and the staging table alone has dozens.
    expect(Object.keys(catalog.nodes).filter((key) => key.startsWith('model.')).length).toBe(
      Object.values(manifest.nodes).filter((node) => node.resource_type === 'model').length,
    )
  })
})
