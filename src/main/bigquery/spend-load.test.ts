import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BigQuerySettings } from '@shared/settings-api'
import { UserFacingError } from '../errors'
import { makeTempDir } from '../testing/fixtures'
import { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import { RAW_SCHEMA } from '../warehouse/duckdb-schema'
import { BigQueryWarehouse } from './bigquery-warehouse'
import { BIGQUERY_SPEND_TABLE, importSpendToBigQuery } from './spend-load'
import { BigQueryStandIn } from './testing/bigquery-standin'

// Spend into BigQuery's marts dataset, checked against the embedded warehouse's import of the same files.
const SETTINGS: BigQuerySettings = {
  projectId: 'acme-analytics',
  ga4Dataset: 'analytics_987654',
  martsDataset: 'attribution_marts',
  location: 'US',
  maximumBytesBilled: 1024 ** 3,
  dbtMaximumBytesBilled: 10 * 1024 ** 3,
  credentialMode: 'adc',
}

// Each platform's documented layout, as in src/main/warehouse/spend-import.test.ts.
const FILES = {
  'ga4.csv': [
    'utm_source,utm_medium,utm_campaign,utm_id,date,impressions,clicks,cost',
    'newsletter_partner,cpc,winter_sale,cmp-1,2026-11-02,1000,40,25.50',
    'newsletter_partner,cpc,winter_sale,cmp-1,2026-11-03,900,35,20',
  ].join('\n'),
  'google-ads.csv': [
    'Campaign report',
    '"November 2, 2026 - November 3, 2026"',
    'Day,Campaign,Campaign ID,Currency code,Impr.,Clicks,Cost',
    '2026-11-02,brand_search,111,USD,"1,200",80,"1,234.56"',
    'Total: Account,--,--,USD,"1,200",80,"1,234.56"',
  ].join('\r\n'),
  'meta.csv': [
    'Reporting starts,Reporting ends,Campaign name,Day,Impressions,Link clicks,Amount spent (USD)',
    '2026-11-02,2026-11-02,retargeting_q4,2026-11-02,5000,60,45.00',
  ].join('\n'),
  'plain.csv': ['date,source,medium,campaign,cost,currency', '2026-11-02,bing,cpc,generic,12.34,USD'].join('\n'),
}

const ROW_SQL = `select cast(spend_date as varchar) as date, source, medium, campaign, coalesce(campaign_id, '') as id,
  cast(cast(cost_usd as decimal(18, 2)) as varchar) as cost, impressions, clicks, file_format`

describe('importing ad spend into BigQuery', () => {
  const temp = makeTempDir('spend-bigquery')
  let standIn: BigQueryStandIn
  let bigquery: BigQueryWarehouse
  const embedded = new EmbeddedWarehouse(join(temp.dir, 'warehouse.duckdb'))
  const paths = Object.entries(FILES).map(([name, text]) => {
    const path = join(temp.dir, name)
    writeFileSync(path, text)
    return path
  })

  beforeAll(async () => {
    standIn = await BigQueryStandIn.start()
    await standIn.createDataset(SETTINGS.projectId, SETTINGS.ga4Dataset)
    bigquery = new BigQueryWarehouse({ settings: SETTINGS, credentials: { mode: 'adc' }, transport: standIn.transport(), maxRetries: 0 })
  })
  afterAll(async () => {
    await embedded.close()
    await standIn?.close()
    temp.cleanup()
  })

  const storedOnBigQuery = async () => {
    const [rows] = await bigquery.bigQuery().query({
      query: `${ROW_SQL} from \`${SETTINGS.projectId}.${SETTINGS.martsDataset}.${BIGQUERY_SPEND_TABLE}\` order by all`,
      useLegacySql: false,
    })
    return (rows as Array<Record<string, unknown>>).map((row) => ({
      ...row,
      impressions: row.impressions === null ? null : Number(row.impressions),
      clicks: row.clicks === null ? null : Number(row.clicks),
    }))
  }
  const storedEmbedded = () =>
    embedded.writeSession(async (file) =>
      (await file.connection.runAndReadAll(`${ROW_SQL} from ${RAW_SCHEMA}.ad_spend order by all`)).getRowObjectsJson().map((row) => ({
        ...row,
        impressions: row.impressions === null ? null : Number(row.impressions),
        clicks: row.clicks === null ? null : Number(row.clicks),
      })),
    )
  const exists = async (dataset: string, table: string) => (await bigquery.bigQuery().dataset(dataset).table(table).exists())[0]
  /** Staging tables the imports created that still exist. */
  const stagingLeft = async () => {
    const created = standIn.requests
      .filter((request) => request.method === 'POST' && request.path.endsWith(`/datasets/${SETTINGS.martsDataset}/tables`))
      .map((request) => String((request.body as { tableReference?: { tableId?: string } }).tableReference?.tableId))
      .filter((name) => name.startsWith('ad_spend_import_'))
    expect(created.length).toBeGreaterThan(0)
    const left = await Promise.all(created.map(async (name) => ((await exists(SETTINGS.martsDataset, name)) ? name : null)))
    return left.filter((name) => name !== null)
  }

  it('creates ad_spend in the marts dataset and stores what the embedded warehouse stores', async () => {
    const results = await importSpendToBigQuery(bigquery.spendTarget(), paths)
    expect(results).toEqual(await embedded.importSpend(paths))
    expect(results.map((result) => [result.format, result.added])).toEqual([
      ['ga4_cost_import', 2],
      ['google_ads', 1],
      ['meta_ads', 1],
      ['plain', 1],
    ])
    expect(await storedOnBigQuery()).toEqual(await storedEmbedded())
    // The staging table is gone; nothing was written to the GA4 export's dataset.
    expect(await stagingLeft()).toEqual([])
    expect(await exists(SETTINGS.ga4Dataset, BIGQUERY_SPEND_TABLE)).toBe(false)
  })

  it('adds nothing for the same file twice, and a corrected file replaces the rows it covers', async () => {
    const [again] = await importSpendToBigQuery(bigquery.spendTarget(), [paths[0] as string])
    expect(again).toMatchObject({ rows: 2, added: 0, changed: 0, unchanged: 2 })
    const corrected = join(temp.dir, 'ga4-corrected.csv')
    writeFileSync(
      corrected,
      FILES['ga4.csv'].replace('2026-11-03,900,35,20', '2026-11-03,900,35,21.75') +
        '\nnewsletter_partner,cpc,winter_sale,cmp-1,2026-11-04,10,1,3',
    )
    const [result] = await importSpendToBigQuery(bigquery.spendTarget(), [corrected])
    expect(result).toMatchObject({ rows: 3, added: 1, changed: 1, unchanged: 1, costUsd: '50.25' })
    expect(result).toEqual((await embedded.importSpend([corrected]))[0])
    expect(await storedOnBigQuery()).toEqual(await storedEmbedded())
  })

  it("refuses bad input with the embedded import's message, storing nothing", async () => {
    const before = await storedOnBigQuery()
    const bad = join(temp.dir, 'bad.csv')
    writeFileSync(bad, 'date,source,medium,campaign,cost,currency\n2026-11-01,bing,cpc,a,1.00,USD\n2026-11-02,bing,cpc,b,-4.00,USD')
    const error = await importSpendToBigQuery(bigquery.spendTarget(), [paths[3] as string, bad]).catch((caught: unknown) => caught)
    const embeddedError = await embedded.importSpend([paths[3] as string, bad]).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UserFacingError)
    expect((error as Error).message).toBe((embeddedError as Error).message)
    expect((error as Error).message).toMatch(/bad\.csv, line 3/)
    expect(await storedOnBigQuery()).toEqual(before)
  })

  it('leaves ad_spend as it was when BigQuery fails part-way, and cleans up its staging table', async () => {
    const before = await storedOnBigQuery()
    const changed = join(temp.dir, 'plain-changed.csv')
    writeFileSync(changed, `${FILES['plain.csv']}\n2026-11-03,bing,cpc,generic,1.00,USD`.replace('12.34', '99.00'))
    standIn.injectFault({ method: 'POST', path: /\/queries$/, status: 400, times: 1 })
    const error = await importSpendToBigQuery(bigquery.spendTarget(), [changed]).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UserFacingError)
    expect(await storedOnBigQuery()).toEqual(before)
    expect(await stagingLeft()).toEqual([])
    // The same import once BigQuery answers again.
    const [result] = await importSpendToBigQuery(bigquery.spendTarget(), [changed])
    expect(result).toMatchObject({ added: 1, changed: 1, unchanged: 0 })
  })
})
