import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserFacingError } from '../errors'
import { makeTempDir } from '../testing/fixtures'
import { EmbeddedWarehouse } from './embedded-warehouse'
import { RAW_SCHEMA } from './duckdb-schema'

/*
 * Files written to each platform's documented column layout (no real exports are kept here):
 * GA4 "cost data import" (utm_source, utm_medium, utm_campaign, utm_id, date, impressions, clicks, cost),
 * a Google Ads campaign report downloaded as CSV (title and date-range lines, then the header, total rows last),
 * and a Meta Ads Manager export broken down by day ("Amount spent (USD)").
 */
const GA4_COST = [
  'utm_source,utm_medium,utm_campaign,utm_id,date,impressions,clicks,cost',
  'newsletter_partner,cpc,winter_sale,cmp-1,2026-11-02,1000,40,25.50',
  'newsletter_partner,cpc,winter_sale,cmp-1,2026-11-03,900,35,20',
].join('\n')

const GOOGLE_ADS = [
  'Campaign report',
  '"November 2, 2026 - November 3, 2026"',
  'Day,Campaign,Campaign ID,Currency code,Impr.,Clicks,Cost',
  '2026-11-02,brand_search,111,USD,"1,200",80,"1,234.56"',
  '2026-11-03,brand_search,111,USD,1000,70,99.10',
  'Total: Account,--,--,USD,"2,200",150,"1,333.66"',
].join('\r\n')

const META_ADS = [
  'Reporting starts,Reporting ends,Campaign name,Day,Impressions,Link clicks,Amount spent (USD)',
  '2026-11-02,2026-11-02,retargeting_q4,2026-11-02,5000,60,45.00',
].join('\n')

const PLAIN = ['date,source,medium,campaign,cost,currency', '2026-11-02,bing,cpc,generic,12.34,USD'].join('\n')

describe('importing ad spend', () => {
  const temp = makeTempDir('spend')
  const warehouse = new EmbeddedWarehouse(join(temp.dir, 'warehouse.duckdb'))
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  function write(name: string, content: string): string {
    const path = join(temp.dir, name)
    writeFileSync(path, content)
    return path
  }

  async function stored(): Promise<Array<Record<string, string>>> {
    return warehouse.writeSession(async (file) => {
      const reader = await file.connection.runAndReadAll(
        `select spend_date::varchar as date, source, medium, campaign, coalesce(campaign_id, '') as id, cost_usd::varchar as cost
         from ${RAW_SCHEMA}.ad_spend order by all`,
      )
      return reader.getRowObjects().map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, String(value)])))
    })
  }

  it('reads the four layouts, mapping Google Ads to google/cpc and Meta to facebook/paid', async () => {
    const results = await warehouse.importSpend([
      write('ga4.csv', GA4_COST),
      write('google-ads.csv', GOOGLE_ADS),
      write('meta.csv', META_ADS),
      write('plain.csv', PLAIN),
    ])
    expect(results.map((result) => [result.format, result.rows, result.added, result.costUsd])).toEqual([
      ['ga4_cost_import', 2, 2, '45.50'],
      ['google_ads', 2, 2, '1333.66'],
      ['meta_ads', 1, 1, '45.00'],
      ['plain', 1, 1, '12.34'],
    ])
    expect(await stored()).toEqual([
      { date: '2026-11-02', source: 'bing', medium: 'cpc', campaign: 'generic', id: '', cost: '12.34' },
      { date: '2026-11-02', source: 'facebook', medium: 'paid', campaign: 'retargeting_q4', id: '', cost: '45.00' },
      { date: '2026-11-02', source: 'google', medium: 'cpc', campaign: 'brand_search', id: '111', cost: '1234.56' },
      { date: '2026-11-02', source: 'newsletter_partner', medium: 'cpc', campaign: 'winter_sale', id: 'cmp-1', cost: '25.50' },
      { date: '2026-11-03', source: 'google', medium: 'cpc', campaign: 'brand_search', id: '111', cost: '99.10' },
      { date: '2026-11-03', source: 'newsletter_partner', medium: 'cpc', campaign: 'winter_sale', id: 'cmp-1', cost: '20.00' },
    ])
  })

  it('adds nothing for the same file twice, and a corrected file replaces the rows it covers', async () => {
    const [again] = await warehouse.importSpend([join(temp.dir, 'ga4.csv')])
    expect(again).toMatchObject({ rows: 2, added: 0, changed: 0, unchanged: 2 })
    const corrected =
      GA4_COST.replace('2026-11-03,900,35,20', '2026-11-03,900,35,21.75') + '\nnewsletter_partner,cpc,winter_sale,cmp-1,2026-11-04,10,1,3'
    const [result] = await warehouse.importSpend([write('ga4-corrected.csv', corrected)])
    expect(result).toMatchObject({ rows: 3, added: 1, changed: 1, unchanged: 1, costUsd: '50.25' })
    // 1436.50 stored before (45.50 + 1333.66 + 45.00 + 12.34), + 1.75 corrected (20.00 -> 21.75), + 3.00 added.
    expect(await warehouse.spendTotals()).toEqual({ rows: 7, costUsd: '1441.25' })
  })

  it('reads a Google Ads "CSV for Excel" download: UTF-16 with a byte-order mark, tab-separated', async () => {
    const text = [
      'Campaign report',
      'November 2, 2026 - November 3, 2026',
      'Day\tCampaign\tCampaign ID\tCurrency code\tImpr.\tClicks\tCost',
      '2026-11-05\tbrand_search\t111\tUSD\t1200\t80\t1,234.56',
    ].join('\r\n')
    const path = join(temp.dir, 'google-ads-excel.csv')
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))
    const [result] = await warehouse.importSpend([path])
    expect(result).toMatchObject({ format: 'google_ads', rows: 1, added: 1, costUsd: '1234.56' })
  })

  it('maps platform campaigns through an edited mapping', async () => {
    const [result] = await warehouse.importSpend([write('meta-ig.csv', META_ADS.replace('retargeting_q4', 'stories'))], {
      mapping: { google_ads: { source: 'google', medium: 'cpc' }, meta_ads: { source: 'instagram', medium: 'paid_social' } },
    })
    expect(result).toMatchObject({ added: 1 })
    expect(await stored()).toContainEqual({
      date: '2026-11-02',
      source: 'instagram',
      medium: 'paid_social',
      campaign: 'stories',
      id: '',
      cost: '45.00',
    })
  })
})

describe('bad spend files leave the warehouse as it was', () => {
  const temp = makeTempDir('bad-spend')
  const warehouse = new EmbeddedWarehouse(join(temp.dir, 'warehouse.duckdb'))
  let before: { rows: number; costUsd: string }

  beforeAll(async () => {
    writeFileSync(join(temp.dir, 'good.csv'), PLAIN)
    await warehouse.importSpend([join(temp.dir, 'good.csv')])
    before = await warehouse.spendTotals()
  })
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  async function expectRefused(name: string, content: string, message: RegExp): Promise<void> {
    const path = join(temp.dir, name)
    writeFileSync(path, content)
    writeFileSync(join(temp.dir, 'fine.csv'), PLAIN.replace('generic', 'other'))
    // A good file beside the bad one is not stored either.
    const error = await warehouse.importSpend([join(temp.dir, 'fine.csv'), path]).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UserFacingError)
    expect((error as Error).message).toMatch(message)
    expect(await warehouse.spendTotals()).toEqual(before)
  }

  const plain = (row: string) => `date,source,medium,campaign,cost,currency\n2026-11-01,bing,cpc,a,1.00,USD\n${row}`

  it('refuses an unparseable date, naming file and line', () => {
    return expectRefused(
      'bad-date.csv',
      plain('11/02/2026,bing,cpc,b,1.00,USD'),
      /bad-date\.csv, line 3: date "11\/02\/2026" is not a date/,
    )
  })

  it('refuses a day that does not exist', () => {
    return expectRefused(
      'impossible.csv',
      plain('2026-02-30,bing,cpc,b,1.00,USD'),
      /impossible\.csv, line 3: date 2026-02-30 does not exist/,
    )
  })

  it('refuses a negative cost', () => {
    return expectRefused('negative.csv', plain('2026-11-02,bing,cpc,b,-5.00,USD'), /negative\.csv, line 3: cost -5\.00 is negative/)
  })

  it('refuses more than two decimals', () => {
    return expectRefused('decimals.csv', plain('2026-11-02,bing,cpc,b,1.005,USD'), /decimals\.csv, line 3: cost "1\.005" is not an amount/)
  })

  it('refuses a currency other than USD, with the reason', () => {
    return expectRefused(
      'euro.csv',
      plain('2026-11-02,bing,cpc,b,1.00,EUR'),
      /euro\.csv, line 3: currency EUR, but costs are stored in USD as revenue is/,
    )
  })

  it('refuses a Google Ads report in another currency', () => {
    return expectRefused('ads-gbp.csv', GOOGLE_ADS.replace('111,USD,"1,200"', '111,GBP,"1,200"'), /ads-gbp\.csv, line 4: currency GBP/)
  })

  it('refuses a Meta export whose amount is in another currency', () => {
    return expectRefused('meta-eur.csv', META_ADS.replace('(USD)', '(EUR)'), /meta-eur\.csv, line 2: currency EUR/)
  })

  it('refuses a duplicate row in a file', () => {
    return expectRefused(
      'dupe.csv',
      plain('2026-11-01,bing,cpc,a,2.00,USD'),
      /dupe\.csv, line 3: duplicate row: 2026-11-01 bing \/ cpc \/ a is already on line 2/,
    )
  })

  it('refuses the same day and campaign in two files of one import', () => {
    return expectRefused(
      'dupe-across.csv',
      PLAIN.replace('generic', 'other'),
      /dupe-across\.csv, line 2: duplicate row: .* is also in .*fine\.csv, line 2/,
    )
  })

  it('refuses a file that is no spend layout', () => {
    return expectRefused('notes.csv', 'when,what\n2026-11-01,lunch\n', /notes\.csv is not a spend file/)
  })

  it('refuses a Meta row that covers more than a day', () => {
    return expectRefused(
      'meta-week.csv',
      META_ADS.replace('2026-11-02,2026-11-02', '2026-11-02,2026-11-08'),
      /covers 2026-11-02 to 2026-11-08; export it broken down by day/,
    )
  })
})
