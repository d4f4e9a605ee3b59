import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { totalmem } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { ConversionEvent } from '@shared/attribution'
import { redactSecrets } from '../credentials/redact'
import { UserFacingError } from '../errors'
import { lockedWarehouseOf, warehouseInUseMessage } from '../warehouse/duckdb-file'
import { dbtExecutable, dbtProjectDir, venvPython } from '../paths'
import { ensurePrivateDir } from '../private-files'
import { dbtPythonScript, trackDbtChild } from './dbt-children'

/** What to do without dbt, in the app and in a development checkout. */
export const DBT_MISSING_HINT =
  'In the app, set dbt up on the welcome screen or in Settings (or point Settings at an existing dbt); in a development checkout, run `npm install` (it creates the Python virtualenv with dbt).'

/** The dbt commands the app may run; nothing else reaches the child process. */
export const DBT_COMMANDS = ['build', 'run', 'test', 'parse', 'compile', 'seed'] as const
export type DbtCommand = (typeof DBT_COMMANDS)[number]

/** One step of a dbt run, from dbt's JSON log. */
export interface DbtProgress {
  /** Position of the node in the run and the node count, when dbt says. */
  index?: number
  total?: number
  /** dbt's own one-line message. */
  message: string
  level: 'debug' | 'info' | 'warn' | 'error'
  /** dbt's event name, e.g. LogModelResult. */
  event: string
  /** The node the step is about ("int_sessions_classified") and its kind ("model", "test", "seed"), when dbt says. */
  node?: string
  resourceType?: string
  /** dbt's outcome of a finished step ("OK", "ERROR", "SKIP", "pass", "fail"). */
  status?: string
}

/** The project vars the app passes (dbt_project.yml holds their defaults); no lookback: the marts hold every one. */
export interface DbtVars {
  conversion_events?: readonly ConversionEvent[]
  /** Joins a person's devices by user_id (default true); see docs/assumptions.md. */
  user_id_stitching?: boolean
  /** One-off unwanted referrals (dbt_project.yml); the warehouse's stored list when absent. */
  unwanted_referrals?: ReadonlyArray<{ match_type: string; pattern: string }>
  detect_self_referrals?: boolean
}

/** What a dbt run is asked to do. */
export interface DbtRunOptions {
  command: DbtCommand
  target: 'duckdb' | 'bigquery'
  /** Environment the profile reads (warehouse path, BigQuery project and so on). */
  env: Record<string, string>
  vars?: DbtVars
  select?: string
  /** Rebuilds incremental models from scratch. */
  fullRefresh?: boolean
  /**
   * A `build` without dbt's unit tests: they check the SQL on fixed inputs, not the user's data,
   * so CI runs them (attribution-build.test.ts) and builds on a warehouse skip their ~2-4 s.
   */
  withoutUnitTests?: boolean
  /**
   * Builds the test oracle too (dbt tag `oracle`: fct_attributed_conversions and what reads it), an
   * independent reference CI compares the credits with; the app and CLI never build it.
   */
  withTestOracle?: boolean
  /** dbt's target folder; one per warehouse keeps its parse cache warm (the profile is part of its key). */
  targetPath?: string
  onProgress?: (progress: DbtProgress) => void
  signal?: AbortSignal
}

/** The outcome of a dbt run. */
export interface DbtRunResult {
  success: boolean
  /** dbt's error messages, for the person to read. */
  errors: string[]
  durationMs: number
}

/** The dbt selector of the test oracle, which every run leaves out unless asked (DbtRunOptions.withTestOracle). */
export const TEST_ORACLE_SELECTOR = 'tag:oracle'

/** The dbt commands that select nodes, and so can leave the test oracle out. */
const SELECTING_COMMANDS: ReadonlySet<DbtCommand> = new Set(['build', 'run', 'test', 'compile'])

/** Who runs a dbt command: `runDbt` (a new process each time) or `DbtWorker.run` (one long-lived process). */
export type DbtRunner = (options: DbtRunOptions) => Promise<DbtRunResult>

/**
 * Runs dbt as a child process with an argument array and reports progress from its JSON log.
 * dbt runs under dbt_guard.py with its stdin held open by this process, so it exits when this
 * process dies, however it dies; it is also killed on exit and by `killDbtChildren()`.
 */
export async function runDbt(options: DbtRunOptions): Promise<DbtRunResult> {
  const executable = dbtExecutable()
  if (!existsSync(executable)) {
    throw new UserFacingError(`dbt is not installed at ${executable}. ${DBT_MISSING_HINT}`)
  }
  const projectDir = dbtProjectDir()
  const args = dbtArgs(options, projectDir)
  prepareTargetPath(options)

  const started = Date.now()
  // ATTRIBUTION_DBT names another dbt (a test double, say): run it as is, without the guard.
  const [command, commandArgs] = process.env.ATTRIBUTION_DBT
    ? [executable, args]
    : [venvPython(), [dbtPythonScript('dbt_guard.py'), ...args]]
  const child = spawn(command, commandArgs, {
    cwd: projectDir,
    env: dbtEnvironment(options),
    stdio: ['pipe', 'pipe', 'pipe'],
    signal: options.signal,
  })
  trackDbtChild(child)
  child.stdin.on('error', () => undefined)
  const secrets = secretValues(options.env)
  const errors: string[] = []
  const stderrLines: string[] = []
  let reportedSuccess: boolean | undefined

  createInterface({ input: child.stdout }).on('line', (line) => {
    const progress = parseDbtLogLine(line)
    if (!progress) return
    if (progress.event === 'CommandCompleted') reportedSuccess = /succeeded|success/i.test(progress.message) || undefined
    if (progress.level === 'error' && progress.message.trim() !== '') errors.push(redactSecrets(progress.message, secrets))
    options.onProgress?.({ ...progress, message: redactSecrets(progress.message, secrets) })
  })
  createInterface({ input: child.stderr }).on('line', (line) => stderrLines.push(redactSecrets(line, secrets)))

  let stoppedBy: NodeJS.Signals | null = null
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      if (error.name === 'AbortError') resolve(null)
      else {
        errors.push(`dbt could not start: ${error.message}`)
        resolve(-1)
      }
    })
    child.on('close', (code, signal) => {
      stoppedBy = signal
      resolve(code)
    })
  })
  if (options.signal?.aborted) errors.push('The dbt run was cancelled.')
  else if (stoppedBy && errors.length === 0) {
    // Killed from outside: what is left on stderr is Python's shutdown noise (resource_tracker), not the cause.
    errors.push(
      `dbt was stopped by ${String(stoppedBy)} before it finished (killed from outside the app, or out of memory?). ${DBT_STOPPED_HINT}`,
    )
  }
  const stderrTail = stderrLines.filter((line) => !PYTHON_SHUTDOWN_NOISE.test(line)).slice(-20)
  if (exitCode !== 0 && errors.length === 0) errors.push(stderrTail.join('\n') || `dbt exited with code ${exitCode}`)
  const success = exitCode === 0 && reportedSuccess !== false
  return withLockMessage({ success, errors, durationMs: Date.now() - started }, stderrLines)
}

/**
 * A failed run whose dbt could not open the warehouse because another process holds it (a second
 * build): one line naming that process, as the app's own open says, instead of dbt's traceback.
 */
export function withLockMessage(result: DbtRunResult, otherOutput: string[] = []): DbtRunResult {
  if (result.success) return result
  const lockError = [...result.errors, ...otherOutput].find((text) => lockedWarehouseOf(text) !== undefined)
  if (!lockError) return result
  return { ...result, errors: [warehouseInUseMessage(lockedWarehouseOf(lockError) ?? '', lockError)] }
}

/** What to do after dbt was killed: nothing it had done is half kept. */
const DBT_STOPPED_HINT = 'The events stay stored; build again.'

/** Python's warnings about semaphores its multiprocessing leaked when dbt was killed: never the cause of a failure. */
const PYTHON_SHUTDOWN_NOISE = /resource_tracker|leaked semaphore|warnings\.warn\(/

/** Creates the run's target folder owner-only (0700) before dbt writes compiled SQL of people's data into it. */
export function prepareTargetPath(options: Pick<DbtRunOptions, 'targetPath'>): void {
  if (options.targetPath) ensurePrivateDir(options.targetPath, { isOwnFolder: true })
}

/** The values of the DBT_ENV_SECRET_ variables, which no message of a run may carry. */
export function secretValues(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([name, value]) => (name.startsWith('DBT_ENV_SECRET_') && value !== '' ? [value] : []))
}

/** The argument array of a dbt run (never a shell string). */
export function dbtArgs(options: DbtRunOptions, projectDir = dbtProjectDir()): string[] {
  const args = [options.command, ...dbtProjectArgs(options, projectDir)]
  args.push('--log-format', 'json', '--no-use-colors')
  if (options.select) args.push('--select', options.select)
  if (!options.withTestOracle && SELECTING_COMMANDS.has(options.command)) args.push('--exclude', TEST_ORACLE_SELECTOR)
  if (options.fullRefresh) args.push('--full-refresh')
  if (options.withoutUnitTests && options.command === 'build') args.push('--exclude-resource-type', 'unit_test')
  if (options.targetPath) args.push('--no-write-json')
  return args
}

/** The arguments that decide how dbt parses the project, and where it writes: reusing a parse needs them unchanged. */
export function dbtProjectArgs(options: Pick<DbtRunOptions, 'target' | 'vars' | 'targetPath'>, projectDir = dbtProjectDir()): string[] {
  const args = ['--project-dir', projectDir, '--profiles-dir', projectDir, '--target', options.target]
  if (options.vars && Object.keys(options.vars).length > 0) args.push('--vars', JSON.stringify(options.vars))
  if (options.targetPath) args.push('--target-path', options.targetPath)
  args.push('--log-path', dbtLogPath(options, projectDir))
  return args
}

/**
 * dbt's log folder: inside the run's target folder (the data folder's, beside the warehouse), never in an
 * installed app's project, which is read-only (AppImage, /opt) or sealed by its signature (macOS).
 */
export function dbtLogPath(options: Pick<DbtRunOptions, 'targetPath'>, projectDir = dbtProjectDir()): string {
  return options.targetPath ? join(options.targetPath, 'logs') : join(projectDir, 'logs')
}

/** The environment dbt runs with: the profile's variables, no usage tracking, unbuffered output. */
export function dbtEnvironment(options: Pick<DbtRunOptions, 'env'>): NodeJS.ProcessEnv {
  return { ...process.env, ...withDuckDbLimits(options.env), DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', PYTHONUNBUFFERED: '1' }
}

/** Half the machine's memory, in whole GB (at least 1): what a build may use before it spills to disk. */
export function defaultDuckDbMemoryLimit(totalBytes = totalmem()): string {
  return `${Math.max(1, Math.floor(totalBytes / 2 / 1024 ** 3))}GB`
}

/**
 * The share of the build's limit that DuckDB's own `memory_limit` gets. DuckDB keeps its buffers under
 * that setting, but Parquet reading, hash tables' bookkeeping and the dbt process itself come on top:
 * at 100M events a build with DuckDB at the whole limit peaked 1.4 GiB above it (DECISIONLOG 83).
 */
export const DUCKDB_SHARE_OF_BUILD_LIMIT = 0.75

const MEMORY_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
}

/** A memory size in DuckDB's units ("4GB", "1500MB", "16GiB"; KB = 1000, KiB = 1024) as bytes; undefined when it is not one. */
export function memorySizeBytes(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  if (!match) return undefined
  const unit = MEMORY_UNITS[(match[2] || 'b').toLowerCase()]
  return unit === undefined ? undefined : Number(match[1]) * unit
}

/** DuckDB's `memory_limit` for a build limited to `buildLimit`: its share, in MB; a text that is no size goes to DuckDB as it is, for DuckDB to refuse with its message. */
export function duckDbMemoryLimitFor(buildLimit: string): string {
  const bytes = memorySizeBytes(buildLimit)
  if (bytes === undefined) return buildLimit
  return `${Math.max(1, Math.floor((bytes * DUCKDB_SHARE_OF_BUILD_LIMIT) / 1e6))}MB`
}

/** The build's memory limit: what the run's environment names, else ATTRIBUTION_DUCKDB_MEMORY_LIMIT, else half the machine. */
export function buildMemoryLimit(env: Record<string, string | undefined> = {}): string {
  return env.ATTRIBUTION_DUCKDB_MEMORY_LIMIT || process.env.ATTRIBUTION_DUCKDB_MEMORY_LIMIT || defaultDuckDbMemoryLimit()
}

/**
 * The profile's DuckDB memory limit and spill folder for a run on a warehouse file. The build's limit is
 * ATTRIBUTION_DUCKDB_MEMORY_LIMIT (the setting, in DuckDB units: "4GB", "16GiB"), else half the machine's
 * memory; DuckDB itself gets three quarters of it (ATTRIBUTION_DUCKDB_ENGINE_MEMORY_LIMIT), so the whole
 * build stays under the setting. The spill folder lies beside the warehouse (`<warehouse>.dbt/spill`),
 * so a build larger than memory finishes on disk instead of failing. Other environments are returned unchanged.
 */
export function withDuckDbLimits(env: Record<string, string>): Record<string, string> {
  const warehouse = env.ATTRIBUTION_WAREHOUSE
  if (!warehouse) return env
  const buildLimit = buildMemoryLimit(env)
  return {
    ATTRIBUTION_DUCKDB_MEMORY_LIMIT: buildLimit,
    ATTRIBUTION_DUCKDB_ENGINE_MEMORY_LIMIT: duckDbMemoryLimitFor(buildLimit),
    ATTRIBUTION_DUCKDB_TEMP_DIRECTORY: `${warehouse}.dbt/spill`,
    ...env,
  }
}

interface DbtLogLine {
  info?: { name?: string; level?: string; msg?: string }
  data?: {
    index?: number
    total?: number
    num_models?: number
    status?: unknown
    node_info?: { node_name?: unknown; resource_type?: unknown }
  }
}

/** Reads one line of dbt's `--log-format json` output; other lines give undefined. */
export function parseDbtLogLine(line: string): DbtProgress | undefined {
  if (!line.startsWith('{')) return undefined
  let parsed: DbtLogLine
  try {
    parsed = JSON.parse(line) as DbtLogLine
  } catch {
    return undefined
  }
  const info = parsed.info ?? {}
  const level = info.level === 'error' || info.level === 'warn' || info.level === 'debug' ? info.level : 'info'
  const index = parsed.data?.index
  const total = parsed.data?.total ?? parsed.data?.num_models
  const node = parsed.data?.node_info?.node_name
  const resourceType = parsed.data?.node_info?.resource_type
  const status = parsed.data?.status
  return {
    event: info.name ?? 'unknown',
    level,
    message: stripAnsi(info.msg ?? ''),
    ...(typeof index === 'number' ? { index } : {}),
    ...(typeof total === 'number' ? { total } : {}),
    ...(typeof node === 'string' && node !== '' ? { node } : {}),
    ...(typeof resourceType === 'string' && resourceType !== '' ? { resourceType } : {}),
    ...(typeof status === 'string' && status !== '' ? { status } : {}),
  }
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}
