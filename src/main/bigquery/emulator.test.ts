import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DashboardFilters } from '@shared/api'
import type { BigQuerySettings } from '@shared/settings-api'
import { generateEvents } from '../generator'
import { Outbox } from '../stream/outbox'
import { GA4_FIXTURES, hasGa4Fixtures, makeTempDir } from '../testing/fixtures'
import { TEST_ORACLE_SELECTOR } from '../dbt/dbt-runner'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { BigQueryWarehouse } from './bigquery-warehouse'
import { insertIntradayEvents } from './intraday-writer'
import { importSpendToBigQuery } from './spend-load'
import {
  type EmulatorDbtRun,
  LocalBigQuery,
  emulatorDbtEnvironment,
  emulatorMissingReason,
  loadGa4Fixture,
  runDbtOnEmulator,
} from './testing/local-bigquery'
import { type ReportCall, answersOf, compareReportCalls, feedAndStatusCalls, reportCalls } from './testing/report-calls'
import { deliverOutbox } from '../stream/deliver'

// The BigQuery path run for real on a third-party emulator (local-bigquery, GoogleSQL through sqlglot
// on DuckDB): dbt's models, data tests and unit tests on the BigQuery target, then every report the
// app's BigQueryWarehouse makes, compared with the embedded DuckDB warehouse on the same GA4 rows.
// What the emulator cannot show is left to the REST stand-in (docs/bigquery-emulator.md).
const PROJECT = 'acme-analytics'
const SETTINGS: BigQuerySettings = {
  projectId: PROJECT,
  ga4Dataset: 'analytics_123456',
  martsDataset: 'attribution_marts',
  location: 'US',
  maximumBytesBilled: 1024 ** 3,
  dbtMaximumBytesBilled: 10 * 1024 ** 3,
  credentialMode: 'adc',
}
/** The fixture's last day goes into an intraday table, as a day GA4 has not yet exported. */
const INTRADAY_DATES = ['20210119']
/** The conversion events both warehouses model: the fixture's three ecommerce key events. */
const MODELLED_EVENTS = ['purchase', 'begin_checkout', 'add_to_cart']
/** dbt's vars that model them on BigQuery, as `attribution build --conversion-events` does on DuckDB. */
const MODELLED_EVENTS_VARS = ['--vars', JSON.stringify({ conversion_events: MODELLED_EVENTS })]
const FILTER_CASES: DashboardFilters[] = [
  { lookbackDays: 14, conversionEvents: ['purchase'] },
  { lookbackDays: 1, conversionEvents: ['purchase', 'add_to_cart'] },
  { lookbackDays: 90, conversionEvents: [...MODELLED_EVENTS], fromDate: '2021-01-01', toDate: '2021-01-15' },
]
/**
 * Ad spend in the fixture's weeks, GA4's cost-data layout: a paid campaign the fixture's sessions
 * carry (google / cpc / <Other>), one on a day without conversions, and one no session carries.
 */
const SPEND_CSV = [
  'utm_source,utm_medium,utm_campaign,utm_id,date,impressions,clicks,cost',
  'google,cpc,<Other>,,2021-01-05,1200,40,123.45',
  'google,cpc,<Other>,,2021-01-10,900,31,98.10',
  'google,cpc,<Other>,,2020-12-25,10,1,0.99',
  'newsletter,email,winter_promo,wp-1,2021-01-12,5000,70,45.00',
].join('\n')
/** Events the intraday writer streams after the first build: the fixture's last two days, users of their own. */
const STREAMED = [...generateEvents({ seed: 22, users: 40, days: 2, endDate: '2021-01-19', withEventId: true })]
/** dbt build without its unit tests and the test oracle, as the app's refreshes run (buildOnBigQuery; the first build ran both). */
const BUILD_WITHOUT_UNIT_TESTS = ['build', '--exclude', 'resource_type:unit_test', TEST_ORACLE_SELECTOR, ...MODELLED_EVENTS_VARS]
/** The models of the test oracle (dbt tag oracle), which only the first build makes. */
const ORACLE_MODELS = /\.(fct_attributed_conversions|agg_attribution_daily)$/
/** Each dbt run on the emulator takes about a minute alone; on a shared 2-core machine several. */
const DBT_STEP_TIMEOUT_MS = 600_000

const isCi = process.env.CI === 'true'
const missing = emulatorMissingReason()
if (missing && !isCi) process.stderr.write(`Skipping the BigQuery emulator suite: ${missing}.\n`)

/** Node counts of a dbt run by kind and status, for failure messages and the figures. */
function tally(run: EmulatorDbtRun): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const node of run.nodes) counts[`${node.resourceType} ${node.status}`] = (counts[`${node.resourceType} ${node.status}`] ?? 0) + 1
  return counts
}

/** Fails with dbt's own words unless every node of the run succeeded or passed. */
function expectAllPassed(run: EmulatorDbtRun): void {
  const failed = run.nodes.filter((node) => node.status !== 'success' && node.status !== 'pass')
  expect(
    failed.map((node) => `${node.uniqueId}: ${node.status} ${node.message}`),
    run.output.slice(-4000),
  ).toEqual([])
  expect(run.exitCode, run.output.slice(-4000)).toBe(0)
}

// In CI the suite never skips: a missing emulator venv fails it (beforeAll) instead.
describe.skipIf(!hasGa4Fixtures || (missing !== undefined && !isCi))('the BigQuery path on the local-bigquery emulator', () => {
  const temp = makeTempDir('bigquery-emulator')
  const targetPath = join(temp.dir, 'dbt-target')
  const startedAt = Date.now()
  let emulator: LocalBigQuery
  let env: Record<string, string>
  let embedded: EmbeddedWarehouse
  const calls: ReportCall[] = [...FILTER_CASES.flatMap(reportCalls), ...feedAndStatusCalls()]
  const figures = { nodes: {} as Record<string, number>, callsCompared: 0, differences: 0 }
  /** A new BigQueryWarehouse per round: its result cache (as in the app) spares repeated statements within a round only. */
  const warehouse = () =>
    new BigQueryWarehouse({
      settings: SETTINGS,
      credentials: { mode: 'adc' },
      transport: emulator.transport(),
      maxRetries: 0,
      cacheTtlMs: 600_000,
    })

  beforeAll(async () => {
    if (missing) throw new Error(`CI must run the BigQuery emulator suite, but ${missing}.`)
    emulator = await LocalBigQuery.start({ project: PROJECT, dataDir: join(temp.dir, 'emulator') })
    env = emulatorDbtEnvironment(emulator, { project: PROJECT, martsDataset: SETTINGS.martsDataset, ga4Dataset: SETTINGS.ga4Dataset })
    const client = warehouse().bigQuery()
    await client.createDataset(SETTINGS.ga4Dataset, { location: SETTINGS.location })
    const loaded = await loadGa4Fixture(client, SETTINGS.ga4Dataset, GA4_FIXTURES.parquet, join(temp.dir, 'shards'), INTRADAY_DATES)
    expect(loaded.intradayTables).toEqual(INTRADAY_DATES.map((date) => `events_intraday_${date}`))
    // The same spend on both sides, each through its own import; the cost mart joins it on each.
    const spendPath = join(temp.dir, 'spend.csv')
    writeFileSync(spendPath, SPEND_CSV)
    const spendOnBigQuery = await importSpendToBigQuery(warehouse().spendTarget(), [spendPath])
    expect(spendOnBigQuery.map((file) => file.added)).toEqual([4])
    // The same rows in the embedded warehouse, built by dbt on DuckDB.
    embedded = new EmbeddedWarehouse(join(temp.dir, 'embedded.duckdb'))
    await embedded.importFiles([GA4_FIXTURES.parquet])
    expect(await embedded.importSpend([spendPath])).toEqual(spendOnBigQuery)
    expect((await embedded.rawCounts()).events).toBe(loaded.rows)
    assertDbtSucceeded(await embedded.build({ conversionEvents: MODELLED_EVENTS }))
  })

  afterAll(async () => {
    await emulator?.close()
    await embedded?.close()
    temp.cleanup()
    if (figures.callsCompared > 0) {
      process.stdout.write(
        `BigQuery emulator suite: dbt nodes ${JSON.stringify(figures.nodes)}; ${figures.callsCompared} report calls compared, ` +
          `${figures.differences} differences; ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`,
      )
    }
  })

  it(
    'builds every model and passes every data test and unit test on the BigQuery target',
    async () => {
      const run = await runDbtOnEmulator(env, ['build', ...MODELLED_EVENTS_VARS], targetPath)
      expectAllPassed(run)
      figures.nodes = tally(run)
      // Every node of the project ran: as many models, data tests and unit tests as dbt's manifest lists.
      const manifest = JSON.parse(readFileSync(join(targetPath, 'manifest.json'), 'utf8')) as {
        nodes: Record<string, { resource_type: string }>
        unit_tests: Record<string, unknown>
      }
      const listed = (kind: string) => Object.values(manifest.nodes).filter((node) => node.resource_type === kind).length
      for (const kind of ['model', 'test', 'seed'])
        expect(run.nodes.filter((node) => node.resourceType === kind).length, kind).toBe(listed(kind))
      expect(run.nodes.filter((node) => node.resourceType === 'unit_test').length).toBe(Object.keys(manifest.unit_tests).length)
      expect(listed('model')).toBeGreaterThan(0)
      // The test oracle among them: CI compares the credits with it on BigQuery too.
      expect(run.nodes.filter((node) => node.resourceType === 'model' && ORACLE_MODELS.test(node.uniqueId))).toHaveLength(2)
    },
    DBT_STEP_TIMEOUT_MS,
  )

  it('answers every report, model, grouping and view query as the embedded warehouse does on the same rows', async () => {
    const differences = await compareReportCalls(calls, warehouse(), embedded)
    figures.callsCompared += calls.length
    figures.differences += differences.length
    expect(differences).toEqual([])
    // The comparison is not of empty answers: the fixture's purchases reach the marts.
    const totals = await warehouse().conversionTotals(FILTER_CASES[0] as DashboardFilters)
    expect(totals.conversions).toBeGreaterThan(0)
    // ... and the spend reaches the cost mart: every USD of it, in the lookback's widest window.
    const cost = await warehouse().costCredits({ lookbackDays: 90, conversionEvents: [...MODELLED_EVENTS] }, 'campaign')
    const lastClickCost = cost.filter((row) => row.model === 'last_click').reduce((sum, row) => sum + row.costCents, 0n)
    expect(lastClickCost).toBe(12345n + 9810n + 99n + 4500n)
  })

  it(
    'streams through the intraday writer; the incremental refresh equals a full refresh and the embedded warehouse',
    async () => {
      const everything: DashboardFilters = { lookbackDays: 90, conversionEvents: [...MODELLED_EVENTS] }
      const before = await warehouse().conversionTotals(everything)
      const report = await insertIntradayEvents(STREAMED, {
        client: warehouse().bigQuery(),
        settings: SETTINGS,
        sleep: async () => undefined,
      })
      expect(report.deadLetters).toEqual([])
      expect(report.accepted).toBe(STREAMED.length)
      const outbox = new Outbox(join(temp.dir, 'outbox'))
      expect(outbox.enqueue(STREAMED).rejected).toEqual([])
      await deliverOutbox(embedded, outbox)
      assertDbtSucceeded(await embedded.build({ conversionEvents: MODELLED_EVENTS }))

      const incremental = await runDbtOnEmulator(env, BUILD_WITHOUT_UNIT_TESTS, targetPath)
      expectAllPassed(incremental)
      expect(incremental.nodes.filter((node) => ORACLE_MODELS.test(node.uniqueId))).toEqual([])
      const differences = await compareReportCalls(calls, warehouse(), embedded)
      figures.callsCompared += calls.length
      figures.differences += differences.length
      expect(differences).toEqual([])
      const afterIncremental = await answersOf(calls, warehouse())
      // The streamed users' conversions are in the marts now.
      expect((await warehouse().conversionTotals(everything)).conversions).toBeGreaterThan(before.conversions)

      // The models only: the incremental build's data tests already checked the same tables.
      const fullRefresh = await runDbtOnEmulator(
        env,
        ['run', '--full-refresh', '--exclude', TEST_ORACLE_SELECTOR, ...MODELLED_EVENTS_VARS],
        targetPath,
      )
      expectAllPassed(fullRefresh)
      const afterFullRefresh = await answersOf(calls, warehouse())
      const changed = calls
        .map((call) => call.name)
        .filter((name) => !isDeepStrictEqual(afterIncremental.get(name), afterFullRefresh.get(name)))
      figures.callsCompared += calls.length
      figures.differences += changed.length
      expect(changed).toEqual([])
    },
    3 * DBT_STEP_TIMEOUT_MS,
  )
})
