import { open } from 'node:fs/promises'
import type { Result } from '@shared/attribution'
import type { AppSettings, ChooseKeyFileRequest, CredentialSummary, SettingsChannels, SettingsView } from '@shared/settings-api'
import type { CredentialStore } from '../credentials/credential-store'
import { redactSecrets, redactingLog } from '../credentials/redact'
import { MAX_KEY_FILE_BYTES } from '../credentials/service-account-key'
import { UserFacingError, messageOf } from '../errors'
import { loadSettings, settingsToSave, validateAppSettings, writeSettings } from '../settings/app-settings'
import type { BigQueryCredentials, BigQueryTransport } from '../bigquery/bigquery-client'
import { testConnection } from '../bigquery/connection-test'
import type { DeadLetterList } from '../bigquery/intraday-writer'
import { isRecord } from '@shared/is-record'

/** One handler per settings channel: untrusted input in, a Result out, never a throw, never a key. */
export type SettingsHandlers = { [C in keyof SettingsChannels]: (input: unknown) => Promise<Awaited<ReturnType<SettingsChannels[C]>>> }

/** What the settings handlers need from the host; Electron provides the file dialog. */
export interface SettingsHost {
  /** The settings JSON file in the user data folder. */
  settingsPath: string
  credentials: CredentialStore
  deadLetters: DeadLetterList
  /** Lets the person pick a key file; null when cancelled; undefined where there is no dialog. */
  chooseKeyFile?: () => Promise<string | null>
  /** Told after the credentials change, so the app can switch warehouses. */
  onChanged?: (settings: AppSettings) => void
  /**
   * Readies the warehouse that settings about to be saved choose, without switching to it; the
   * function it answers switches. A refusal fails the save before anything is written.
   */
  prepare?: (settings: AppSettings) => Result<() => void>
  log?: (line: string) => void
  /** Tests only: a loopback BigQuery. */
  transport?: BigQueryTransport
}

function validateEmpty(input: unknown): Result<Record<string, never>> {
  return isRecord(input) && Object.keys(input).length === 0
    ? { ok: true, value: {} }
    : { ok: false, error: 'This request takes no fields.' }
}

function validateChooseKeyFile(input: unknown): Result<ChooseKeyFileRequest> {
  if (!isRecord(input)) return { ok: false, error: 'The request must be an object.' }
  if (input.persistence !== 'stored' && input.persistence !== 'session')
    return { ok: false, error: 'persistence must be stored or session.' }
  if (input.allowPlainText !== undefined && typeof input.allowPlainText !== 'boolean')
    return { ok: false, error: 'allowPlainText must be true or false.' }
  return {
    ok: true,
    value: { persistence: input.persistence, ...(input.allowPlainText === undefined ? {} : { allowPlainText: input.allowPlainText }) },
  }
}

/** Reads a key file in the main process, refusing anything larger than a key could be. */
async function readKeyFile(path: string): Promise<Buffer> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    throw new UserFacingError(`The key file could not be opened (${(error as NodeJS.ErrnoException).code ?? 'error'}).`)
  }
  try {
    const { size } = await handle.stat()
    if (size > MAX_KEY_FILE_BYTES)
      throw new UserFacingError('The file is too large to be a service-account key (they are about 2 KB of JSON).')
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/** Builds the settings, credentials and dead-letter handlers over the host. */
export function createSettingsHandlers(host: SettingsHost): SettingsHandlers {
  const log = redactingLog(
    (line) => host.log?.(line),
    () => host.credentials.secrets(),
  )
  let notice: string | null = null

  /** Runs work that answers a Result; a throw becomes an error Result with every secret removed. */
  const settle = async <T>(work: () => Promise<Result<T>>): Promise<Result<T>> => {
    try {
      return await work()
    } catch (error) {
      if (error instanceof UserFacingError) return { ok: false, error: redactSecrets(error.message, host.credentials.secrets()) }
      log(`Unexpected error in settings: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      return { ok: false, error: `Something went wrong: ${redactSecrets(messageOf(error), host.credentials.secrets())}` }
    }
  }
  const guard = <T>(work: () => Promise<T>): Promise<Result<T>> => settle(async () => ({ ok: true, value: await work() }))
  const current = async (): Promise<AppSettings> => {
    const loaded = await loadSettings(host.settingsPath)
    notice = loaded.notice
    if (loaded.notice) log(loaded.notice)
    return loaded.settings
  }
  const view = async (settings?: AppSettings): Promise<SettingsView> => {
    const shown = settings ?? (await current())
    return { settings: shown, credentials: host.credentials.summary(), keyStorage: host.credentials.storageInfo(), notice }
  }
  const credentialsFor = (settings: AppSettings): BigQueryCredentials =>
    settings.bigquery.credentialMode === 'adc' ? { mode: 'adc' } : { mode: 'service_account', key: host.credentials.serviceAccountKey() }

  return {
    'settings:get': async (input) => {
      const checked = validateEmpty(input)
      return checked.ok ? guard(() => view()) : checked
    },
    'settings:save': async (input) =>
      settle(async () => {
        const settings = await settingsToSave(host.settingsPath, input)
        if (!settings.ok) return settings
        // Everything the new settings need is obtained first, so a save that fails writes nothing.
        const prepared = host.prepare?.(settings.value) ?? { ok: true, value: () => host.onChanged?.(settings.value) }
        if (!prepared.ok) return prepared
        const saved = await writeSettings(host.settingsPath, settings.value)
        if (!saved.ok) return saved
        notice = null
        log(`Settings saved: warehouse ${saved.value.warehouse}.`)
        prepared.value()
        return { ok: true, value: await view(saved.value) }
      }),
    'settings:testConnection': async (input) => {
      if (!isRecord(input)) return { ok: false, error: 'The request must be an object.' }
      return settle(async () => {
        let settings: AppSettings
        if (input.settings === undefined) settings = await current()
        else {
          const checked = validateAppSettings(input.settings)
          if (!checked.ok) return checked
          settings = checked.value
        }
        const result = await testConnection(settings.bigquery, credentialsFor(settings), { transport: host.transport })
        log(result.ok ? `Connection test passed for ${result.value.ga4Dataset}.` : `Connection test failed: ${result.error}`)
        return result
      })
    },
    'credentials:chooseKeyFile': async (input) => {
      const checked = validateChooseKeyFile(input)
      if (!checked.ok) return checked
      return settle(async (): Promise<Result<CredentialSummary | null>> => {
        if (!host.chooseKeyFile) throw new UserFacingError('Key files can be chosen in the desktop app only.')
        const path = await host.chooseKeyFile()
        if (path === null) return { ok: true, value: null }
        const kept = await host.credentials.keep(await readKeyFile(path), checked.value)
        if (!kept.ok) {
          log(`A key file was refused: ${kept.error}`)
          return kept
        }
        host.onChanged?.(await current())
        return kept
      })
    },
    'credentials:clear': async (input) => {
      const checked = validateEmpty(input)
      if (!checked.ok) return checked
      return guard(async () => {
        const summary = await host.credentials.clear()
        host.onChanged?.(await current())
        return summary
      })
    },
    'stream:deadLetters': async (input) => {
      const checked = validateEmpty(input)
      return checked.ok ? guard(async () => host.deadLetters.list()) : checked
    },
  }
}
