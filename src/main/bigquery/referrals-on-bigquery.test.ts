import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BigQuerySettings } from '@shared/settings-api'
import { type AppServices, createAppServices } from '../app-services'
import { re2PatternProblem, referralVars } from '../referrals/bigquery-referrals'
import { makeTempDir } from '../testing/fixtures'
import { BigQueryWarehouse } from './bigquery-warehouse'
import { BigQueryStandIn } from './testing/bigquery-standin'
import { BUILD_INFO_SCHEMA, CREDITS_SCHEMA, LAST_CONVERSIONS_SCHEMA, TRANSITIONS_SCHEMA, generateMarts } from './testing/mart-rows'

// On BigQuery the unwanted referrals live in the app's data folder per marts dataset: what the app
// shows and changes, and what every dbt run it starts there passes as vars.
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
const LIST = {
  detectsSelfReferrals: false,
  unwantedReferrals: [
    { matchType: 'ends_with' as const, pattern: 'paypal.com' },
    { matchType: 'regex' as const, pattern: '^checkout\\.(stripe|adyen)\\.com$' },
  ],
}

describe('unwanted referrals on BigQuery', () => {
  const temp = makeTempDir('referrals-bigquery')
  let standIn: BigQueryStandIn
  const open: AppServices[] = []
  const start = async (): Promise<AppServices> => {
    const services = await createAppServices({
      warehousePath: join(temp.dir, 'warehouse.duckdb'),
      autoSetUpDbt: false,
      bigQueryTransport: standIn.transport(),
    })
    open.push(services)
    return services
  }

  beforeAll(async () => {
    standIn = await BigQueryStandIn.start()
    await standIn.createDataset(PROJECT, SETTINGS.ga4Dataset)
    const client = new BigQueryWarehouse({
      settings: SETTINGS,
      credentials: { mode: 'adc' },
      transport: standIn.transport(),
      maxRetries: 0,
    }).bigQuery()
    const marts = generateMarts(5, 20)
    const [dataset] = await client.createDataset(SETTINGS.martsDataset, { location: 'US' })
    await (await dataset.createTable('fct_attribution_credits', { schema: { fields: CREDITS_SCHEMA } }))[0].insert(marts.credits)
    await (await dataset.createTable('agg_channel_transitions', { schema: { fields: TRANSITIONS_SCHEMA } }))[0].insert(marts.transitions)
    await dataset.createTable('agg_user_last_conversions', { schema: { fields: LAST_CONVERSIONS_SCHEMA } })
    await (
      await dataset.createTable('rpt_build_info', { schema: { fields: BUILD_INFO_SCHEMA } })
    )[0].insert([{ built_at: '2026-11-01 06:00:00', invocation_id: 'test' }])
  }, 60_000)
  afterEach(async () => {
    // Closing stops the re-model a save schedules before it starts (the stand-in runs no dbt).
    await Promise.all(open.splice(0).map((services) => services.close()))
  })
  afterAll(async () => {
    await standIn?.close()
    temp.cleanup()
  })

  it('are read, refused when invalid, stored, and shown in the status the views name them from', async () => {
    const app = await start()
    expect(await app.handlers['settings:save']({ warehouse: 'bigquery', bigquery: SETTINGS })).toMatchObject({ ok: true })
    expect(await app.handlers['referrals:get']({})).toEqual({
      ok: true,
      value: { settings: { detectsSelfReferrals: true, unwantedReferrals: [] }, candidates: [] },
    })
    const lookahead = await app.handlers['referrals:save']({
      detectsSelfReferrals: true,
      unwantedReferrals: [{ matchType: 'regex', pattern: 'pay(?=pal)' }],
    })
    expect(lookahead).toEqual({
      ok: false,
      error:
        '"pay(?=pal)" is not a valid regular expression (lookahead and lookbehind are not supported by BigQuery). The rule was not saved.',
    })
    expect(
      await app.handlers['referrals:save']({ detectsSelfReferrals: true, unwantedReferrals: [{ matchType: 'sounds_like', pattern: 'x' }] }),
    ).toMatchObject({ ok: false })
    expect(await app.handlers['referrals:save'](LIST)).toEqual({ ok: true, value: { settings: LIST, candidates: [] } })
    const status = await app.handlers['warehouse:status']({})
    expect(status.ok && status.value).toMatchObject({ kind: 'bigquery', referrals: LIST })
  })

  it('are what the next start reads for that marts dataset, and another dataset starts from the defaults', async () => {
    const app = await start()
    expect(await app.handlers['referrals:get']({})).toMatchObject({ ok: true, value: { settings: LIST } })
    const stored = JSON.parse(readFileSync(join(temp.dir, 'bigquery-referrals.json'), 'utf8'))
    expect(stored).toEqual({ [`${PROJECT}.${SETTINGS.martsDataset}`]: LIST })
    expect(
      await app.handlers['settings:save']({ warehouse: 'bigquery', bigquery: { ...SETTINGS, martsDataset: 'other_marts' } }),
    ).toMatchObject({ ok: true })
    expect(await app.handlers['referrals:get']({})).toMatchObject({
      ok: true,
      value: { settings: { detectsSelfReferrals: true, unwantedReferrals: [] } },
    })
  })

  it('reach dbt as the vars its macros read', () => {
    expect(referralVars(LIST)).toEqual({
      unwanted_referrals: [
        { match_type: 'ends_with', pattern: 'paypal.com' },
        { match_type: 'regex', pattern: '^checkout\\.(stripe|adyen)\\.com$' },
      ],
      detect_self_referrals: false,
    })
    expect(re2PatternProblem('(a)\\1')).toMatch(/backreferences/)
    expect(re2PatternProblem('pay[')).toMatch(/Unterminated character class/)
    expect(re2PatternProblem('^www\\.example\\.com$')).toBeUndefined()
  })
})
