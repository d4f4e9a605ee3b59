import { createHash } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { Result } from '@shared/attribution'
import type { DbtSetupStatus, JobProgress } from '@shared/api'
import { UserFacingError, messageOf } from '../errors'
import { repoVenvPrograms, requirementsLockPath, selectDbtPrograms } from '../paths'
import { loadSettings, saveDbtExecutable } from '../settings/app-settings'
import { checkExistingDbt, pythonOfDbt } from './setup/check-dbt'
import { type DbtInstallation, chooseDbt } from './setup/choose-dbt'
import { type ReadyStamp, dbtEnvLayout, readReadyStamp } from './setup/layout'
import { type SetupOptions, setUpDbtEnvironment } from './setup/set-up'
import { type DbtVersionInfo, parseRequirements } from './setup/tool-output'

// The set-up runs in steps, one module each under setup/: fetch uv, create the venv, install the
// pinned packages, check dbt, with set-up.ts running them with progress. This file keeps the service
// and the names other modules import.
export { type CheckedDbt, checkDbt, checkExistingDbt, pythonOfDbt } from './setup/check-dbt'
export { type DbtCandidates, type DbtInstallation, chooseDbt } from './setup/choose-dbt'
export { extractZipEntry, findFileUrl } from './setup/download'
export { DEFAULT_INDEX_URL, chooseIndexUrl } from './setup/fetch-uv'
export { type DbtEnvLayout, type ReadyStamp, dbtEnvLayout, readReadyStamp } from './setup/layout'
export { type SetupStep, setupProgress } from './setup/progress'
export { type SetupOptions, type SetupResult, fetchUv, setUpDbtEnvironment } from './setup/set-up'
export {
  DbtSetupError,
  type DbtVersionInfo,
  isNetworkFailure,
  offlineMessage,
  parseDbtVersion,
  parseRequirements,
  pinnedVersion,
  uvFailureCause,
} from './setup/tool-output'
export { UV_VERSION, uvWheelFor } from './setup/uv-release'
export { MANAGED_PYTHON_VERSION, SYSTEM_PYTHON_MINORS, type SystemPython, findSystemPython } from './setup/venv'

/** What the app's dbt service needs. */
export interface DbtEnvironmentOptions extends Omit<SetupOptions, 'onProgress' | 'signal'> {
  /** The settings file, where an existing dbt executable may be named. */
  settingsPath: string
  log?: (line: string) => void
}

/**
 * The app's dbt: picks the one to run (Settings, the repo's .venv, the data-folder environment),
 * tells paths.ts, and sets up the data-folder environment when there is none, one set-up at a time.
 */
export class DbtEnvironment {
  private readonly emitter = new EventEmitter()
  private readonly abort = new AbortController()
  private running: Promise<DbtSetupStatus> | undefined
  private progress: JobProgress | null = null
  private error: string | null = null
  private notice: string | null = null
  /** What `dbt --version` said for an executable, this session. */
  private readonly versions = new Map<string, DbtVersionInfo>()

  constructor(private readonly options: DbtEnvironmentOptions) {}

  /** Subscribes to set-up progress; returns the unsubscribe function. */
  onProgress(listener: (progress: JobProgress) => void): () => void {
    this.emitter.on('progress', listener)
    return () => this.emitter.off('progress', listener)
  }

  /** Chooses the dbt again (files may have appeared or gone), tells paths.ts, and reports. */
  async status(): Promise<DbtSetupStatus> {
    const { chosen, stamp, settingExecutable } = await this.choose()
    const settingProblem =
      settingExecutable && chosen?.source !== 'setting' ? `The dbt named in Settings (${settingExecutable}) is missing.` : null
    const version =
      chosen?.source === 'data-folder' && stamp ? { core: stamp.dbtVersion, adapters: stamp.adapters } : this.known(chosen?.dbt)
    const state = this.running ? 'installing' : chosen ? 'ready' : this.error ? 'failed' : 'missing'
    return {
      state,
      source: chosen?.source ?? null,
      executable: chosen?.dbt ?? null,
      dbtVersion: version?.core ?? null,
      adapters: version?.adapters ?? [],
      settingExecutable,
      progress: this.running ? this.progress : null,
      error: chosen ? null : this.error,
      notice: [settingProblem, this.notice].filter(Boolean).join(' ') || null,
    }
  }

  /** The usable dbt of each kind, the choice among them, and the choice told to paths.ts. */
  private async choose(): Promise<{
    chosen: DbtInstallation | undefined
    stamp: ReadyStamp | undefined
    settingExecutable: string | null
  }> {
    const settingExecutable = (await loadSettings(this.options.settingsPath)).settings.dbtExecutable ?? null
    // Without the lock (a broken install) the data-folder environment cannot be told current: it is not used.
    const lock = await readFile(this.lockFile()).catch(() => undefined)
    const layout = dbtEnvLayout(this.options.dataDir)
    const stamp = lock && (await readReadyStamp(layout, createHash('sha256').update(lock).digest('hex')))
    const repo = repoVenvPrograms()
    const settingPython = settingExecutable && existsSync(settingExecutable) ? await pythonOfDbt(settingExecutable) : undefined
    const chosen = chooseDbt({
      setting: settingExecutable && settingPython ? { dbt: settingExecutable, python: settingPython } : undefined,
      repo: existsSync(repo.python) && existsSync(repo.dbt) ? repo : undefined,
      'data-folder': stamp ? { dbt: layout.dbt, python: layout.python } : undefined,
    })
    selectDbtPrograms(chosen && { dbt: chosen.dbt, python: chosen.python })
    return { chosen, stamp, settingExecutable }
  }

  /** Sets up the data-folder environment unless a dbt is already usable; a second call joins the running one. */
  setUp(): Promise<DbtSetupStatus> {
    this.running ??= this.runSetUp().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  /** Names an existing dbt in Settings after checking it; null forgets it. Refused while a set-up runs. */
  async useExecutable(path: string | null): Promise<Result<DbtSetupStatus>> {
    if (this.running) return { ok: false, error: 'dbt is being set up; wait for it to finish.' }
    if (path === null) {
      const saved = await saveDbtExecutable(this.options.settingsPath, null)
      return saved.ok ? { ok: true, value: await this.status() } : saved
    }
    const checked = await checkExistingDbt(path, await this.requirements())
    if (!checked.ok) return checked
    const saved = await saveDbtExecutable(this.options.settingsPath, checked.value.programs.dbt)
    if (!saved.ok) return saved
    this.versions.set(checked.value.programs.dbt, checked.value.version)
    this.error = null
    this.notice =
      'bigquery' in checked.value.version.adapters ? null : 'This dbt has no BigQuery adapter: builds on BigQuery need dbt-bigquery there.'
    this.options.log?.(`dbt: using ${checked.value.programs.dbt} (dbt ${checked.value.version.core}).`)
    return { ok: true, value: await this.status() }
  }

  /** Stops a running set-up (on quit). */
  close(): void {
    this.abort.abort()
  }

  private async runSetUp(): Promise<DbtSetupStatus> {
    if ((await this.choose()).chosen) {
      this.running = undefined
      return this.status()
    }
    this.error = null
    this.notice = null
    this.progress = null
    try {
      const done = await setUpDbtEnvironment({
        ...this.options,
        lockFile: this.lockFile(),
        signal: this.abort.signal,
        onProgress: (progress) => {
          this.progress = progress
          this.emitter.emit('progress', progress)
        },
      })
      this.notice = done.notes.join(' ') || null
      this.options.log?.(`dbt: set up dbt ${done.stamp.dbtVersion} in ${dbtEnvLayout(this.options.dataDir).root}.`)
    } catch (error) {
      this.error = error instanceof UserFacingError ? error.message : `The dbt set-up failed: ${messageOf(error)}`
      this.options.log?.(`dbt: set-up failed: ${this.error}`)
    }
    this.running = undefined
    return this.status()
  }

  private known(dbt: string | undefined): { core: string | null; adapters: string[] } | undefined {
    const version = dbt === undefined ? undefined : this.versions.get(dbt)
    return version && { core: version.core, adapters: Object.keys(version.adapters).sort() }
  }

  private lockFile(): string {
    return this.options.lockFile ?? requirementsLockPath()
  }

  private async requirements(): Promise<string[]> {
    return parseRequirements(await readFile(this.lockFile(), 'utf8'))
  }
}
