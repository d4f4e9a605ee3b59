import { createHash } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import type { JobProgress } from '@shared/api'
import { requirementsLockPath } from '../../paths'
import { ensurePrivateDir } from '../../private-files'
import { adaptersIn, checkDbt } from './check-dbt'
import type { DbtInstallation } from './choose-dbt'
import { chooseIndexUrl, ensureUv } from './fetch-uv'
import { installPackages } from './install-packages'
import { type ReadyStamp, dbtEnvLayout } from './layout'
import { type SetupStep, setupProgress } from './progress'
import { DbtSetupError, parseRequirements } from './tool-output'
import { UV_VERSION } from './uv-release'
import { ensureVenv } from './venv'

/** How a set-up runs; tests point the index somewhere else and keep uv's cache out of the way. */
export interface SetupOptions {
  /** The app's data folder; the environment goes into `<dataDir>/dbt-env`. */
  dataDir: string
  /** requirements.lock (the bundled one by default). */
  lockFile?: string
  /** The simple index; default UV_DEFAULT_INDEX, UV_INDEX_URL, PIP_INDEX_URL, else PyPI. */
  indexUrl?: string
  /** Extra environment for uv (UV_CACHE_DIR, UV_NO_CACHE, proxies). */
  env?: Record<string, string>
  /** Tries a uv-managed Python before the system one (default true). */
  preferManagedPython?: boolean
  onProgress?: (progress: JobProgress) => void
  signal?: AbortSignal
}

/** A finished set-up. */
export interface SetupResult extends DbtInstallation {
  stamp: ReadyStamp
  /** Things worth telling (the system Python was used because uv could not download one). */
  notes: string[]
}

/**
 * Creates (or finishes) the app's own dbt environment from requirements.lock: fetches uv, makes a
 * virtualenv with a uv-managed Python or else the system one, installs the pinned packages in steps
 * (progress "n of m packages"), runs `dbt --version`, and only then writes the ready stamp. An
 * interrupted set-up leaves no stamp; running it again reuses what is there.
 */
export async function setUpDbtEnvironment(options: SetupOptions): Promise<SetupResult> {
  const layout = dbtEnvLayout(options.dataDir)
  const lockFile = options.lockFile ?? requirementsLockPath()
  const lockText = await readFile(lockFile, 'utf8')
  const lockSha256 = createHash('sha256').update(lockText).digest('hex')
  const requirements = parseRequirements(lockText)
  const index = chooseIndexUrl(options.indexUrl)
  const report = (step: SetupStep) => options.onProgress?.(setupProgress(step))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    UV_PYTHON_INSTALL_DIR: layout.pythonDir,
    UV_NO_PROGRESS: '1',
    NO_COLOR: '1',
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
  }
  const notes: string[] = []

  ensurePrivateDir(layout.root, { isOwnFolder: true })
  await rm(layout.readyStamp, { force: true })

  const uv = await ensureUv(layout, index, report, options.signal)
  const python = await ensureVenv(layout, uv, env, options.preferManagedPython ?? true, notes, report, options.signal)
  const pythonNote = notes.join(' ') || undefined

  await installPackages({ layout, uv, index, env, lockFile, requirements, pythonNote, report, signal: options.signal })

  report({ phase: 'checking' })
  const checked = await checkDbt(layout, requirements, { requireAdapters: adaptersIn(requirements), env, signal: options.signal })
  if (!checked.ok)
    throw new DbtSetupError(`dbt was installed but does not work: ${checked.error} Setting up again reinstalls what is missing.`)
  const stamp: ReadyStamp = {
    lockSha256,
    dbtVersion: checked.value.version.core ?? 'unknown',
    adapters: Object.keys(checked.value.version.adapters).sort(),
    python,
    uvVersion: UV_VERSION,
    createdAt: new Date().toISOString(),
  }
  await writeFile(`${layout.readyStamp}.tmp`, `${JSON.stringify(stamp, null, 2)}\n`, { mode: 0o600 })
  await rename(`${layout.readyStamp}.tmp`, layout.readyStamp)
  report({ phase: 'done', dbtVersion: stamp.dbtVersion })
  return { source: 'data-folder', dbt: layout.dbt, python: layout.python, stamp, notes }
}

/** Fetches uv into the data-folder environment (or finds it there); the set-up's first phase, on its own. */
export function fetchUv(options: Pick<SetupOptions, 'dataDir' | 'indexUrl' | 'onProgress' | 'signal'>): Promise<string> {
  const layout = dbtEnvLayout(options.dataDir)
  ensurePrivateDir(layout.root, { isOwnFolder: true })
  return ensureUv(layout, chooseIndexUrl(options.indexUrl), (step) => options.onProgress?.(setupProgress(step)), options.signal)
}
