import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobProgress } from '@shared/api'
import { dbtExecutable, projectRoot, selectDbtPrograms } from '../paths'
import {
  DbtEnvironment,
  DbtSetupError,
  dbtEnvLayout,
  fetchUv,
  findSystemPython,
  parseDbtVersion,
  parseRequirements,
  setUpDbtEnvironment,
} from './dbt-environment-setup'

/** An index nobody answers on: the offline case, the same on every machine. */
const UNREACHABLE = 'http://127.0.0.1:9/simple'
const LOCK_FILE = join(projectRoot(), 'requirements.lock')
const PACKAGES = parseRequirements(readFileSync(LOCK_FILE, 'utf8')).length
const systemPython = process.platform === 'win32' ? undefined : await findSystemPython()

// The real first run: uv from PyPI, a virtualenv, every pinned package (a minute or two), then `dbt --version`.
// Needs PyPI and a system Python 3.11-3.13 (uv's own Python comes from GitHub, which may be out of reach).
describe.skipIf(process.env.ATTRIBUTION_SKIP_PYTHON_SETUP === '1' || !systemPython)(
  'first-run dbt set-up into a data folder (real PyPI)',
  () => {
    let temp: string
    let previousRoot: string | undefined

    beforeAll(() => {
      temp = mkdtempSync(join(tmpdir(), 'dbt-setup-'))
      previousRoot = process.env.ATTRIBUTION_ROOT
      // No repo .venv, as in a packaged app, so the data-folder environment is the one chosen.
      process.env.ATTRIBUTION_ROOT = join(temp, 'app')
      mkdirSync(process.env.ATTRIBUTION_ROOT)
    })
    afterAll(() => {
      if (previousRoot === undefined) delete process.env.ATTRIBUTION_ROOT
      else process.env.ATTRIBUTION_ROOT = previousRoot
      selectDbtPrograms(undefined)
      rmSync(temp, { recursive: true, force: true })
    })

    const offlineEnv = () => ({
      UV_CACHE_DIR: join(temp, 'empty-cache'),
      // uv's own Python would come from GitHub: make that unreachable too, so the system-Python fallback is what runs everywhere.
      UV_PYTHON_INSTALL_MIRROR: 'http://127.0.0.1:9/python',
    })

    it('offline before uv is fetched: says PyPI could not be reached, and marks nothing ready', async () => {
      const dataDir = join(temp, 'offline-data')
      const setUp = setUpDbtEnvironment({ dataDir, lockFile: LOCK_FILE, indexUrl: UNREACHABLE, env: offlineEnv() })
      await expect(setUp).rejects.toThrow(DbtSetupError)
      await expect(setUp).rejects.toThrow(
        /^Could not reach PyPI to install dbt \(downloading uv from http:\/\/127\.0\.0\.1:9\/simple: .*ECONNREFUSED.*\)\. Connect to the internet, or point Settings at an existing dbt\./,
      )
      expect(existsSync(dbtEnvLayout(dataDir).readyStamp)).toBe(false)
      expect(statSync(dbtEnvLayout(dataDir).root).mode & 0o777).toBe(0o700)
    })

    it('offline with uv fetched: fails at the packages with the clear message, then a retry online resumes, installs dbt and `dbt --version` answers', async () => {
      // A space in the path, as in "Application Support" and the app's own folder name.
      const dataDir = join(temp, 'Realtime Attribution')
      const layout = dbtEnvLayout(dataDir)
      const settingsPath = join(dataDir, 'settings.json')

      const fetchStarted = Date.now()
      await fetchUv({ dataDir })
      expect(existsSync(layout.uv)).toBe(true)
      console.info(`uv fetched in ${Date.now() - fetchStarted} ms`)

      // 1. Offline: the environment is made with the system Python, the packages cannot be fetched.
      const offline = new DbtEnvironment({ dataDir, settingsPath, lockFile: LOCK_FILE, indexUrl: UNREACHABLE, env: offlineEnv() })
      const failed = await offline.setUp()
      expect(failed.state).toBe('failed')
      expect(failed.error).toMatch(
        /^Could not reach PyPI to install dbt \(http:\/\/127\.0\.0\.1:9\/simple\/[a-z0-9-]+\/: Connection refused.*\)\. Connect to the internet, or point Settings at an existing dbt\./,
      )
      expect(failed.error).toContain(`so the system Python ${systemPython!.version}`)
      expect(failed.error).toMatch(/Setting up again resumes where this stopped\.$/)
      // Nothing half-made counts as ready: no stamp, and the app still has no dbt.
      expect(existsSync(layout.readyStamp)).toBe(false)
      expect(existsSync(layout.python)).toBe(true)
      expect((await offline.status()).state).toBe('failed')
      const venvMadeAt = statSync(join(layout.venv, 'pyvenv.cfg')).mtimeMs

      // 2. Online again: the same folder, resumed (uv and the environment kept), packages installed, dbt checked.
      const progress: JobProgress[] = []
      const online = new DbtEnvironment({ dataDir, settingsPath, lockFile: LOCK_FILE })
      online.onProgress((step) => progress.push(step))
      const started = Date.now()
      const ready = await online.setUp()
      console.info(`dbt installed in ${Date.now() - started} ms`)
      expect(ready).toMatchObject({ state: 'ready', source: 'data-folder', executable: layout.dbt, dbtVersion: '1.11.16', error: null })
      expect(ready.adapters).toEqual(expect.arrayContaining(['duckdb', 'bigquery']))
      expect(existsSync(layout.readyStamp)).toBe(true)
      expect(statSync(join(layout.venv, 'pyvenv.cfg')).mtimeMs).toBe(venvMadeAt)
      const phases = progress.map((step) => step.phase)
      expect(phases).not.toContain('downloading uv')
      expect(phases).toContain('creating the environment')
      expect(progress.map((step) => step.message)).toContain(`Installing dbt (${PACKAGES} of ${PACKAGES} packages)`)
      expect(phases.at(-1)).toBe('done')

      // 3. The app runs this dbt now, and it answers.
      expect(dbtExecutable()).toBe(layout.dbt)
      const version = spawnSync(layout.dbt, ['--version'], {
        encoding: 'utf8',
        env: { ...process.env, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' },
      })
      expect(version.status).toBe(0)
      expect(parseDbtVersion(version.stdout + version.stderr)).toMatchObject({
        core: '1.11.16',
        adapters: { duckdb: '1.11.1', bigquery: '1.11.3' },
      })

      // 4. Again: nothing to do.
      const again = Date.now()
      expect((await online.setUp()).state).toBe('ready')
      expect(Date.now() - again).toBeLessThan(5_000)
    })
  },
)
