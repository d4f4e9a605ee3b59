import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attributionReport } from '../services/model-reports'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'

/** collected_traffic_source as 2024 exports write it (all twelve fields). */
const COLLECTED_TYPE = `STRUCT(manual_campaign_id VARCHAR, manual_campaign_name VARCHAR, manual_source VARCHAR,
  manual_medium VARCHAR, manual_term VARCHAR, manual_content VARCHAR, manual_source_platform VARCHAR,
  manual_creative_format VARCHAR, manual_marketing_tactic VARCHAR, gclid VARCHAR, dclid VARCHAR, srsltid VARCHAR)`

/** session_traffic_source_last_click as 2024 exports write it, with a record the app does not read (sa360_campaign). */
const LAST_CLICK_TYPE = `STRUCT(
  manual_campaign STRUCT(campaign_id VARCHAR, campaign_name VARCHAR, "source" VARCHAR, medium VARCHAR, term VARCHAR, content VARCHAR),
  google_ads_campaign STRUCT(customer_id VARCHAR, account_name VARCHAR, campaign_id VARCHAR, campaign_name VARCHAR,
    ad_group_id VARCHAR, ad_group_name VARCHAR),
  sa360_campaign STRUCT(campaign_id VARCHAR, campaign_name VARCHAR))`

interface Collected {
  source?: string
  medium?: string
  campaign?: string
  gclid?: string
  dclid?: string
}

interface Visit {
  user: string
  params?: Record<string, string>
  /** collected_traffic_source on the landing event; undefined: the column holds NULL. */
  collected?: Collected
  /** session_traffic_source_last_click.google_ads_campaign.campaign_name on every event of the session. */
  googleAdsCampaign?: string
}

/** The channel each visit's session must get, and its source / medium / campaign, from the written rule (docs/assumptions.md). */
interface Expected {
  source: string
  medium: string
  campaign: string
  channel: string
}

const SESSION_ID = 1_709_280_000
const START_MICROS = Date.UTC(2024, 2, 1, 9) * 1000

/** Visits of a 2024 export: the columns exist on every row. */
const MODERN: Array<[Visit, Expected]> = [
  [
    {
      user: 'utm_over_params',
      params: { source: 'google', medium: 'organic' },
      collected: { source: 'newsletter', medium: 'email', campaign: 'weekly' },
    },
    { source: 'newsletter', medium: 'email', campaign: 'weekly', channel: 'Email' },
  ],
  [
    { user: 'gclid_only', collected: { gclid: 'Cj0KCQiA4bOpBhDa' }, googleAdsCampaign: 'Brand - Exact' },
    { source: 'google', medium: 'cpc', campaign: 'Brand - Exact', channel: 'Paid Search' },
  ],
  [
    {
      user: 'utm_campaign_with_gclid',
      collected: { source: 'google', medium: 'cpc', campaign: 'spring_sale', gclid: 'Cj0KCQiA4bOpBhDb' },
      googleAdsCampaign: 'Brand - Exact',
    },
    { source: 'google', medium: 'cpc', campaign: 'spring_sale', channel: 'Paid Search' },
  ],
  [
    { user: 'empty_gclid', params: { source: 'google', medium: 'organic', campaign: '(organic)' }, collected: { gclid: '' } },
    { source: 'google', medium: 'organic', campaign: '(organic)', channel: 'Organic Search' },
  ],
  [
    { user: 'empty_gclid_on_paid_social', params: { source: 'facebook', medium: 'paid_social' }, collected: { gclid: '' } },
    { source: 'facebook', medium: 'paid_social', campaign: '(not set)', channel: 'Paid Social' },
  ],
  [
    { user: 'dclid_click', collected: { dclid: 'CJvV2fHpgIIDFQ' } },
    { source: '(not set)', medium: '(not set)', campaign: '(not set)', channel: 'Display' },
  ],
  [
    { user: 'direct_after_an_ads_click', collected: {}, googleAdsCampaign: 'Brand - Exact' },
    { source: '(direct)', medium: '(none)', campaign: '(direct)', channel: 'Direct' },
  ],
]

/** Visits of a 2021 export: neither column exists in the file. */
const OLDER: Array<[Visit, Expected]> = [
  [
    { user: 'older_export', params: { source: 'bing', medium: 'organic', gclid: '' } },
    { source: 'bing', medium: 'organic', campaign: '(not set)', channel: 'Organic Search' },
  ],
  [
    { user: 'older_export_gclid', params: { source: 'google', medium: 'cpc', gclid: 'EAIaIQobChMI' } },
    { source: 'google', medium: 'cpc', campaign: '(not set)', channel: 'Paid Search' },
  ],
]

const text = (value: string | undefined): string => (value === undefined ? 'null' : `'${value.replace(/'/g, "''")}'`)

function param(key: string, value: string | number): string {
  const isInt = typeof value === 'number'
  return `{'key': '${key}', 'value': {'string_value': ${isInt ? 'null' : text(value)}, 'int_value': ${isInt ? value : 'null'}, 'float_value': null, 'double_value': null}}`
}

/** A landing page_view and a purchase in one session, as export rows (a select of literals). */
function visitRows(visit: Visit, index: number, withNewColumns: boolean): string[] {
  const at = START_MICROS + index * 3_600_000_000
  const landingParams = [
    param('ga_session_id', SESSION_ID + index),
    ...Object.entries(visit.params ?? {}).map(([key, value]) => param(key, value)),
  ]
  const purchaseParams = [param('ga_session_id', SESSION_ID + index)]
  const { collected } = visit
  const collectedSql =
    collected === undefined
      ? 'null'
      : `{'manual_campaign_id': null, 'manual_campaign_name': ${text(collected.campaign)}, 'manual_source': ${text(collected.source)},
          'manual_medium': ${text(collected.medium)}, 'manual_term': null, 'manual_content': null, 'manual_source_platform': null,
          'manual_creative_format': null, 'manual_marketing_tactic': null, 'gclid': ${text(collected.gclid)}, 'dclid': ${text(collected.dclid)}, 'srsltid': null}`
  const lastClickSql = `{'manual_campaign': {'campaign_id': null, 'campaign_name': '(not set)', 'source': null, 'medium': null, 'term': null, 'content': null},
      'google_ads_campaign': {'customer_id': null, 'account_name': null, 'campaign_id': null, 'campaign_name': ${text(visit.googleAdsCampaign)},
        'ad_group_id': null, 'ad_group_name': null},
      'sa360_campaign': {'campaign_id': null, 'campaign_name': null}}`
  const row = (micros: number, name: string, params: string[], collectedValue: string, revenue: string, transactionId: string): string =>
    `select '20240301' as event_date, ${micros}::bigint as event_timestamp, '${name}' as event_name,
      cast([${params.join(', ')}] as STRUCT("key" VARCHAR, "value" STRUCT(string_value VARCHAR, int_value BIGINT, float_value DOUBLE, double_value DOUBLE))[]) as event_params,
      1::bigint as event_bundle_sequence_id, '${visit.user}' as user_pseudo_id,
      {'purchase_revenue_in_usd': ${revenue}::double, 'transaction_id': ${transactionId}} as ecommerce` +
    (withNewColumns
      ? `, cast(${collectedValue} as ${COLLECTED_TYPE}) as collected_traffic_source, cast(${lastClickSql} as ${LAST_CLICK_TYPE}) as session_traffic_source_last_click`
      : '')
  // Only the landing event carries the collected fields, as in real exports; later events carry NULL.
  return [
    row(at, 'page_view', landingParams, collectedSql, 'null', 'null'),
    row(at + 60_000_000, 'purchase', purchaseParams, 'null', '10.0', `'T-${visit.user}'`),
  ]
}

async function writeExport(
  scratch: string,
  path: string,
  visits: Array<[Visit, Expected]>,
  offset: number,
  withNewColumns: boolean,
): Promise<void> {
  const rows = visits.flatMap(([visit], index) => visitRows(visit, offset + index, withNewColumns))
  await withDuckDbFile(scratch, { readOnly: false }, ({ connection }) =>
    connection.run(`copy (${rows.join('\nunion all\n')}) to '${path}' (format parquet)`),
  )
}

describe("the export's traffic-source fields, with and without them", () => {
  const temp = makeTempDir('export-traffic-source')
  const warehouse = new EmbeddedWarehouse(join(temp.dir, 'warehouse.duckdb'))
  const visits = [...MODERN, ...OLDER]

  beforeAll(async () => {
    const scratch = join(temp.dir, 'scratch.duckdb')
    await writeExport(scratch, join(temp.dir, 'events_2024.parquet'), MODERN, 0, true)
    await writeExport(scratch, join(temp.dir, 'events_2021.parquet'), OLDER, MODERN.length, false)
    await warehouse.importFiles([join(temp.dir, 'events_2024.parquet'), join(temp.dir, 'events_2021.parquet')])
    assertDbtSucceeded(await warehouse.build({}))
  })
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  it('gives each session the source, medium, campaign and channel of the written precedence', async () => {
    const sessions = await withDuckDbFile(warehouse.path, { readOnly: true }, async ({ connection }) => {
      const reader = await connection.runAndReadAll(
        `select user_key, source, medium, campaign, channel from attribution.int_sessions_classified`,
      )
      return Object.fromEntries(
        reader
          .getRowObjectsJson()
          .map((row) => [String(row.user_key), { source: row.source, medium: row.medium, campaign: row.campaign, channel: row.channel }]),
      )
    })
    expect(sessions).toEqual(Object.fromEntries(visits.map(([visit, expected]) => [visit.user, expected])))
  })

  it("credits each purchase to its session's channel under last click", async () => {
    const report = await attributionReport(warehouse, {
      model: 'last_click',
      lookbackDays: 14,
      conversionEvents: ['purchase'],
      by: 'channel',
    })
    const expected = new Map<string, number>()
    for (const [, { channel }] of visits) expected.set(channel, (expected.get(channel) ?? 0) + 1)
    expect(Object.fromEntries(report.rows.map((row) => [row.channel, row.conversions]))).toEqual(Object.fromEntries(expected))
  })
})
