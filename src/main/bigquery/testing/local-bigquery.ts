/** Test support: the third-party local-bigquery emulator on loopback, the GA4 fixture loaded into it, and dbt run against it. */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { BigQuery } from '@google-cloud/bigquery'
import { DuckDBInstance } from '@duckdb/node-api'
import { PassThroughClient } from 'google-auth-library'
import { dbtProjectDir, projectRoot, repoVenvPrograms } from '../../paths'
import { GA4_COLUMNS } from '../../warehouse/ga4-schema'
import type { BigQueryTransport } from '../bigquery-client'
import { GA4_BIGQUERY_SCHEMA } from '../ga4-bigquery-schema'

/** The emulator's own virtualenv (Python 3.13, requirements-emulator.lock), made by scripts/setup-python.mjs. */
export const EMULATOR_VENV = join(projectRoot(), '.venv-bigquery-emulator')
const EMULATOR_PYTHON = process.platform === 'win32' ? join(EMULATOR_VENV, 'Scripts', 'python.exe') : join(EMULATOR_VENV, 'bin', 'python')
const LAUNCHER = join(projectRoot(), 'src', 'main', 'bigquery', 'testing', 'local_bigquery_launcher.py')
const START_TIMEOUT_MS = 60_000

/** Why the emulator cannot run here, or undefined when its venv is ready. */
export function emulatorMissingReason(): string | undefined {
  if (existsSync(join(EMULATOR_VENV, '.requirements.sha256')) && existsSync(EMULATOR_PYTHON)) return undefined
  return `${EMULATOR_VENV} is not set up (it needs Python 3.13; \`npm run setup:python\` creates it)`
}

/** A free TCP port on loopback, chosen by the OS. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** local-bigquery serving one data folder on loopback; `close()` stops it and removes the folder. */
export class LocalBigQuery {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly dataDir: string,
    private readonly log: () => string,
  ) {}

  /** Starts the emulator through the launcher (which patches its gaps) and waits until it answers, at most a minute. */
  static async start(options: { project: string; dataDir: string }): Promise<LocalBigQuery> {
    const missing = emulatorMissingReason()
    if (missing) throw new Error(`Cannot start local-bigquery: ${missing}.`)
    mkdirSync(options.dataDir, { recursive: true })
    const [port, grpcPort] = [await freePort(), await freePort()]
    const args = [
      LAUNCHER,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--grpc-port',
      String(grpcPort),
      '--data-dir',
      options.dataDir,
      '--project',
      options.project,
    ]
    const child = spawn(EMULATOR_PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } })
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    const emulator = new LocalBigQuery(child, port, options.dataDir, () => output)
    const deadline = Date.now() + START_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`local-bigquery exited with ${child.exitCode} while starting:\n${output}`)
      try {
        const response = await fetch(`${emulator.apiEndpoint}/bigquery/v2/projects/${options.project}/datasets`)
        if (response.ok) return emulator
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    await emulator.close()
    throw new Error(`local-bigquery did not answer within ${START_TIMEOUT_MS / 1000} s:\n${output}`)
  }

  get apiEndpoint(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** The app's test transport: requests to the emulator, no credentials sent. */
  transport(): BigQueryTransport {
    return { apiEndpoint: this.apiEndpoint, authClient: new PassThroughClient() }
  }

  /** The emulator's recent output, for failure messages. */
  output(): string {
    return this.log()
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve))
      this.child.kill('SIGTERM')
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

/** What was loaded into the GA4 dataset. */
export interface LoadedShards {
  dayTables: string[]
  intradayTables: string[]
  rows: number
}

/**
 * Loads the GA4 fixture into `dataset` as `events_YYYYMMDD` day shards, and the dates in
 * `intradayDates` as `events_intraday_YYYYMMDD`, all with the schema the app writes for intraday
 * tables (a wildcard over shards of different column sets fails on the emulator). Each table is one
 * Parquet load job, from a file DuckDB writes with the export's column types.
 */
export async function loadGa4Fixture(
  client: BigQuery,
  dataset: string,
  parquetPath: string,
  scratchDir: string,
  intradayDates: readonly string[],
): Promise<LoadedShards> {
  mkdirSync(scratchDir, { recursive: true })
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  const loaded: LoadedShards = { dayTables: [], intradayTables: [], rows: 0 }
  try {
    const present = new Set(
      (await connection.runAndReadAll('select name from parquet_schema($path)', { path: parquetPath }))
        .getRows()
        .map((row) => String(row[0])),
    )
    const columns = GA4_COLUMNS.map(
      ([name, type]) => (present.has(name) ? `cast("${name}" as ${type})` : `cast(null as ${type})`) + ` as "${name}"`,
    ).join(', ')
    await connection.run(`create table fixture as select ${columns} from read_parquet($path)`, { path: parquetPath })
    const dates = (await connection.runAndReadAll('select distinct event_date from fixture order by 1'))
      .getRows()
      .map((row) => String(row[0]))
    for (const date of dates) {
      const table = intradayDates.includes(date) ? `events_intraday_${date}` : `events_${date}`
      const file = join(scratchDir, `${table}.parquet`)
      await connection.run(`copy (select * from fixture where event_date = '${date}') to '${file.replace(/'/g, "''")}' (format parquet)`)
      const [job] = await client
        .dataset(dataset)
        .table(table)
        .load(file, {
          sourceFormat: 'PARQUET',
          schema: { fields: GA4_BIGQUERY_SCHEMA.map((field) => ({ ...field })) },
          writeDisposition: 'WRITE_TRUNCATE',
        })
      const errors = job.status?.errors ?? []
      if (errors.length > 0) throw new Error(`Loading ${table} failed: ${JSON.stringify(errors)}`)
      loaded.rows += Number(job.statistics?.load?.outputRows ?? 0)
      ;(table.startsWith('events_intraday_') ? loaded.intradayTables : loaded.dayTables).push(table)
    }
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
  return loaded
}

/** One dbt node's outcome, from run_results.json. */
export interface DbtNodeResult {
  uniqueId: string
  resourceType: string
  status: string
  message: string
}

/** A dbt command run on the emulator. */
export interface EmulatorDbtRun {
  exitCode: number | null
  nodes: DbtNodeResult[]
  /** dbt's console output, for failure messages. */
  output: string
}

/** The environment dbt_attribution's `bigquery_emulator` target reads. */
export function emulatorDbtEnvironment(
  emulator: LocalBigQuery,
  settings: { project: string; martsDataset: string; ga4Dataset: string },
): Record<string, string> {
  return {
    ATTRIBUTION_DBT_TARGET: 'bigquery_emulator',
    ATTRIBUTION_BQ_PROJECT: settings.project,
    ATTRIBUTION_DATASET: settings.martsDataset,
    ATTRIBUTION_GA4_PROJECT: settings.project,
    ATTRIBUTION_GA4_DATASET: settings.ga4Dataset,
    ATTRIBUTION_BQ_LOCATION: 'US',
    // google-cloud-bigquery (so dbt-bigquery) sends every request there; it needs the scheme.
    BIGQUERY_EMULATOR_HOST: emulator.apiEndpoint,
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
  }
}

/** Runs a dbt command of the project on the emulator (an argument array, the repository's dbt) and reads its run results. */
export async function runDbtOnEmulator(env: Record<string, string>, args: string[], targetPath: string): Promise<EmulatorDbtRun> {
  const projectDir = dbtProjectDir()
  // Emulator gap: its INFORMATION_SCHEMA lists a dataset's tables, then reads each one, with no lock
  // between the two; a table replaced meanwhile by another dbt thread (a seed's load job) fails the
  // listing query with `Internal error: KeyError(('<project>', '<dataset>', '<table>'))` (staging reads
  // INFORMATION_SCHEMA.PARTITIONS of the marts dataset while the seeds reload there). BigQuery's own
  // INFORMATION_SCHEMA is consistent, so only runs on the emulator use one thread.
  const argv = [
    ...args,
    '--threads',
    '1',
    '--project-dir',
    projectDir,
    '--profiles-dir',
    projectDir,
    '--target',
    'bigquery_emulator',
    '--target-path',
    targetPath,
    '--log-path',
    join(targetPath, 'logs'),
  ]
  rmSync(join(targetPath, 'run_results.json'), { force: true })
  const child = spawn(repoVenvPrograms().dbt, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-60_000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  const resultsPath = join(targetPath, 'run_results.json')
  const results = existsSync(resultsPath)
    ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as { results: Array<{ unique_id: string; status: string; message: string | null }> })
        .results
    : []
  const nodes = results.map((result) => ({
    uniqueId: result.unique_id,
    resourceType: result.unique_id.split('.')[0] ?? '',
    status: result.status,
    message: result.message ?? '',
  }))
  return { exitCode, nodes, output }
}
