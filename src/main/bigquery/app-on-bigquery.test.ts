import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BigQuerySettings } from '../../shared/settings-api'
import { sumAmounts } from '../../shared/money'
import { type AppServices, createAppServices } from '../app-services'
import { makeTempDir } from '../testing/fixtures'
import { BigQueryWarehouse } from './bigquery-warehouse'
import { BigQueryStandIn } from './testing/bigquery-standin'
import { BUILD_INFO_SCHEMA, CREDITS_SCHEMA, generateCreditRows } from './testing/mart-rows'

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
const CREDITS = generateCreditRows(17, 120)
const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase'] }

describe('the app on BigQuery', () => {
  const temp = makeTempDir('app-bigquery')
  let standIn: BigQueryStandIn
  let services: AppServices

  beforeAll(async () => {
    standIn = await BigQueryStandIn.start()
    await standIn.createDataset(PROJECT, SETTINGS.ga4Dataset)
    const client = new BigQueryWarehouse({ settings: SETTINGS, credentials: { mode: 'adc' }, transport: standIn.transport(), maxRetries: 0 }).bigQuery()
    const [marts] = await client.createDataset(SETTINGS.martsDataset, { location: 'US' })
    const [credits] = await marts.createTable('fct_attribution_credits', { schema: { fields: CREDITS_SCHEMA } })
    await credits.insert(CREDITS)
    const [buildInfo] = await marts.createTable('rpt_build_info', { schema: { fields: BUILD_INFO_SCHEMA } })
    await buildInfo.insert([{ built_at: '2026-11-01 06:00:00', lookback_days: 14, invocation_id: 'test' }])
    services = await createAppServices({ warehousePath: join(temp.dir, 'warehouse.duckdb'), bigQueryTransport: standIn.transport() })
  }, 60_000)

  afterAll(async () => {
    await services?.close()
    await standIn?.close()
    temp.cleanup()
  })

  it('switches the views to BigQuery on save and answers with the marts there', async () => {
    const saved = await services.handlers['settings:save']({ warehouse: 'bigquery', bigquery: SETTINGS })
    expect(saved.ok, saved.ok ? '' : saved.error).toBe(true)
    const status = await services.handlers['warehouse:status']({})
    expect(status.ok && status.value.kind).toBe('bigquery')

    // Expected straight from the rows put into BigQuery: first-click credits valid at 14 days, purchases only.
    const expected = CREDITS.filter(
      (row) => row.attribution_model === 'first_click' && row.conversion_event_name === 'purchase' && row.min_lookback_days <= 14 && row.max_lookback_days >= 14,
    )
    const compare = await services.handlers['attribution:compare'](FILTERS)
    if (!compare.ok) throw new Error(compare.error)
    expect(compare.value.totals).toEqual({ conversions: expected.length, revenue_usd: sumAmounts(expected.map((row) => row.revenue_usd)) })
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
