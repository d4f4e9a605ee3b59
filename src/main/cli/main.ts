import { parseArgs } from 'node:util'
import {
  ATTRIBUTION_MODELS,
  DEFAULT_CONVERSION_EVENTS,
  LOOKBACK_DEFAULT_DAYS,
  type ReportRequest,
  dateProblem,
  dateRangeProblem,
  listAttributionModels,
  lookbackProblem,
  validateConversionEvents,
  validateReportRequest,
} from '../../shared/attribution'
import type { DbtProgress } from '../dbt/dbt-runner'
import { UserFacingError, messageOf } from '../errors'
import { warehousePath } from '../paths'
import { attributionReport } from '../services/model-reports'
import { loadModelSettings, saveModelSettings } from '../settings/model-settings'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import type { ImportProgress } from '../warehouse/importer'
import { REPORT_FORMATS, type ReportFormat, formatReport } from './format-report'
import { runGenerate } from './generate-command'
import { installCliSignalHandlers } from './signals'
import { runStream } from './stream-command'
import { createProgressPrinter, progressBar } from './progress'

const HELP = `attribution: GA4 attribution (first click, last click, multi-touch and data-driven) on an embedded DuckDB warehouse

Usage: attribution <command> [options]

Commands:
  generate [--seed N] [--scale default|ga4] [--users N] [--days N] [--end-date YYYY-MM-DD]
                         write GA4-shaped sample events into the warehouse
  import FILE...         load GA4 export files (Parquet, NDJSON plain or .gz, console JSON array)
  build [--lookback-days N] [--conversion-events a,b] [--user-id-stitching on|off]
                         run dbt: staging -> intermediate -> attribution marts
                         (--user-id-stitching for this build only; see settings)
  report --model ID [--lookback-days N] [--conversion-events a,b]
         [--by channel|source_medium|campaign] [--format table|json|csv] [--from DATE] [--to DATE]
         [--channel NAME] [--stream STREAM_ID]
                         conversions and revenue per group, at any lookback 1..90 without a rebuild;
                         ID is one of ${ATTRIBUTION_MODELS.join(', ')}
  models                 the attribution models, with how each gives credit
  stream [--count N] [--seed S] [--rate EVENTS_PER_S] [--continuous] [--batch-size N]
                         live GA4 events into events_intraday, each event id stored once
                         (a replay of the same --seed adds nothing); run build to refresh the models
  demo                   generate, build and report in one go
  status                 what the warehouse holds
  settings [--user-id-stitching on|off]
                         the warehouse's model settings, which the app and every build read;
                         with a flag, changes it (the next build applies it)

Options for every command:
  --warehouse PATH       the DuckDB file (default: $ATTRIBUTION_WAREHOUSE, else the user data folder)
  -h, --help             this text
`

const OPTIONS = {
  warehouse: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  seed: { type: 'string' },
  scale: { type: 'string' },
  users: { type: 'string' },
  days: { type: 'string' },
  'end-date': { type: 'string' },
  'lookback-days': { type: 'string' },
  'conversion-events': { type: 'string' },
  model: { type: 'string' },
  by: { type: 'string' },
  format: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  channel: { type: 'string' },
  stream: { type: 'string' },
  count: { type: 'string' },
  rate: { type: 'string' },
  'batch-size': { type: 'string' },
  continuous: { type: 'boolean' },
  'user-id-stitching': { type: 'string' },
} as const

type Values = ReturnType<typeof parseCli>['values']

function parseCli(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCli>
  try {
    parsed = parseCli(argv)
  } catch (error) {
    process.stderr.write(`${messageOf(error)}\n\n${HELP}`)
    return 2
  }
  const { values, positionals } = parsed
  const [command, ...rest] = positionals
  if (values.help || !command) {
    process.stdout.write(HELP)
    return command || values.help ? 0 : 2
  }
  const warehouse = new EmbeddedWarehouse(warehousePath(values.warehouse))
  const signals = installCliSignalHandlers()
  try {
    switch (command) {
      case 'generate':
        await runGenerate(warehouse, values)
        return 0
      case 'import':
        await runImport(warehouse, rest)
        return 0
      case 'build':
        await runBuild(warehouse, values)
        return 0
      case 'report': {
        const request = reportRequest(values)
        if (request.streamId !== undefined) await assertStreamExists(warehouse, request.streamId)
        process.stdout.write(formatReport(await attributionReport(warehouse, request), reportFormat(values)))
        return 0
      }
        return 0
      case 'stream':
        await runStream(warehouse, values)
        return 0
      case 'demo':
        await runGenerate(warehouse, values)
        await runBuild(warehouse, values)
        for (const model of ['first_click', 'last_click'] as const) {
          process.stdout.write(formatReport(await warehouse.report({ ...reportRequest({ ...values, model }), model }), 'table'))
          process.stdout.write('\n')
        }
        return 0
      case 'models':
        process.stdout.write(listAttributionModels().map((model) => `${model.id.padEnd(16)} ${model.name}: ${model.description}\n`).join(''))
        return 0
      case 'settings':
        process.stdout.write(await runSettings(warehouse, values))
        return 0
      case 'status':
        process.stdout.write(`${JSON.stringify(await warehouse.status())}\n`)
        return 0
      default:
        process.stderr.write(`Unknown command "${command}".\n\n${HELP}`)
        return 2
    }
  } catch (error) {
    const stopped = signals.signal()
    if (stopped) process.stderr.write(`Stopped by ${stopped}.\n`)
    else process.stderr.write(`${error instanceof UserFacingError ? '' : 'Unexpected error: '}${messageOf(error)}\n`)
    return 1
  } finally {
    await warehouse.close()
    signals.remove()
  }
}

async function runImport(warehouse: EmbeddedWarehouse, files: string[]): Promise<void> {
  if (files.length === 0) throw new UserFacingError('Name at least one file: attribution import FILE...')
  const printer = createProgressPrinter()
  const results = await warehouse.importFiles(files, {
    onProgress: (progress: ImportProgress) => printer.update(importProgressText(progress)),
  })
  printer.done()
  for (const result of results) {
    process.stderr.write(
      result.wasAlreadyImported
        ? `${result.file}: already imported, nothing added\n`
        : `${result.file}: ${result.rows.toLocaleString('en-US')} events imported (${result.format})\n`,
    )
  }
}

function importProgressText(progress: ImportProgress): string {
  const position = progress.fileCount > 1 ? ` (${progress.fileIndex + 1}/${progress.fileCount})` : ''
  const bar = progress.percent === undefined ? '' : ` ${progressBar(progress.percent)}`
  return `Importing ${progress.file}${position}: ${progress.phase}${bar}`
}

/** Refuses a `--stream` the modelled events do not have, naming those they have. */
async function assertStreamExists(warehouse: EmbeddedWarehouse, streamId: string): Promise<void> {
  const streams = await warehouse.streams()
  if (streams.some((stream) => stream.streamId === streamId)) return
  const known = streams.map((stream) => `${stream.streamId} (${stream.platform})`).join(', ')
  throw new UserFacingError(`No modelled events are of stream ${streamId}. ${known ? `Streams: ${known}.` : 'The events carry no stream_id.'}`)
}

/** `--user-id-stitching on|off`, or undefined when absent. */
function userIdStitching(values: Values): boolean | undefined {
  const text = values['user-id-stitching']
  if (text === undefined) return undefined
  if (text === 'on' || text === 'off') return text === 'on'
  throw new UserFacingError(`--user-id-stitching must be on or off, got "${text}".`)
}

/** Prints the warehouse's model settings, after saving a change the flags ask for. */
async function runSettings(warehouse: EmbeddedWarehouse, values: Values): Promise<string> {
  const stitching = userIdStitching(values)
  const settings = stitching === undefined ? await loadModelSettings(warehouse.path) : await saveModelSettings(warehouse.path, { userIdStitching: stitching })
  if (!settings.ok) throw new UserFacingError(settings.error)
  return `user-id stitching: ${settings.value.userIdStitching ? 'on' : 'off'}${stitching === undefined ? '' : ' (saved; the next build applies it)'}\n`
}

async function runBuild(warehouse: EmbeddedWarehouse, values: Values): Promise<void> {
  const printer = createProgressPrinter()
  const result = await warehouse.build({
    lookbackDays: lookbackDays(values),
    conversionEvents: conversionEvents(values),
    userIdStitching: userIdStitching(values),
    onProgress: (progress: DbtProgress) => {
      if (progress.index !== undefined && progress.total !== undefined && progress.message) {
        printer.update(`dbt ${progressBar((progress.index / progress.total) * 100)} ${progress.message}`)
      }
    },
  })
  printer.done()
  assertDbtSucceeded(result)
  process.stderr.write(`dbt build finished in ${(result.durationMs / 1000).toFixed(1)} s\n`)
}

function lookbackDays(values: Values): number {
  if (values['lookback-days'] === undefined) return LOOKBACK_DEFAULT_DAYS
  const text = values['lookback-days']
  const number = /^-?\d+$/.test(text) ? Number(text) : Number.NaN
  const problem = lookbackProblem(number)
  if (problem) throw new UserFacingError(problem.replace('NaN', JSON.stringify(text)))
  return number
}

function conversionEvents(values: Values) {
  if (values['conversion-events'] === undefined) return [...DEFAULT_CONVERSION_EVENTS]
  const result = validateConversionEvents(values['conversion-events'].split(',').map((name) => name.trim()))
  if (!result.ok) throw new UserFacingError(result.error)
  return result.value
}

function reportRequest(values: Values): ReportRequest {
  const input: Record<string, unknown> = {
    model: values.model,
    lookbackDays: lookbackDays(values),
    conversionEvents: conversionEvents(values),
    by: values.by ?? 'channel',
  }
  // Checked under the flags' own names before the request's rules name fromDate and toDate.
  for (const [flag, value] of [['--from', values.from], ['--to', values.to]] as const) {
    const problem = value === undefined ? undefined : dateProblem(flag, value)
    if (problem) throw new UserFacingError(problem)
  }
  const reversed = dateRangeProblem('--from', values.from, '--to', values.to)
  if (reversed) throw new UserFacingError(reversed)
  if (values.from !== undefined) input.fromDate = values.from
  if (values.to !== undefined) input.toDate = values.to
  if (values.channel !== undefined) input.channel = values.channel
  if (values.stream !== undefined) input.streamId = values.stream
  if (values.model === undefined) throw new UserFacingError(`Choose a model: --model ${ATTRIBUTION_MODELS.join('|')} (\`attribution models\` describes them).`)
  const result = validateReportRequest(input)
  if (!result.ok) throw new UserFacingError(result.error)
  return result.value
}

function reportFormat(values: Values): ReportFormat {
  const format = values.format ?? 'table'
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UserFacingError(`Unknown format "${format}": use ${REPORT_FORMATS.join(', ')}.`)
  }
  return format as ReportFormat
}

export type { Values as CliValues }
