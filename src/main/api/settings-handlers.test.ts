import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppSettings } from '@shared/settings-api'
import { CredentialStore } from '../credentials/credential-store'
import { aesGcmCipher } from '../credentials/secret-cipher'
import { throwawayServiceAccountKey } from '../credentials/testing/throwaway-key'
import { generateEvents } from '../generator'
import { DEFAULT_SETTINGS } from '../settings/app-settings'
import { makeTempDir } from '../testing/fixtures'
import { testConnection } from '../bigquery/connection-test'
import { DeadLetterList } from '../bigquery/intraday-writer'
import { type SettingsHandlers, createSettingsHandlers } from './settings-handlers'
import { BigQueryStandIn } from '../bigquery/testing/bigquery-standin'
import { CREDITS_SCHEMA } from '../bigquery/testing/mart-rows'
import { GA4_BIGQUERY_SCHEMA } from '../bigquery/ga4-bigquery-schema'

const KEY = throwawayServiceAccountKey('acme-analytics')
const SETTINGS: AppSettings = {
  warehouse: 'bigquery',
  bigquery: {
    ...DEFAULT_SETTINGS.bigquery,
    projectId: 'acme-analytics',
    ga4Dataset: 'analytics_123456',
    martsDataset: 'attribution_marts',
    location: 'US',
    credentialMode: 'service_account',
  },
}

/** Everything that would be a leak: the PEM's lines, the key id, the JSON field name. */
function expectNoSecret(text: string): void {
  for (const line of KEY.pemBody) expect(text).not.toContain(line)
  expect(text).not.toContain(KEY.privateKeyId)
  expect(text).not.toContain('private_key')
  expect(text).not.toContain('PRIVATE KEY')
}

describe('settings, credentials and dead-letter handlers', () => {
  const temp = makeTempDir('settings-handlers')
  const logLines: string[] = []
  const results: unknown[] = []
  let standIn: BigQueryStandIn
  let handlers: SettingsHandlers
  let chosenFile: string | null = null
  const deadLetters = new DeadLetterList()

  beforeAll(async () => {
    standIn = await BigQueryStandIn.start()
    await standIn.createDataset('acme-analytics', 'analytics_123456')
    await standIn.createDataset('acme-analytics', 'attribution_marts')
    const client = (await import('../bigquery/bigquery-client')).createBigQueryClient(
      SETTINGS.bigquery,
      { mode: 'adc' },
      { transport: standIn.transport() },
    )
    const events = [...generateEvents({ seed: 1, users: 1, days: 1, endDate: '2021-01-01' })]
    for (const name of ['events_20210101', 'events_intraday_20210102']) {
      const [table] = await client
        .dataset('analytics_123456')
        .createTable(name, { schema: { fields: GA4_BIGQUERY_SCHEMA.map((field) => ({ ...field })) } })
      await table.insert(events)
    }
    await client.dataset('attribution_marts').createTable('fct_attribution_credits', { schema: { fields: CREDITS_SCHEMA } })
    const credentials = new CredentialStore({ dir: temp.dir, cipher: aesGcmCipher(), log: (line) => logLines.push(line) })
    const raw = createSettingsHandlers({
      settingsPath: join(temp.dir, 'settings.json'),
      credentials,
      deadLetters,
      chooseKeyFile: async () => chosenFile,
      transport: standIn.transport(),
      log: (line) => logLines.push(line),
    })
    // Record every answer, to check afterwards that none carries a secret.
    handlers = Object.fromEntries(
      Object.entries(raw).map(([channel, handler]) => [
        channel,
        async (input: unknown) => {
          const result = await (handler as (input: unknown) => Promise<unknown>)(input)
          results.push(result)
          return result
        },
      ]),
    ) as SettingsHandlers
  })

  afterAll(async () => {
    await standIn.close()
    temp.cleanup()
  })

  it('runs a whole session: get, save, choose a key, test, fail, clear; no answer and no log line holds the key', async () => {
    expect(await handlers['settings:get']({})).toMatchObject({
      ok: true,
      value: { settings: DEFAULT_SETTINGS, credentials: { configured: false } },
    })
    expect(await handlers['settings:save']({ ...SETTINGS, bigquery: { ...SETTINGS.bigquery, projectId: 'No Such' } })).toMatchObject({
      ok: false,
    })
    expect(await handlers['settings:save'](SETTINGS)).toMatchObject({ ok: true, value: { settings: SETTINGS } })

    const keyPath = join(temp.dir, 'acme-key.json')
    writeFileSync(keyPath, KEY.json)
    chosenFile = keyPath
    expect(await handlers['credentials:chooseKeyFile']({ persistence: 'stored' })).toEqual({
      ok: true,
      value: { configured: true, projectId: 'acme-analytics', clientEmail: KEY.clientEmail },
    })
    expect(await handlers['settings:get']({})).toMatchObject({
      ok: true,
      value: { credentials: { configured: true }, keyStorage: { persistence: 'stored' } },
    })

    const report = await handlers['settings:testConnection']({})
    expect(report).toEqual({
      ok: true,
      value: {
        projectId: 'acme-analytics',
        ga4Dataset: 'acme-analytics.analytics_123456',
        martsDataset: 'acme-analytics.attribution_marts',
        ga4Location: 'US',
        dayTables: 1,
        intradayTables: 1,
        hasMarts: true,
        notes: [],
      },
    })

    // A bare PEM chosen by mistake: refused, and the refusal quotes nothing of it.
    const pemPath = join(temp.dir, 'key.pem')
    writeFileSync(pemPath, KEY.pem)
    chosenFile = pemPath
    expect(await handlers['credentials:chooseKeyFile']({ persistence: 'stored' })).toEqual({
      ok: false,
      error: expect.stringMatching(/not JSON, so it is not a service-account key file. It looks like a bare PEM private key/),
    })
    chosenFile = null
    expect(await handlers['credentials:chooseKeyFile']({ persistence: 'session' })).toEqual({ ok: true, value: null })
    expect(await handlers['credentials:chooseKeyFile']({ persistence: 'forever' })).toMatchObject({ ok: false })
    expect(await handlers['stream:deadLetters']({})).toEqual({ ok: true, value: [] })
    expect(await handlers['credentials:clear']({})).toEqual({ ok: true, value: { configured: false, projectId: null, clientEmail: null } })
    expect(await handlers['settings:testConnection']({})).toEqual({
      ok: false,
      error: expect.stringMatching(/No service-account key is configured/),
    })

    expect(results.length).toBeGreaterThan(10)
    for (const result of results) expectNoSecret(JSON.stringify(result))
    expect(logLines.length).toBeGreaterThan(3)
    for (const line of logLines) expectNoSecret(line)
  })

  it('lists the dead letters of the session', async () => {
    deadLetters.add([
      {
        eventId: 'e1',
        eventName: 'purchase',
        table: 'events_intraday_20210102',
        reason: 'invalid',
        message: 'no such field: x.',
        failedAt: '2021-01-02T00:00:00.000Z',
      },
    ])
    expect(await handlers['stream:deadLetters']({})).toMatchObject({ ok: true, value: [{ eventId: 'e1', reason: 'invalid' }] })
    expect(await handlers['stream:deadLetters']({ all: true })).toMatchObject({ ok: false })
  })
})

describe('testConnection says exactly what is wrong', () => {
  let standIn: BigQueryStandIn
  const key = {
    mode: 'service_account' as const,
    key: {
      type: 'service_account' as const,
      project_id: 'other-project',
      private_key_id: 'x',
      private_key: 'x',
      client_email: 'a@other-project.iam.gserviceaccount.com',
    },
  }

  beforeAll(async () => {
    standIn = await BigQueryStandIn.start()
    await standIn.createDataset('acme-analytics', 'analytics_123456', 'US')
    await standIn.createDataset('acme-analytics', 'analytics_eu', 'EU')
    await standIn.createDataset('acme-analytics', 'marts_eu', 'EU')
    standIn.denyProject('locked-project')
  })
  afterAll(() => standIn.close())

  const run = (change: Partial<AppSettings['bigquery']>, credentials: Parameters<typeof testConnection>[1] = { mode: 'adc' }) =>
    testConnection({ ...SETTINGS.bigquery, credentialMode: 'adc', ...change }, credentials, { transport: standIn.transport() })

  it('a missing dataset', async () => {
    expect(await run({ ga4Dataset: 'analytics_999' })).toEqual({
      ok: false,
      error: expect.stringMatching(/^Dataset missing: the GA4 export dataset acme-analytics.analytics_999 was not found/),
    })
  })

  it("permission denied, naming the key's own project when it differs", async () => {
    const result = await run(
      { projectId: 'locked-project', ga4Dataset: 'acme-analytics.analytics_123456', credentialMode: 'service_account' },
      key,
    )
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^Running a query in project locked-project: Permission denied: the account may not run queries in project locked-project.*the key belongs to project other-project/,
      ),
    })
  })

  it('a location that does not match the data', async () => {
    expect(await run({ ga4Dataset: 'analytics_eu' })).toEqual({
      ok: false,
      error: expect.stringMatching(/is in EU, but the location in Settings is US/),
    })
  })

  it('an export without tables yet, and marts not built yet, as notes', async () => {
    expect(await run({ martsDataset: 'not_yet' })).toMatchObject({
      ok: true,
      value: {
        dayTables: 0,
        hasMarts: false,
        notes: [
          expect.stringMatching(/no events_YYYYMMDD tables yet/),
          expect.stringMatching(/does not exist yet; the first build creates it/),
        ],
      },
    })
  })

  it('no key, invalid settings, and offline', async () => {
    expect(await run({ credentialMode: 'service_account' }, { mode: 'service_account', key: undefined })).toEqual({
      ok: false,
      error: expect.stringMatching(/No service-account key/),
    })
    expect(await run({ martsDataset: 'bad-name' })).toMatchObject({ ok: false, error: expect.stringMatching(/not a dataset id/) })
    const offline = await testConnection(
      { ...SETTINGS.bigquery, credentialMode: 'adc' },
      { mode: 'adc' },
      { transport: { ...standIn.transport(), apiEndpoint: 'http://127.0.0.1:9' } },
    )
    expect(offline).toEqual({ ok: false, error: expect.stringMatching(/BigQuery cannot be reached: the connection was refused/) })
  })
})
