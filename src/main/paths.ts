import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The app's name as the OS shows its data folder (Electron's userData uses the same). */
export const APP_DATA_NAME = 'Realtime Attribution'

/** The repository (or unpacked app) root: src/main and out/main both sit two levels below it. */
export function projectRoot(): string {
  return process.env.ATTRIBUTION_ROOT ?? resolve(fileURLToPath(new URL('../..', import.meta.url)))
}

/** A file or folder electron-builder ships beside the app (extraResources), when this is a packaged app that has it. */
export function packagedResource(name: string): string | undefined {
  const resources = (process as { resourcesPath?: string }).resourcesPath
  const path = resources ? join(resources, name) : undefined
  return path && existsSync(path) ? path : undefined
}

/** The dbt project folder: ATTRIBUTION_DBT_PROJECT_DIR (a copy, e.g. one a test breaks on purpose), the packaged app's, else the repository's. */
export function dbtProjectDir(): string {
  return process.env.ATTRIBUTION_DBT_PROJECT_DIR ?? packagedResource('dbt_attribution') ?? join(projectRoot(), 'dbt_attribution')
}

/** A dbt and the Python that runs it (dbt_guard.py and dbt_worker.py import dbt in that Python). */
export interface DbtPrograms {
  dbt: string
  python: string
}

/** The dbt and Python of a virtualenv folder. */
export function venvPrograms(venv: string): DbtPrograms {
  return process.platform === 'win32'
    ? { dbt: join(venv, 'Scripts', 'dbt.exe'), python: join(venv, 'Scripts', 'python.exe') }
    : { dbt: join(venv, 'bin', 'dbt'), python: join(venv, 'bin', 'python') }
}

/** The repository's virtualenv (development: made by scripts/setup-python.mjs). */
export function repoVenvPrograms(): DbtPrograms {
  return venvPrograms(join(projectRoot(), '.venv'))
}

/** The folder of the app's own dbt environment (made on first run, 0700): `<data folder>/dbt-env`. */
export function dataFolderDbtEnvDir(dataDir = userDataDir()): string {
  return join(dataDir, 'dbt-env')
}

/** The virtualenv inside the app's own dbt environment, and the stamp written only once it works. */
export function dataFolderDbtEnv(dataDir = userDataDir()): DbtPrograms & { venv: string; readyStamp: string } {
  const root = dataFolderDbtEnvDir(dataDir)
  const venv = join(root, 'venv')
  return { ...venvPrograms(venv), venv, readyStamp: join(root, 'ready.json') }
}

/** requirements.lock: shipped beside the app (electron-builder's extraResources), else the repository's. */
export function requirementsLockPath(): string {
  return packagedResource('requirements.lock') ?? join(projectRoot(), 'requirements.lock')
}

let chosenDbt: DbtPrograms | undefined

/** Sets the dbt the app runs (the app's choice: Settings, repo .venv, data-folder env); undefined goes back to the default. */
export function selectDbtPrograms(programs: DbtPrograms | undefined): void {
  chosenDbt = programs
}

/** Without a choice (the CLI): the repo's .venv when present, else the app's data-folder environment once ready. */
function defaultDbtPrograms(): DbtPrograms {
  const repo = repoVenvPrograms()
  if (existsSync(repo.python)) return repo
  const own = dataFolderDbtEnv()
  return existsSync(own.readyStamp) ? own : repo
}

/** The dbt executable: ATTRIBUTION_DBT (a test double), else the chosen one, else the default (repo .venv first). */
export function dbtExecutable(): string {
  if (process.env.ATTRIBUTION_DBT) return process.env.ATTRIBUTION_DBT
  return (chosenDbt ?? defaultDbtPrograms()).dbt
}

/** The Python interpreter that runs dbt, beside the executable dbtExecutable() picks. */
export function venvPython(): string {
  return (chosenDbt ?? defaultDbtPrograms()).python
}

/** The per-user data folder, where Electron's app.getPath('userData') points too. */
export function userDataDir(): string {
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_DATA_NAME)
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_DATA_NAME)
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_DATA_NAME)
}

/** The embedded warehouse file: --warehouse, else ATTRIBUTION_WAREHOUSE, else the user data folder. */
export function warehousePath(explicit?: string): string {
  return resolve(explicit ?? process.env.ATTRIBUTION_WAREHOUSE ?? join(userDataDir(), 'warehouse.duckdb'))
}

/**
 * The browser bridge's default import folder: `imports/` beside the warehouse file, a folder that
 * holds only what the person put there (not their home, not the data folder with its key and settings).
 */
export function defaultImportRoot(warehouse: string): string {
  return join(dirname(warehouse), 'imports')
}
