import { join } from 'node:path'
import type { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CompareRequest, DashboardFilters, MartsChanged, PathsRequest, TrendsRequest } from '@shared/api'
import type { BigQuerySettings } from '@shared/settings-api'
import type { Dataset } from '@google-cloud/bigquery'
import { sumAmounts } from '@shared/money'
import { type AppServices, createAppServices } from '../app-services'
import { generateEvents } from '../generator'
import { compareModels, conversionPaths, modelComparison, modelTrends } from '../services/model-reports'
import { makeTempDir } from '../testing/fixtures'
import type { AttributionWarehouse } from '../warehouse/warehouse'
import { BigQueryWarehouse } from './bigquery-warehouse'
import { GA4_BIGQUERY_SCHEMA } from './ga4-bigquery-schema'
import { BigQueryStandIn } from './testing/bigquery-standin'
import { embeddedMarts, embeddedMartsWarehouse } from './testing/embedded-marts'
import { BUILD_INFO_SCHEMA, CREDITS_SCHEMA, TRANSITIONS_SCHEMA, LAST_CONVERSIONS_SCHEMA, generateMarts } from './testing/mart-rows'

// The whole app on BigQuery: Settings switch the views, which then read the marts over the real client.
const PROJECT = 'acme-analytics'
const SETTINGS: BigQuerySettings = {
  projectId: PROJECT,
  ga4Dataset: 'analytics_987654',
  martsDataset: 'attribution_marts',
  location: 'US',
  maximumBytesBilled: 1024 ** 3,
  dbtMaximumBytesBilled: 10 * 1024 ** 3,
  credentialMode: 'adc',
}
const MARTS = generateMarts(17, 120)
/** What the stand-in for dbt puts into the demo marts: other rows, so the views show which marts they read. */
const DEMO_MARTS = generateMarts(18, 60)
const FILTERS: DashboardFilters = { lookbackDays: 14, conversionEvents: ['purchase'] }
/** 20 day shards in the export; the demo copies the newest 14. */
const DAY_EVENTS = [...generateEvents({ seed: 5, users: 30, days: 20, endDate: '2026-10-31', withEventId: true })]

/** The purchases credited at 14 days in a set of mart rows, with their revenue: what Compare models totals. */
function heldPurchases(marts: ReturnType<typeof generateMarts>): Map<string, string> {
  return new Map(
    marts.credits
      .filter((row) => row.conversion_event_name === 'purchase' && row.min_lookback_days <= 14 && row.max_lookback_days >= 14)
      .map((row) => [row.conversion_id, row.revenue_usd]),
  )
}

/** Creates and fills the marts dbt would build, through the API. */
async function fillMarts(marts: Dataset, rows: ReturnType<typeof generateMarts>, builtAt: string): Promise<void> {
  const [credits] = await marts.createTable('fct_attribution_credits', { schema: { fields: CREDITS_SCHEMA } })
  await credits.insert(rows.credits)
  const [transitions] = await marts.createTable('agg_channel_transitions', { schema: { fields: TRANSITIONS_SCHEMA } })
  await transitions.insert(rows.transitions)
  await marts.createTable('agg_user_last_conversions', { schema: { fields: LAST_CONVERSIONS_SCHEMA } })
  const [buildInfo] = await marts.createTable('rpt_build_info', { schema: { fields: BUILD_INFO_SCHEMA } })
  await buildInfo.insert([{ built_at: builtAt, invocation_id: 'test' }])
}

describe('the app on BigQuery', () => {
  const temp = makeTempDir('app-bigquery')
  let standIn: BigQueryStandIn
  let services: AppServices
  let embedded: DuckDBInstance
  /** The embedded warehouse's queries on the same rows, under the same services. */
  let expectedWarehouse: AttributionWarehouse
  /** The settings each `dbt build` on BigQuery was given. */
  const builds: BigQuerySettings[] = []

  beforeAll(async () => {
    standIn = await BigQueryStandIn.start()
    await standIn.createDataset(PROJECT, SETTINGS.ga4Dataset)
    const client = new BigQueryWarehouse({
      settings: SETTINGS,
      credentials: { mode: 'adc' },
      transport: standIn.transport(),
      maxRetries: 0,
    }).bigQuery()
    const [marts] = await client.createDataset(SETTINGS.martsDataset, { location: 'US' })
    await fillMarts(marts, MARTS, '2026-11-01 06:00:00')
    const ga4 = client.dataset(SETTINGS.ga4Dataset)
    for (const date of [...new Set(DAY_EVENTS.map((event) => event.event_date))]) {
      const [table] = await ga4.createTable(`events_${date}`, { schema: { fields: GA4_BIGQUERY_SCHEMA.map((field) => ({ ...field })) } })
      await table.insert(DAY_EVENTS.filter((event) => event.event_date === date))
    }
    services = await createAppServices({
      warehousePath: join(temp.dir, 'warehouse.duckdb'),
      bigQueryTransport: standIn.transport(),
      // Stands for dbt: the first build of the demo marts fills them with other rows; later ones change nothing.
      bigQueryDbtBuild: async (settings) => {
        builds.push(settings)
        const demoMarts = client.dataset(settings.martsDataset)
        const [isBuilt] = await demoMarts.table('rpt_build_info').exists()
        if (!isBuilt) await fillMarts(demoMarts, DEMO_MARTS, '2026-11-02 06:00:00')
        return { success: true, errors: [], durationMs: 1 }
      },
    })
    embedded = await embeddedMarts(MARTS)
    expectedWarehouse = embeddedMartsWarehouse(embedded)
  }, 60_000)

  afterAll(async () => {
    await services?.close()
    await standIn?.close()
    embedded?.closeSync()
    temp.cleanup()
  })

  it('switches the views to BigQuery on save and answers with the marts there', async () => {
    const saved = await services.handlers['settings:save']({ warehouse: 'bigquery', bigquery: SETTINGS })
    expect(saved.ok, saved.ok ? '' : saved.error).toBe(true)
    const status = await services.handlers['warehouse:status']({})
    expect(status.ok && status.value.kind).toBe('bigquery')

    // Expected straight from the rows put into BigQuery: the purchases with a credit valid at 14 days.
    const held = new Map(
      MARTS.credits
        .filter((row) => row.conversion_event_name === 'purchase' && row.min_lookback_days <= 14 && row.max_lookback_days >= 14)
        .map((row) => [row.conversion_id, row.revenue_usd]),
    )
    const compare = await services.handlers['attribution:compare']({ ...FILTERS, models: ['first_click', 'last_click'] })
    if (!compare.ok) throw new Error(compare.error)
    expect(compare.value.totals).toEqual({ conversions: held.size, revenue_usd: sumAmounts(held.values()) })
  })

  it('answers every view on BigQuery as the embedded warehouse answers on the same rows, data-driven included', async () => {
    const compares: CompareRequest[] = [
      { ...FILTERS, models: ['linear', 'time_decay'] },
      { ...FILTERS, models: ['position_based', 'data_driven'] },
    ]
    for (const request of compares) {
      const answer = await services.handlers['attribution:compare'](request)
      expect(answer).toEqual({ ok: true, value: await compareModels(expectedWarehouse, request) })
    }
    const comparison = await services.handlers['attribution:modelComparison'](FILTERS)
    expect(comparison).toEqual({ ok: true, value: await modelComparison(expectedWarehouse, FILTERS) })
    expect(comparison.ok && comparison.value.rows.some((row) => row.cells.data_driven.conversions > 0)).toBe(true)
    const trends: TrendsRequest = { ...FILTERS, models: ['last_non_direct', 'data_driven'], days: 14, byChannel: true }
    expect(await services.handlers['attribution:trends'](trends)).toEqual({ ok: true, value: await modelTrends(expectedWarehouse, trends) })
    for (const model of ['time_decay', 'data_driven'] as const) {
      const request: PathsRequest = { ...FILTERS, model, limit: 5 }
      const paths = await services.handlers['attribution:paths'](request)
      if (!paths.ok) throw new Error(paths.error)
      const expected = await conversionPaths(expectedWarehouse, request)
      // Average days are FLOAT64 sums, equal to far below a second.
      expect({ ...paths.value, paths: paths.value.paths.map(({ avg_days_to_conversion: _days, ...path }) => path) }).toEqual({
        ...expected,
        paths: expected.paths.map(({ avg_days_to_conversion: _days, ...path }) => path),
      })
      paths.value.paths.forEach((path, index) =>
        expect(path.avg_days_to_conversion).toBeCloseTo(expected.paths[index]?.avg_days_to_conversion ?? Number.NaN, 9),
      )
    }
  })

  it('streams demo events into the demo dataset, never the export, and shows the demo marts', async () => {
    const firstRequest = standIn.requests.length
    const exportShards = (await standIn.tableIds(PROJECT, SETTINGS.ga4Dataset)).sort()
    const martsChanges: MartsChanged[] = []
    const stopMartsChanges = services.onMartsChanged((change) => martsChanges.push(change))
    const burst = await services.handlers['stream:burst']({ count: 12 })
    if (!burst.ok) throw new Error(burst.error)
    expect(burst.value).toMatchObject({ queued: 12, added: 12, rejected: 0 })
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '')
    const demoDataset = `${SETTINGS.ga4Dataset}_demo`
    expect(await standIn.rows(PROJECT, demoDataset, `events_intraday_${today}`)).toHaveLength(12)
    // The demo holds the export's day tables of the 14 days up to its newest, and the streamer's intraday table.
    const newest = exportShards.at(-1)?.slice(-8) ?? ''
    const firstDay = new Date(Date.UTC(+newest.slice(0, 4), +newest.slice(4, 6) - 1, +newest.slice(6, 8) - 13))
      .toISOString()
      .slice(0, 10)
      .replace(/-/g, '')
    const windowShards = exportShards.filter((name) => name.slice(-8) >= firstDay)
    expect(windowShards.length).toBeLessThan(exportShards.length)
    expect((await standIn.tableIds(PROJECT, demoDataset)).sort()).toEqual([...windowShards, `events_intraday_${today}`])

    // The export dataset is never written: no write request names it, no job writes into it.
    const sinceBurst = standIn.requests.slice(firstRequest)
    const writesToExport = sinceBurst.filter(
      (request) => request.method !== 'GET' && new RegExp(`/datasets/${SETTINGS.ga4Dataset}(/|$)`).test(request.path),
    )
    expect(writesToExport).toEqual([])
    type JobConfiguration = {
      copy?: { destinationTable?: { datasetId?: string } }
      query?: { destinationTable?: { datasetId?: string }; query?: string }
    }
    const jobs = sinceBurst
      .filter((request) => /\/(jobs|queries)$/.test(request.path))
      .map((request) => request.body as { configuration?: JobConfiguration; query?: string })
    const destinations = jobs
      .map((job) => job.configuration?.copy?.destinationTable?.datasetId ?? job.configuration?.query?.destinationTable?.datasetId)
      .filter((id) => id !== undefined)
    expect(destinations.length).toBe(windowShards.length)
    expect(destinations.filter((id) => id !== demoDataset)).toEqual([])
    // No statement that changes data is sent either (DML or DDL naming the export).
    const statements = jobs.map((job) => job.configuration?.query?.query ?? job.query ?? '')
    expect(statements.filter((sql) => /\b(insert|update|delete|merge|create|drop|alter|truncate)\b/i.test(sql))).toEqual([])
    expect((await standIn.tableIds(PROJECT, SETTINGS.ga4Dataset)).sort()).toEqual(exportShards)

    // dbt built the demo marts from the demo dataset.
    expect(builds[0]).toMatchObject({ ga4Dataset: `${PROJECT}.${demoDataset}`, martsDataset: `${SETTINGS.martsDataset}_demo` })
    // ...and the views heard of it: a build on BigQuery is pushed as a serving-copy refresh is.
    expect(martsChanges.length).toBeGreaterThan(0)
    stopMartsChanges()
    const status = await services.handlers['stream:status']({})
    if (!status.ok) throw new Error(status.error)
    expect(status.value.demo).toMatchObject({
      isActive: true,
      sandbox: { sourceName: SETTINGS.ga4Dataset, location: `${PROJECT}.${demoDataset}`, dayShards: windowShards.length },
    })

    // The views read the demo marts now, and the feed marks the streamed rows as demo.
    const compare = await services.handlers['attribution:compare']({ ...FILTERS, models: ['first_click', 'last_click'] })
    if (!compare.ok) throw new Error(compare.error)
    const demoHeld = heldPurchases(DEMO_MARTS)
    expect(compare.value.totals).toEqual({ conversions: demoHeld.size, revenue_usd: sumAmounts(demoHeld.values()) })
    const deadLetters = await services.handlers['stream:deadLetters']({})
    expect(deadLetters.ok && deadLetters.value).toEqual([])
  })

  it('goes back to the real marts in one call, and removes only the demo datasets', async () => {
    const left = await services.handlers['demo:leave']({})
    expect(left.ok && left.value.isActive).toBe(false)
    const compare = await services.handlers['attribution:compare']({ ...FILTERS, models: ['first_click', 'last_click'] })
    if (!compare.ok) throw new Error(compare.error)
    const held = heldPurchases(MARTS)
    expect(compare.value.totals).toEqual({ conversions: held.size, revenue_usd: sumAmounts(held.values()) })

    const exportShards = await standIn.tableIds(PROJECT, SETTINGS.ga4Dataset)
    const removed = await services.handlers['demo:remove']({})
    expect(removed.ok && removed.value.sandbox).toBe(null)
    expect(standIn.hasDataset(PROJECT, `${SETTINGS.ga4Dataset}_demo`)).toBe(false)
    expect(standIn.hasDataset(PROJECT, `${SETTINGS.martsDataset}_demo`)).toBe(false)
    expect(await standIn.tableIds(PROJECT, SETTINGS.ga4Dataset)).toEqual(exportShards)
    expect(await standIn.tableIds(PROJECT, SETTINGS.martsDataset)).toHaveLength(4)
  })

  it('goes back to the embedded warehouse when Settings say so', async () => {
    const saved = await services.handlers['settings:save']({ warehouse: 'embedded', bigquery: SETTINGS })
    expect(saved.ok).toBe(true)
    const status = await services.handlers['warehouse:status']({})
    expect(status.ok && status.value.kind).toBe('embedded')
  })
})
