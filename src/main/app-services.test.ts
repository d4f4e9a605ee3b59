import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { AppSettings } from '@shared/settings-api'
import { type AppServices, type AppServicesOptions, createAppServices } from './app-services'
import { aesGcmCipher } from './credentials/secret-cipher'
import { throwawayServiceAccountKey } from './credentials/testing/throwaway-key'
import { DEFAULT_SETTINGS } from './settings/app-settings'
import { makeTempDir } from './testing/fixtures'

// Start-up with BigQuery chosen but its key unusable: the app opens on the embedded warehouse and says why.
const KEY = throwawayServiceAccountKey('acme-analytics')
const BIGQUERY_WITH_KEY: AppSettings = {
  warehouse: 'bigquery',
  bigquery: {
    ...DEFAULT_SETTINGS.bigquery,
    projectId: 'acme-analytics',
    ga4Dataset: 'analytics_123456',
    credentialMode: 'service_account',
  },
}

describe('starting with BigQuery chosen and its key unusable', () => {
  const temps: Array<{ dir: string; cleanup: () => void }> = []
  const open: AppServices[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((services) => services.close()))
    for (const temp of temps.splice(0)) temp.cleanup()
  })

  /** One app start on a data folder of the test's own: the bridge's when no cipher is given. */
  const start = async (dir: string, options: Partial<AppServicesOptions> = {}): Promise<AppServices> => {
    const services = await createAppServices({ warehousePath: join(dir, 'warehouse.duckdb'), autoSetUpDbt: false, ...options })
    open.push(services)
    return services
  }
  const folder = (): string => {
    const temp = makeTempDir('app-start')
    temps.push(temp)
    return temp.dir
  }
  /** The app's own status answer, as the renderer gets it. */
  const status = async (services: AppServices) => {
    const answer = await services.handlers['warehouse:status']({})
    if (!answer.ok) throw new Error(answer.error)
    return answer.value
  }

  it('starts on the embedded warehouse after a restart forgot a session-only key, and offers to choose a key', async () => {
    const dir = folder()
    const first = await start(dir, { cipher: aesGcmCipher() })
    expect(await first.credentials.keep(KEY.json, { persistence: 'session' })).toMatchObject({ ok: true })
    expect(await first.handlers['settings:save'](BIGQUERY_WITH_KEY)).toMatchObject({ ok: true })
    await first.close()
    open.splice(0)

    const restarted = await start(dir, { cipher: aesGcmCipher() })
    expect(await status(restarted)).toMatchObject({
      kind: 'embedded',
      fallback: {
        action: 'choose-key',
        message: expect.stringMatching(/no service-account key is available \(a key kept for this session only/),
      },
    })
    // The settings are kept as chosen: choosing the key again brings BigQuery back.
    expect(await restarted.handlers['settings:get']({})).toMatchObject({ ok: true, value: { settings: BIGQUERY_WITH_KEY } })
  })

  it('starts on the embedded warehouse when the stored key cannot be decrypted (the keyring changed)', async () => {
    const dir = folder()
    const first = await start(dir, { cipher: aesGcmCipher() })
    expect(await first.credentials.keep(KEY.json, { persistence: 'stored' })).toMatchObject({ ok: true })
    expect(await first.handlers['settings:save'](BIGQUERY_WITH_KEY)).toMatchObject({ ok: true })
    await first.close()
    open.splice(0)

    const otherKeyring = await start(dir, { cipher: aesGcmCipher() })
    const answer = await status(otherKeyring)
    expect(answer).toMatchObject({
      kind: 'embedded',
      fallback: { action: 'choose-key', message: expect.stringContaining('could not be decrypted') },
    })
    expect(answer.fallback?.message).toContain('The embedded warehouse is shown meanwhile.')
  })

  it('starts on the embedded warehouse when the keyring is locked', async () => {
    const dir = folder()
    const first = await start(dir, { cipher: aesGcmCipher() })
    expect(await first.credentials.keep(KEY.json, { persistence: 'stored' })).toMatchObject({ ok: true })
    expect(await first.handlers['settings:save'](BIGQUERY_WITH_KEY)).toMatchObject({ ok: true })
    await first.close()
    open.splice(0)

    const locked = await start(dir, { cipher: aesGcmCipher({ available: false }) })
    expect(await status(locked)).toMatchObject({
      kind: 'embedded',
      fallback: { action: 'choose-key', message: expect.stringContaining('secret store is not available') },
    })
  })

  it('starts on settings an earlier bridge saved without a key (the browser bridge has no keyring)', async () => {
    const dir = folder()
    writeFileSync(join(dir, 'settings.json'), `${JSON.stringify(BIGQUERY_WITH_KEY, null, 2)}\n`)
    const bridge = await start(dir)
    expect(await status(bridge)).toMatchObject({ kind: 'embedded', fallback: { action: 'choose-key' } })
  })

  it('refuses to save BigQuery without a key through the bridge and writes nothing', async () => {
    const dir = folder()
    const bridge = await start(dir)
    const saved = await bridge.handlers['settings:save'](BIGQUERY_WITH_KEY)
    expect(saved).toEqual({ ok: false, error: expect.stringContaining('needs the key first') })
    expect(existsSync(join(dir, 'settings.json'))).toBe(false)

    // With settings saved before, a refused save leaves them byte for byte.
    const embedded = { ...BIGQUERY_WITH_KEY, warehouse: 'embedded' as const }
    expect(await bridge.handlers['settings:save'](embedded)).toMatchObject({ ok: true })
    const before = readFileSync(join(dir, 'settings.json'), 'utf8')
    expect(await bridge.handlers['settings:save'](BIGQUERY_WITH_KEY)).toMatchObject({ ok: false })
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(before)
    expect(await status(bridge)).toMatchObject({ kind: 'embedded' })
    expect((await status(bridge)).fallback).toBeUndefined()
  })

  it('falls back with the notice when the key is removed while BigQuery is in use, and returns once a key is chosen', async () => {
    const dir = folder()
    const keyPath = join(dir, 'key.json')
    writeFileSync(keyPath, KEY.json)
    const services = await start(dir, { cipher: aesGcmCipher(), chooseKeyFile: async () => keyPath })
    expect(await services.handlers['credentials:chooseKeyFile']({ persistence: 'stored' })).toMatchObject({ ok: true })
    expect(await services.handlers['settings:save'](BIGQUERY_WITH_KEY)).toMatchObject({ ok: true })
    expect(await services.handlers['credentials:clear']({})).toMatchObject({ ok: true, value: { configured: false } })
    expect(await status(services)).toMatchObject({ kind: 'embedded', fallback: { action: 'choose-key' } })
    expect(await services.handlers['credentials:chooseKeyFile']({ persistence: 'session' })).toMatchObject({ ok: true })
    // BigQuery is in use again (its status would go to Google): the BigQuery streamer answers, which has no outside-change field.
    const streamStatus = await services.handlers['stream:status']({})
    expect(streamStatus.ok && !('outsideChange' in streamStatus.value)).toBe(true)
  })
})
