import { existsSync, statSync } from 'node:fs'
import { readFile, realpath } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Result } from '@shared/attribution'
import type { DbtPrograms } from '../../paths'
import { validateDbtExecutablePath } from '../../settings/app-settings'
import { runTool } from './run-tool'
import { type DbtVersionInfo, parseDbtVersion, pinnedVersion } from './tool-output'

/** A dbt that answered, with its version and the Python that imports it. */
export interface CheckedDbt {
  programs: DbtPrograms
  version: DbtVersionInfo
  duckdbVersion: string
}

/**
 * Runs `<dbt> --version` and checks the adapters, then that its Python imports dbt and a DuckDB of the
 * lock's release line (both DuckDB libraries must read and write the same file format).
 */
export async function checkDbt(
  programs: DbtPrograms,
  requirements: readonly string[],
  options: { requireAdapters: readonly string[]; env?: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<Result<CheckedDbt>> {
  const env = { ...(options.env ?? process.env), DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', NO_COLOR: '1' }
  const answer = await runTool(programs.dbt, ['--version'], { env, signal: options.signal, timeoutMs: 120_000 })
  const version = parseDbtVersion(`${answer.stdout}\n${answer.stderr}`)
  if (answer.code !== 0 || !version.core) {
    const said = (answer.stderr || answer.stdout).trim().split(/\r?\n/).slice(-3).join(' ').slice(0, 300)
    return { ok: false, error: `${programs.dbt} --version did not answer like dbt (${said || `exit code ${answer.code}`}).` }
  }
  const missing = options.requireAdapters.filter((adapter) => !(adapter in version.adapters))
  if (missing.length > 0) {
    const pins = missing.map(
      (adapter) =>
        `dbt-${adapter}${pinnedVersion(requirements, `dbt-${adapter}`) ? `==${pinnedVersion(requirements, `dbt-${adapter}`)}` : ''}`,
    )
    return {
      ok: false,
      error: `dbt ${version.core} has no ${missing.join(' or ')} adapter: install ${pins.join(' and ')} into its environment.`,
    }
  }
  const imports = await runTool(programs.python, ['-c', 'import dbt.version, duckdb; print(duckdb.__version__)'], {
    env,
    signal: options.signal,
    timeoutMs: 120_000,
  })
  if (imports.code !== 0) {
    return {
      ok: false,
      error: `The Python beside it (${programs.python}) cannot import dbt and duckdb, and the app runs dbt through that Python.`,
    }
  }
  const duckdbVersion = imports.stdout.trim()
  const locked = pinnedVersion(requirements, 'duckdb')
  const line = (text: string) => text.split('.').slice(0, 2).join('.')
  if (locked && line(duckdbVersion) !== line(locked)) {
    return {
      ok: false,
      error: `Its Python has duckdb ${duckdbVersion}, but the app's DuckDB is ${locked}: install duckdb==${locked} there, so both use one file format.`,
    }
  }
  return { ok: true, value: { programs, version, duckdbVersion } }
}

/** The Python that runs a dbt executable: its script's #! line, else the python beside it. */
export async function pythonOfDbt(dbt: string): Promise<string | undefined> {
  const real = await realpath(dbt).catch(() => dbt)
  if (process.platform === 'win32') {
    const beside = join(dirname(real), 'python.exe')
    return existsSync(beside) ? beside : undefined
  }
  const head = await readFile(real)
    .then((bytes) => bytes.subarray(0, 512).toString('utf8'))
    .catch(() => '')
  const interpreter = /^#!\s*(\S+)/.exec(head)?.[1]
  if (interpreter && !interpreter.endsWith('/env') && !interpreter.endsWith('/sh') && existsSync(interpreter)) return interpreter
  for (const name of ['python', 'python3']) {
    const beside = join(dirname(real), name)
    if (existsSync(beside)) return beside
  }
  return undefined
}

/** Checks an executable a person named in Settings: a file named dbt that answers, with the adapters the app needs. */
export async function checkExistingDbt(path: unknown, requirements: readonly string[]): Promise<Result<CheckedDbt>> {
  const checked = validateDbtExecutablePath(path)
  if (!checked.ok) return checked
  const dbt = checked.value
  if (!/^dbt(\.exe|\.cmd)?$/i.test(basename(dbt)))
    return { ok: false, error: `Name the dbt executable itself (a file called dbt), not ${basename(dbt).slice(0, 60)}.` }
  let isFile: boolean
  try {
    isFile = statSync(dbt).isFile()
  } catch {
    return { ok: false, error: `There is no file at ${dbt}.` }
  }
  if (!isFile) return { ok: false, error: `${dbt} is not a file.` }
  const python = await pythonOfDbt(dbt)
  if (!python)
    return {
      ok: false,
      error: `The Python that runs ${dbt} could not be found (the app runs dbt through it): use the dbt of a virtualenv.`,
    }
  return checkDbt({ dbt, python }, requirements, { requireAdapters: ['duckdb'] })
}

/** The dbt adapters a lock file installs (dbt-duckdb -> duckdb). */
export function adaptersIn(requirements: readonly string[]): string[] {
  return ['duckdb', 'bigquery', 'postgres', 'snowflake'].filter((adapter) => pinnedVersion(requirements, `dbt-${adapter}`) !== undefined)
}
