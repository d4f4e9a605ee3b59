import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BigQuerySettings } from '@shared/settings-api'
import { createBigQueryClient } from '../bigquery/bigquery-client'
import { BIGQUERY_SPEND_TABLE } from '../bigquery/spend-load'
import { BigQueryStandIn } from '../bigquery/testing/bigquery-standin'
import { DEFAULT_SETTINGS, writeSettings } from '../settings/app-settings'
import { makeTempDir } from '../testing/fixtures'
import { DEFAULT_SPEND_MAPPING } from '../warehouse/spend-formats'
import { SPEND_MODELS } from '../warehouse/spend-import'
import { runBigQueryImportSpend } from './bigquery-spend-command'

// `attribution import-spend --bigquery`: the app's Settings file names the marts dataset; spend lands
// in its ad_spend (never the export), and dbt rebuilds the cost mart there (a stand-in here: dbt
// cannot reach the REST stand-in; the emulator suite runs the real mart on BigQuery SQL).
const SETTINGS: BigQuerySettings = {
  projectId: 'acme-analytics',
  ga4Dataset: 'analytics_987654',
  martsDataset: 'attribution_marts',
  location: 'US',
  maximumBytesBilled: 1024 ** 3,
  dbtMaximumBytesBilled: 10 * 1024 ** 3,
  credentialMode: 'service_account',
}

describe('attribution import-spend --bigquery', () => {
  const temp = makeTempDir('spend-bigquery-cli')
  const settingsPath = join(temp.dir, 'settings.json')
  const spendPath = join(temp.dir, 'plain.csv')
  let standIn: BigQueryStandIn

  beforeAll(async () => {
    standIn = await BigQueryStandIn.start()
    await standIn.createDataset(SETTINGS.projectId, SETTINGS.ga4Dataset)
    await writeSettings(settingsPath, { ...DEFAULT_SETTINGS, warehouse: 'bigquery', bigquery: SETTINGS })
    writeFileSync(
      spendPath,
      ['date,source,medium,campaign,cost,currency', '2026-11-02,bing,cpc,generic,12.34,USD', '2026-11-03,bing,cpc,generic,10,USD'].join(
        '\n',
      ),
    )
  })
  afterAll(async () => {
    await standIn?.close()
    temp.cleanup()
  })

  const storedCost = async (): Promise<string[]> => {
    const client = createBigQueryClient(SETTINGS, { mode: 'adc' }, { transport: standIn.transport() })
    const [rows] = await client.query({
      query: `select cast(spend_date as string) as day, cast(cast(cost_usd as numeric) as string) as cost from \`${SETTINGS.projectId}.${SETTINGS.martsDataset}.${BIGQUERY_SPEND_TABLE}\` order by 1`,
      useLegacySql: false,
    })
    return (rows as Array<{ day: string; cost: string }>).map((row) => `${row.day} ${Number(row.cost).toFixed(2)}`)
  }

  it('loads the file into the marts dataset with Application Default Credentials, then rebuilds the cost mart there', async () => {
    const lines: string[] = []
    const selected: string[] = []
    const firstRequest = standIn.requests.length
    await runBigQueryImportSpend(settingsPath, [spendPath], DEFAULT_SPEND_MAPPING, {
      transport: standIn.transport(),
      build: async (select) => {
        selected.push(select)
        return { success: true, errors: [], durationMs: 1 }
      },
      write: (line) => lines.push(line),
    })
    expect(lines[0]).toBe('importing spend into BigQuery acme-analytics.attribution_marts.ad_spend')
    expect(lines[1]).toBe(`${spendPath}: 2 rows (plain): 2 added, 0 changed, 0 unchanged; 22.34 USD`)
    expect(selected).toEqual([SPEND_MODELS])
    expect(await storedCost()).toEqual(['2026-11-02 12.34', '2026-11-03 10.00'])
    const sent = standIn.requests.slice(firstRequest)
    // No Google credential: the settings' service-account mode is the app's; the CLI uses ADC.
    expect(sent.every((request) => request.authorization === undefined)).toBe(true)
    expect(sent.filter((request) => request.method !== 'GET' && request.path.includes(`/datasets/${SETTINGS.ga4Dataset}`))).toEqual([])
  })

  it('adds nothing the second time, and says the import worked when the build after it fails', async () => {
    const lines: string[] = []
    const failing = runBigQueryImportSpend(settingsPath, [spendPath], DEFAULT_SPEND_MAPPING, {
      transport: standIn.transport(),
      build: async () => ({ success: false, errors: ['agg_cost_and_return: Syntax error'], durationMs: 1 }),
      write: (line) => lines.push(line),
    })
    await expect(failing).rejects.toThrow(
      /The spend import worked; the cost mart build on BigQuery after it failed: agg_cost_and_return: Syntax error Fix the cause, then run the same import again/,
    )
    expect(lines[1]).toContain('already imported, nothing changed')
    expect(await storedCost()).toEqual(['2026-11-02 12.34', '2026-11-03 10.00'])
  })

  it('refuses a settings file that names no BigQuery marts dataset, and a bad row, storing nothing', async () => {
    const emptySettings = join(temp.dir, 'empty-settings.json')
    await writeSettings(emptySettings, DEFAULT_SETTINGS)
    await expect(
      runBigQueryImportSpend(emptySettings, [spendPath], DEFAULT_SPEND_MAPPING, { transport: standIn.transport(), write: () => undefined }),
    ).rejects.toThrow(/names no BigQuery project and marts dataset/)
    const bad = join(temp.dir, 'bad.csv')
    writeFileSync(bad, ['date,source,medium,campaign,cost,currency', '2026-11-04,bing,cpc,generic,-5,USD'].join('\n'))
    const build = async () => ({ success: true, errors: [], durationMs: 1 })
    await expect(
      runBigQueryImportSpend(settingsPath, [bad], DEFAULT_SPEND_MAPPING, { transport: standIn.transport(), build, write: () => undefined }),
    ).rejects.toThrow(/bad\.csv/)
    expect(await storedCost()).toEqual(['2026-11-02 12.34', '2026-11-03 10.00'])
  })
})
