import type { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DashboardFilters, PathsRequest, TrendsRequest } from '@shared/api'
import type { BigQuerySettings } from '@shared/settings-api'
import { type HandlerHost, createApiHandlers } from '../api/handlers'
import { compareModels, conversionPaths, modelComparison, modelTrends } from '../services/model-reports'
import type { AttributionWarehouse } from '../warehouse/warehouse'
import { BigQueryWarehouse } from './bigquery-warehouse'
import { BigQueryStandIn } from './testing/bigquery-standin'
import { embeddedMarts, embeddedMartsWarehouse } from './testing/embedded-marts'
import { BUILD_INFO_SCHEMA, CREDITS_SCHEMA, LAST_CONVERSIONS_SCHEMA, TRANSITIONS_SCHEMA, generateMarts } from './testing/mart-rows'

// The stream filter on BigQuery: the stream list, and every view limited to a stream, as the embedded queries answer on the same rows.
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
const WEB = '2100450278'
const APP = '3300112233'
/** Conversions (and converting journeys) on even days are the web stream's, odd days the app's. */
const streamOf = (date: string): string => (Number(date.slice(-2)) % 2 === 0 ? WEB : APP)
const GENERATED = generateMarts(29, 160)
const MARTS = {
  ...GENERATED,
  credits: GENERATED.credits.map((row) => ({ ...row, stream_id: streamOf(row.conversion_date) })),
  transitions: GENERATED.transitions.map((row) => ({ ...row, stream_id: streamOf(row.journey_date) })),
}
/** Staged events per stream: 30 web, 12 app (Android). */
const STAGED = [
  ...Array.from({ length: 30 }, () => ({ stream_id: WEB, platform: 'WEB', event_name: 'page_view' })),
  ...Array.from({ length: 12 }, () => ({ stream_id: APP, platform: 'ANDROID', event_name: 'screen_view' })),
]
const FILTERS: DashboardFilters = { lookbackDays: 30, conversionEvents: ['purchase'] }

describe('streams on BigQuery', () => {
  let standIn: BigQueryStandIn
  let bigquery: BigQueryWarehouse
  let embedded: DuckDBInstance
  let expected: AttributionWarehouse

  beforeAll(async () => {
    standIn = await BigQueryStandIn.start()
    await standIn.createDataset(PROJECT, SETTINGS.ga4Dataset)
    bigquery = new BigQueryWarehouse({ settings: SETTINGS, credentials: { mode: 'adc' }, transport: standIn.transport(), maxRetries: 0 })
    const [marts] = await bigquery.bigQuery().createDataset(SETTINGS.martsDataset, { location: 'US' })
    const [credits] = await marts.createTable('fct_attribution_credits', { schema: { fields: CREDITS_SCHEMA } })
    await credits.insert(MARTS.credits)
    const [transitions] = await marts.createTable('agg_channel_transitions', { schema: { fields: TRANSITIONS_SCHEMA } })
    await transitions.insert(MARTS.transitions)
    await marts.createTable('agg_user_last_conversions', { schema: { fields: LAST_CONVERSIONS_SCHEMA } })
    const [buildInfo] = await marts.createTable('rpt_build_info', { schema: { fields: BUILD_INFO_SCHEMA } })
    await buildInfo.insert([{ built_at: '2026-11-01 06:00:00', invocation_id: 'test' }])
    const stagedFields = ['stream_id', 'platform', 'event_name'].map((name) => ({ name, type: 'STRING', mode: 'NULLABLE' }))
    const [staged] = await marts.createTable('stg_ga4__events', { schema: { fields: stagedFields } })
    await staged.insert(STAGED)
    const modelledFields = [{ name: 'conversion_event_name', type: 'STRING', mode: 'NULLABLE' }]
    const [modelled] = await marts.createTable('int_conversion_events_modelled', { schema: { fields: modelledFields } })
    await modelled.insert([{ conversion_event_name: 'purchase' }])
    embedded = await embeddedMarts(MARTS)
    expected = embeddedMartsWarehouse(embedded)
  }, 60_000)

  afterAll(async () => {
    await standIn?.close()
    embedded?.closeSync()
  })

  it('lists the streams with their platform and event counts, most events first', async () => {
    expect(await bigquery.streams()).toEqual([
      { streamId: WEB, platform: 'WEB', events: 30 },
      { streamId: APP, platform: 'ANDROID', events: 12 },
    ])
  })

  it('limits every view to the chosen stream, as the embedded warehouse does on the same rows', async () => {
    const heldBy = (streamId?: string) =>
      new Set(
        MARTS.credits
          .filter((row) => row.conversion_event_name === 'purchase' && row.min_lookback_days <= 30 && row.max_lookback_days >= 30)
          .filter((row) => streamId === undefined || row.stream_id === streamId)
          .map((row) => row.conversion_id),
      ).size
    expect(heldBy(WEB)).toBeGreaterThan(0)
    expect(heldBy(APP)).toBeGreaterThan(0)
    for (const streamId of [WEB, APP]) {
      const filters = { ...FILTERS, streamId }
      const compare = await compareModels(bigquery, { ...filters, models: ['first_click', 'data_driven'] })
      expect(compare.totals.conversions).toBe(heldBy(streamId))
      expect(compare).toEqual(await compareModels(expected, { ...filters, models: ['first_click', 'data_driven'] }))
      expect(await modelComparison(bigquery, filters)).toEqual(await modelComparison(expected, filters))
      const trends: TrendsRequest = { ...filters, models: ['last_click', 'data_driven'], days: 20, byChannel: true }
      expect(await modelTrends(bigquery, trends)).toEqual(await modelTrends(expected, trends))
      const paths: PathsRequest = { ...filters, model: 'linear', limit: 5 }
      const strip = (result: Awaited<ReturnType<typeof conversionPaths>>) => ({
        ...result,
        paths: result.paths.map(({ avg_days_to_conversion: _days, ...path }) => path),
      })
      expect(strip(await conversionPaths(bigquery, paths))).toEqual(strip(await conversionPaths(expected, paths)))
    }
    const all = await compareModels(bigquery, { ...FILTERS, models: ['first_click', 'last_click'] })
    expect(all.totals.conversions).toBe(heldBy(WEB) + heldBy(APP))
  })

  it('answers the stream list over IPC and refuses a stream the events do not hold, naming those they do', async () => {
    const host = { warehouse: () => bigquery } as unknown as HandlerHost
    const handlers = createApiHandlers(host)
    expect(await handlers['attribution:streams']({})).toEqual({ ok: true, value: await bigquery.streams() })
    expect(await handlers['attribution:streams']({ extra: 1 })).toMatchObject({ ok: false })
    const unknown = await handlers['attribution:compare']({ ...FILTERS, models: ['first_click', 'last_click'], streamId: '999' })
    expect(unknown).toEqual({ ok: false, error: `No modelled events are of stream 999. Streams: ${WEB} (WEB), ${APP} (ANDROID).` })
    const malformed = await handlers['attribution:trends']({
      ...FILTERS,
      models: ['first_click', 'last_click'],
      days: 7,
      byChannel: false,
      streamId: 'web',
    })
    expect(malformed.ok ? '' : malformed.error).toMatch(/digits only/)
    const known = await handlers['attribution:compare']({ ...FILTERS, models: ['first_click', 'last_click'], streamId: WEB })
    expect(known.ok ? known.value.totals.conversions : known.error).toBe(
      (await compareModels(bigquery, { ...FILTERS, models: ['first_click', 'last_click'], streamId: WEB })).totals.conversions,
    )
  })
})
