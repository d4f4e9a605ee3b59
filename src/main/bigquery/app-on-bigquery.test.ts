import { join } from 'node:path'
import type { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CompareRequest, DashboardFilters, PathsRequest, TrendsRequest } from '../../shared/api'
import type { BigQuerySettings } from '../../shared/settings-api'
import { sumAmounts } from '../../shared/money'
import { type AppServices, createAppServices } from '../app-services'
import { compareModels, conversionPaths, modelComparison, modelTrends } from '../services/model-reports'
import { makeTempDir } from '../testing/fixtures'
import type { AttributionWarehouse } from '../warehouse/warehouse'
import { BigQueryWarehouse } from './bigquery-warehouse'
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
const FILTERS: DashboardFilters = { lookbackDays: 14, conversionEvents: ['purchase'] }

describe('the app on BigQuery', () => {
  const temp = makeTempDir('app-bigquery')
  let standIn: BigQueryStandIn
  let services: AppServices
  let embedded: DuckDBInstance
  /** The embedded warehouse's queries on the same rows, under the same services. */
  let expectedWarehouse: AttributionWarehouse

  beforeAll(async () => {
    standIn = await BigQueryStandIn.start()
    await standIn.createDataset(PROJECT, SETTINGS.ga4Dataset)
    const client = new BigQueryWarehouse({ settings: SETTINGS, credentials: { mode: 'adc' }, transport: standIn.transport(), maxRetries: 0 }).bigQuery()
    const [marts] = await client.createDataset(SETTINGS.martsDataset, { location: 'US' })
    const [credits] = await marts.createTable('fct_attribution_credits', { schema: { fields: CREDITS_SCHEMA } })
    await credits.insert(MARTS.credits)
    const [transitions] = await marts.createTable('agg_channel_transitions', { schema: { fields: TRANSITIONS_SCHEMA } })
    await transitions.insert(MARTS.transitions)
    await marts.createTable('agg_user_last_conversions', { schema: { fields: LAST_CONVERSIONS_SCHEMA } })
    const [buildInfo] = await marts.createTable('rpt_build_info', { schema: { fields: BUILD_INFO_SCHEMA } })
    await buildInfo.insert([{ built_at: '2026-11-01 06:00:00', lookback_days: 14, invocation_id: 'test' }])
    services = await createAppServices({ warehousePath: join(temp.dir, 'warehouse.duckdb'), bigQueryTransport: standIn.transport() })
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
      paths.value.paths.forEach((path, index) => expect(path.avg_days_to_conversion).toBeCloseTo(expected.paths[index]?.avg_days_to_conversion ?? Number.NaN, 9))
    }
  })

  it('streams to the own dataset\'s intraday table with insertIds, once per event', async () => {
    const burst = await services.handlers['stream:burst']({ count: 12 })
    if (!burst.ok) throw new Error(burst.error)
    expect(burst.value).toMatchObject({ queued: 12, added: 12, rejected: 0 })
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '')
    const rows = await standIn.rows(PROJECT, SETTINGS.ga4Dataset, `events_intraday_${today}`)
    expect(rows).toHaveLength(12)
    const deadLetters = await services.handlers['stream:deadLetters']({})
    expect(deadLetters.ok && deadLetters.value).toEqual([])
  })

  it('goes back to the embedded warehouse when Settings say so', async () => {
    const saved = await services.handlers['settings:save']({ warehouse: 'embedded', bigquery: SETTINGS })
    expect(saved.ok).toBe(true)
    const status = await services.handlers['warehouse:status']({})
    expect(status.ok && status.value.kind).toBe('embedded')
  })
})
