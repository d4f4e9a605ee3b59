import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dbtExecutable, dbtProjectDir } from '../paths'
import { makeTempDir } from '../testing/fixtures'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'

const MARTS = ['fct_attributed_conversions', 'fct_attribution_credits', 'agg_attribution_daily', 'rpt_data_quality', 'rpt_build_info']
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

describe('the dbt project', () => {
  const temp = makeTempDir('dbt-project')
  afterAll(temp.cleanup)

  it('parses for DuckDB and for BigQuery without credentials', () => {
    const duckdb = dbt(['parse', '--target-path', join(temp.dir, 'parse-duckdb')], { ATTRIBUTION_WAREHOUSE: join(temp.dir, 'never-opened.duckdb') })
    expect(duckdb.status, duckdb.output).toBe(0)
    const bigquery = dbt(['parse', '--target-path', join(temp.dir, 'parse-bigquery')], BIGQUERY_ENV)
    expect(bigquery.status, bigquery.output).toBe(0)
  })

  it('compiles every model to BigQuery SQL offline, reading the sharded export tables', () => {
    // dbt builds a BigQuery client before compiling; a throwaway key lets it, and no request is ever sent.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const keyfile = join(temp.dir, 'offline-key.json')
    writeFileSync(
      keyfile,
      JSON.stringify({
        type: 'service_account',
        project_id: 'example-project',
        private_key_id: 'offline',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        client_email: 'offline@example-project.iam.gserviceaccount.com',
        client_id: '0',
        token_uri: 'https://oauth2.googleapis.com/token',
      }),
      { mode: 0o600 },
    )
    const target = join(temp.dir, 'compile-bigquery')
    const run = dbt(['--no-populate-cache', 'compile', '--no-introspect', '--target-path', target], { ...BIGQUERY_ENV, ATTRIBUTION_BQ_KEYFILE: keyfile })
    expect(run.status, run.output).toBe(0)
    const compiled = compiledFiles(join(target, 'compiled'))
    for (const model of ['stg_ga4__events', 'int_sessions_classified', 'int_conversions_deduplicated', 'int_touchpoints_joined_to_conversions', ...MARTS]) {
      expect(compiled.has(model), `${model} compiled`).toBe(true)
    }
    const staging = compiled.get('stg_ga4__events') ?? ''
    expect(staging).toContain('`example-project`.`analytics_123456`.`events_*`')
    expect(staging).toContain('`example-project`.`analytics_123456`.`events_intraday_*`')
    expect(staging).toMatch(/_table_suffix/i)
    expect(staging).toMatch(/from unnest\(/i)
    expect(staging).not.toMatch(/list_filter|regexp_matches|::/)
    expect(compiled.get('int_sessions_classified') ?? '').toMatch(/regexp_contains/i)
  })

  it('generates its documentation on a built warehouse', async () => {
    const path = join(temp.dir, 'docs.duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    await warehouse.generateSample({ seed: 3, users: 300, days: 30, endDate: '2026-10-31' })
    assertDbtSucceeded(await warehouse.build({}))
    await warehouse.close()
    const target = join(temp.dir, 'docs-target')
    const run = dbt(['docs', 'generate', '--target-path', target], { ATTRIBUTION_WAREHOUSE: path })
    expect(run.status, run.output).toBe(0)
    const catalog = JSON.parse(readFileSync(join(target, 'catalog.json'), 'utf8')) as { nodes: Record<string, unknown> }
    for (const mart of MARTS) expect(Object.keys(catalog.nodes).some((key) => key.endsWith(`.${mart}`)), mart).toBe(true)
    expect(existsSync(join(target, 'index.html'))).toBe(true)
  })
})
