import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The app's name as the OS shows its data folder (Electron's userData uses the same). */
export const APP_DATA_NAME = 'Realtime Attribution'

/** The repository (or unpacked app) root: src/main and out/main both sit two levels below it. */
export function projectRoot(): string {
  return process.env.ATTRIBUTION_ROOT ?? resolve(fileURLToPath(new URL('../..', import.meta.url)))
}

/** The dbt project folder (ATTRIBUTION_DBT_PROJECT_DIR points at a copy, e.g. one a test breaks on purpose). */
export function dbtProjectDir(): string {
  return process.env.ATTRIBUTION_DBT_PROJECT_DIR ?? join(projectRoot(), 'dbt_attribution')
}

/** The dbt executable in the project's virtualenv, unless ATTRIBUTION_DBT names another. */
export function dbtExecutable(): string {
  if (process.env.ATTRIBUTION_DBT) return process.env.ATTRIBUTION_DBT
  const venv = join(projectRoot(), '.venv')
  return process.platform === 'win32' ? join(venv, 'Scripts', 'dbt.exe') : join(venv, 'bin', 'dbt')
}

/** The Python interpreter of the project's virtualenv (dbt's own). */
export function venvPython(): string {
  const venv = join(projectRoot(), '.venv')
  return process.platform === 'win32' ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python')
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
