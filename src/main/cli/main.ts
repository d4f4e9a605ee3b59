import { parseArgs } from 'node:util'
import {
  ATTRIBUTION_MODELS,
  type ConversionEvent,
  type ConversionEventInfo,
  DEFAULT_CONVERSION_EVENTS,
  absentConversionEventsProblem,
  conversionEventsProblem,
  LOOKBACK_DEFAULT_DAYS,
  LOOKBACK_MAX_DAYS,
  LOOKBACK_MIN_DAYS,
  REPORT_GROUPINGS,
  type ReportRequest,
  dateProblem,
  dateRangeProblem,
  lookbackProblem,
  validateConversionEvents,
  validateReportRequest,
  unknownStreamMessage,
} from '@shared/attribution'
import type { DbtProgress } from '../dbt/dbt-runner'
import { UserFacingError, messageOf } from '../errors'
import { warehousePath } from '../paths'
import type { DateRange } from '../services/model-reports'
import type { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import type { ImportProgress } from '../warehouse/importer'
import { type CostReturnRequest, validateCostReturnRequest } from '@shared/cost-return'
import type { ReportFormat } from './format-report'
import { installCliSignalHandlers } from './signals'
import { createProgressPrinter, progressBar } from './progress'

// Commands other than `report` are imported when they run, so `report` and `--help` load only what they use
// (the compiled CLI has one chunk per command module: scripts/build-cli.mjs).

const HELP = `attribution: GA4 attribution (first click, last click, multi-touch and data-driven) on an embedded DuckDB warehouse

Usage: attribution <command> [options]

Commands:
  generate [--seed N] [--scale default|ga4] [--users N] [--days N] [--end-date YYYY-MM-DD]
                         write GA4-shaped sample events into the warehouse
  import FILE...         load GA4 export files (Parquet, NDJSON plain or .gz, console JSON array)
  import-spend FILE... [--google-ads-as SOURCE/MEDIUM] [--meta-as SOURCE/MEDIUM]
                         load ad spend in USD: GA4's cost-data import CSV, a Google Ads campaign report
                         (as google/cpc), a Meta Ads export (as facebook/paid) or a plain
                         date,source,medium,campaign,cost,currency CSV; a corrected file replaces its days
  import-spend --bigquery FILE... [--google-ads-as ...] [--meta-as ...]
                         the same into ad_spend of the marts dataset the app's Settings name (never
                         the export), then dbt builds the cost mart there. Application Default Credentials
  build [--conversion-events a,b] [--full-refresh] [--user-id-stitching on|off]
        [--unwanted-referral TYPE:PATTERN]... [--self-referrals on|off]
                         run dbt: staging -> intermediate -> attribution marts, every lookback
                         ${LOOKBACK_MIN_DAYS}..${LOOKBACK_MAX_DAYS} at once (report chooses one); every event named
                         in --conversion-events (any GA4 event name) stays modelled from then on;
                         --full-refresh rebuilds every model from the raw events; the referral
                         flags and --user-id-stitching apply to this run only (the stored list is
                         what \`referrals\` changes, the stored stitching what \`settings\` changes)
  events                 the event names in the warehouse, most frequent first, with their counts
                         and whether each is modelled as a conversion
  referrals [add TYPE PATTERN | remove TYPE PATTERN | self-referrals on|off]
                         the unwanted referrals and self-referral detection the app shares, with
                         suggestions from the data; a change re-models the users it touches
                         (TYPE: exact, contains, begins_with, ends_with, regex)
  report --model ID [--lookback-days N] [--conversion-events a,b]
         [--by ${REPORT_GROUPINGS.join('|')}] [--format table|json|csv] [--from DATE] [--to DATE]
         [--channel NAME] [--stream STREAM_ID] [--compare-previous [--compare-from DATE --compare-to DATE]] [--context]
                         conversions and revenue per group, at any lookback 1..90 without a rebuild;
                         ID is one of ${ATTRIBUTION_MODELS.join(', ')}; --compare-previous adds the
                         previous period of the same length (or the one given) and the change
  report --with-cost [--model BASELINE] [--by channel|campaign] [--lookback-days N] [--from DATE] [--to DATE]
         [--channel TREND_CHANNEL] [--trend-models A,B] [--format table|json|csv]
                         cost, conversions, revenue, cost per conversion and ROAS under every model,
                         against a baseline (default last_click): what the Cost & return view shows
  models                 the attribution models, with how each gives credit
  stream [--count N] [--seed S] [--rate EVENTS_PER_S] [--continuous] [--batch-size N]
         [--into-sandbox | --allow-demo-in-real-data]
                         made-up live GA4 events into events_intraday, each event id stored once
                         (a replay of the same --seed adds nothing); run build to refresh the models.
                         A warehouse with imported exports is refused: --into-sandbox streams into
                         its demo copy (<warehouse>.demo/demo.duckdb, as the app does)
  stream --bigquery [--count N] [--seed S]
                         into the BigQuery demo dataset of the app's Settings (<ga4 dataset>_demo,
                         made from the export's last 14 days when missing), never the export; then
                         dbt builds the demo marts (<marts>_demo). Application Default Credentials
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
  'compare-previous': { type: 'boolean' },
  'compare-from': { type: 'string' },
  'compare-to': { type: 'string' },
  count: { type: 'string' },
  rate: { type: 'string' },
  'batch-size': { type: 'string' },
  continuous: { type: 'boolean' },
  'user-id-stitching': { type: 'string' },
  'full-refresh': { type: 'boolean' },
  'google-ads-as': { type: 'string' },
  'meta-as': { type: 'string' },
  'with-cost': { type: 'boolean' },
  'trend-models': { type: 'string' },
  'into-sandbox': { type: 'boolean' },
  bigquery: { type: 'boolean' },
  'allow-demo-in-real-data': { type: 'boolean' },
  'unwanted-referral': { type: 'string', multiple: true },
  'self-referrals': { type: 'string' },
  context: { type: 'boolean' },
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
  // DuckDB's binding loads only for a command that opens the warehouse, never for --help or a parse error.
  const { EmbeddedWarehouse } = await import('../warehouse/embedded-warehouse')
  const warehouse = new EmbeddedWarehouse(warehousePath(values.warehouse))
  const signals = installCliSignalHandlers()
  try {
    switch (command) {
      case 'generate':
        await (await import('./generate-command')).runGenerate(warehouse, values)
        return 0
      case 'import':
        await runImport(warehouse, rest)
        return 0
      case 'import-spend':
        await runImportSpend(warehouse, rest, values)
        return 0
      case 'build':
        if (values['lookback-days'] !== undefined) throw new UserFacingError(BUILD_LOOKBACK_REMOVED)
        await runBuild(warehouse, values)
        return 0
      case 'referrals':
        await (await import('./referrals-command')).runReferrals(warehouse, rest, (target) => runBuild(target, {}))
        return 0
      case 'report':
        // One opening of the file for the checks and the report.
        await warehouse.holdReader(() => runReport(warehouse, values))
        return 0
      case 'events':
        process.stdout.write(formatEvents(await warehouse.conversionEvents()))
        return 0
      case 'stream':
        if (values.bigquery === true) {
          const { runBigQueryStream, settingsPathFor } = await import('./bigquery-stream-command')
          await runBigQueryStream(settingsPathFor(warehouse.path), values)
        } else await (await import('./stream-command')).runStream(warehouse, values)
        return 0
      case 'demo': {
        const { formatReport } = await import('./format-report')
        await (await import('./generate-command')).runGenerate(warehouse, values)
        await runBuild(warehouse, values)
        for (const model of ['first_click', 'last_click'] as const) {
          process.stdout.write(formatReport(await warehouse.report({ ...reportRequest({ ...values, model }), model }), 'table'))
          process.stdout.write('\n')
        }
        return 0
      }
      case 'models':
        process.stdout.write(
          (await (await import('../services/model-registry')).attributionModelRegistry(warehouse))
            .map((model) => `${model.id.padEnd(16)} ${model.name}: ${model.description}\n`)
            .join(''),
        )
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

async function runImportSpend(warehouse: EmbeddedWarehouse, files: string[], values: Values): Promise<void> {
  if (files.length === 0) throw new UserFacingError('Name at least one file: attribution import-spend FILE...')
  const [{ DEFAULT_SPEND_MAPPING }, { spendImportText }] = await Promise.all([
    import('../warehouse/spend-formats'),
    import('../warehouse/spend-import'),
  ])
  const mapping = {
    google_ads: sourceMediumFlag('--google-ads-as', values['google-ads-as']) ?? DEFAULT_SPEND_MAPPING.google_ads,
    meta_ads: sourceMediumFlag('--meta-as', values['meta-as']) ?? DEFAULT_SPEND_MAPPING.meta_ads,
  }
  if (values.bigquery === true) {
    const [{ runBigQueryImportSpend }, { settingsPathFor }] = await Promise.all([
      import('./bigquery-spend-command'),
      import('./bigquery-stream-command'),
    ])
    return runBigQueryImportSpend(settingsPathFor(warehouse.path), files, mapping)
  }
  for (const result of await warehouse.importSpend(files, { mapping })) {
    process.stderr.write(`${result.file}: ${spendImportText(result)}\n`)
  }
}

function sourceMediumFlag(flag: string, text: string | undefined): { source: string; medium: string } | undefined {
  if (text === undefined) return undefined
  const match = /^([^/]+)\/([^/]+)$/.exec(text.trim())
  if (!match?.[1] || !match[2]) throw new UserFacingError(`${flag} takes SOURCE/MEDIUM, such as google/cpc; got ${JSON.stringify(text)}.`)
  return { source: match[1].trim(), medium: match[2].trim() }
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
  throw new UserFacingError(unknownStreamMessage(streamId, streams))
}

/** `--user-id-stitching on|off`, or undefined when absent. */
function userIdStitching(values: Partial<Values>): boolean | undefined {
  const text = values['user-id-stitching']
  if (text === undefined) return undefined
  if (text === 'on' || text === 'off') return text === 'on'
  throw new UserFacingError(`--user-id-stitching must be on or off, got "${text}".`)
}

/** Prints the warehouse's model settings, after saving a change the flags ask for. */
async function runSettings(warehouse: EmbeddedWarehouse, values: Values): Promise<string> {
  const { loadModelSettings, saveModelSettings } = await import('../settings/model-settings')
  const stitching = userIdStitching(values)
  const settings =
    stitching === undefined
      ? await loadModelSettings(warehouse.path)
      : await saveModelSettings(warehouse.path, { userIdStitching: stitching })
  if (!settings.ok) throw new UserFacingError(settings.error)
  const built = await warehouse.stitchingQuality()
  const quality = built
    ? `last build: stitching ${built.isUserIdStitchingOn ? 'on' : 'off'}, ${built.stitchedDevices} device(s) joined to ${built.stitchedUsers} signed-in user(s)\n`
    : ''
  return `user-id stitching: ${settings.value.userIdStitching ? 'on' : 'off'}${stitching === undefined ? '' : ' (saved; the next build applies it)'}\n${quality}`
}

/** `report`: one model's credit (or, with --with-cost, cost and return) after the checks of its events and stream. */
async function runReport(warehouse: EmbeddedWarehouse, values: Values): Promise<void> {
  if (values['with-cost']) {
    const [{ formatCostReport }, { costAndReturn }] = await Promise.all([import('./format-cost-report'), import('../services/cost-return')])
    process.stdout.write(formatCostReport(await costAndReturn(warehouse, costRequest(values)), await reportFormat(values)))
    return
  }
  const request = reportRequest(values)
  // The report's modules load while DuckDB opens the file on its own threads.
  const modules = Promise.all([import('../services/model-reports'), import('./format-report')])
  await assertEventsModelled(warehouse, request.conversionEvents)
  if (request.streamId !== undefined) await assertStreamExists(warehouse, request.streamId)
  const earlier = comparedPeriod(values)
  const format = await reportFormat(values)
  const [{ attributionReport, compareReportPeriods }, { formatReport, formatReportComparison }] = await modules
  if (values.context && format !== 'csv') throw new UserFacingError('--context goes with --format csv.')
  if (earlier === null) {
    const report = await attributionReport(warehouse, request)
    const context = values.context ? await reportContext(warehouse, request) : ''
    process.stdout.write(context + formatReport(report, format))
  } else {
    const comparison = await compareReportPeriods(warehouse, request, earlier)
    const period = { fromDate: comparison.previous.from_date, toDate: comparison.previous.to_date }
    const context = values.context
      ? await reportContext(warehouse, { ...request, fromDate: comparison.current.from_date, toDate: comparison.current.to_date }, period)
      : ''
    process.stdout.write(context + formatReportComparison(comparison, format))
  }
}

/** Refuses a report on events that do not occur or are not modelled, naming the command that models them. */
async function assertEventsModelled(warehouse: EmbeddedWarehouse, events: readonly ConversionEvent[]): Promise<void> {
  // Every chosen event modelled: modelled names always count as known (with 0 events when absent), so
  // the full check below would pass too; it scans staging's event names, which only a refusal needs.
  const modelled = await warehouse.modelledEventNames()
  if (modelled !== null && events.every((name) => modelled.includes(name))) return
  const known = await warehouse.conversionEvents()
  // Nothing modelled: the marts were never built, which the report's own query says.
  if (!known.some((info) => info.modelled)) return
  const problem = conversionEventsProblem(
    events,
    known,
    (missing) => `run \`attribution build --conversion-events ${missing.join(',')}\` to model ${missing.length === 1 ? 'it' : 'them'}`,
  )
  if (problem) throw new UserFacingError(problem)
}

/** The event list as the `events` command prints it: name, count, modelled. */
function formatEvents(events: readonly ConversionEventInfo[]): string {
  if (events.length === 0) return 'No events yet: import or generate some first.\n'
  const width = Math.max(...events.map((info) => info.name.length), 'event'.length)
  const lines = events.map((info) =>
    `${info.name.padEnd(width)}  ${info.events.toLocaleString('en-US').padStart(12)}  ${info.modelled ? 'modelled' : ''}`.trimEnd(),
  )
  return `${'event'.padEnd(width)}  ${'events'.padStart(12)}  conversion\n${lines.join('\n')}\n`
}

/** What `build --lookback-days` says since the marts hold every lookback (the flag once set a dbt var no view read). */
const BUILD_LOOKBACK_REMOVED = `--lookback-days was removed from build: every lookback ${LOOKBACK_MIN_DAYS}..${LOOKBACK_MAX_DAYS} is built at once; choose one per report with \`report --lookback-days N\`.`

async function runBuild(warehouse: EmbeddedWarehouse, values: Partial<Values>): Promise<void> {
  const events = conversionEvents(values as Values)
  // Named events must occur (the default need not: a property may have no purchases yet).
  if (values['conversion-events'] !== undefined) {
    const absent = absentConversionEventsProblem(events, await warehouse.conversionEvents())
    if (absent) throw new UserFacingError(absent)
  }
  const [{ oneOffReferralOptions }, { assertDbtSucceeded }] = await Promise.all([
    import('./referrals-command'),
    import('../warehouse/embedded-warehouse'),
  ])
  const referrals = await oneOffReferralOptions(warehouse, values['unwanted-referral'], values['self-referrals'])
  const printer = createProgressPrinter()
  const result = await warehouse.build({
    conversionEvents: events,
    fullRefresh: values['full-refresh'] === true,
    userIdStitching: userIdStitching(values),
    ...referrals,
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

/** The `# name: value` lines of `report --context`; open date ends become the data's own first and last conversion date. */
async function reportContext(
  warehouse: EmbeddedWarehouse,
  request: ReportRequest,
  comparedWith?: { fromDate: string; toDate: string },
): Promise<string> {
  const { reportContextLines } = await import('./format-report')
  const status = request.fromDate && request.toDate ? undefined : await warehouse.status()
  return reportContextLines({
    model: request.model,
    lookbackDays: request.lookbackDays,
    conversionEvents: request.conversionEvents,
    by: request.by,
    fromDate: request.fromDate ?? status?.firstConversionDate ?? null,
    toDate: request.toDate ?? status?.lastConversionDate ?? null,
    ...(comparedWith ? { comparedWith } : {}),
    exportedAt: new Date().toISOString(),
  })
}

function reportRequest(values: Values): ReportRequest {
  const input: Record<string, unknown> = {
    model: values.model,
    lookbackDays: lookbackDays(values),
    conversionEvents: conversionEvents(values),
    by: values.by ?? 'channel',
  }
  // Checked under the flags' own names before the request's rules name fromDate and toDate.
  for (const [flag, value] of [
    ['--from', values.from],
    ['--to', values.to],
  ] as const) {
    const problem = value === undefined ? undefined : dateProblem(flag, value)
    if (problem) throw new UserFacingError(problem)
  }
  const reversed = dateRangeProblem('--from', values.from, '--to', values.to)
  if (reversed) throw new UserFacingError(reversed)
  if (values.from !== undefined) input.fromDate = values.from
  if (values.to !== undefined) input.toDate = values.to
  if (values.channel !== undefined) input.channel = values.channel
  if (values.stream !== undefined) input.streamId = values.stream
  if (values.model === undefined)
    throw new UserFacingError(`Choose a model: --model ${ATTRIBUTION_MODELS.join('|')} (\`attribution models\` describes them).`)
  const result = validateReportRequest(input)
  if (!result.ok) throw new UserFacingError(result.error)
  return result.value
}

function costRequest(values: Values): CostReturnRequest {
  for (const [flag, value] of [
    ['--from', values.from],
    ['--to', values.to],
  ] as const) {
    const problem = value === undefined ? undefined : dateProblem(flag, value)
    if (problem) throw new UserFacingError(problem)
  }
  const result = validateCostReturnRequest({
    lookbackDays: lookbackDays(values),
    conversionEvents: conversionEvents(values),
    by: values.by ?? 'channel',
    baseline: values.model ?? 'last_click',
    ...(values['trend-models'] !== undefined ? { trendModels: values['trend-models'].split(',').map((model) => model.trim()) } : {}),
    ...(values.channel !== undefined ? { trendChannel: values.channel } : {}),
    ...(values.from !== undefined ? { fromDate: values.from } : {}),
    ...(values.to !== undefined ? { toDate: values.to } : {}),
  })
  if (!result.ok) throw new UserFacingError(result.error)
  return result.value
}

/** The earlier period of `--compare-previous`: undefined for the preceding one, the dates of --compare-from/--compare-to, or null without the flag. */
function comparedPeriod(values: Values): DateRange | undefined | null {
  const [from, to] = [values['compare-from'], values['compare-to']]
  if (!values['compare-previous']) {
    if (from !== undefined || to !== undefined) throw new UserFacingError('--compare-from and --compare-to go with --compare-previous.')
    return null
  }
  if (from === undefined && to === undefined) return undefined
  if (from === undefined || to === undefined)
    throw new UserFacingError('Give both --compare-from and --compare-to, or neither for the previous period.')
  for (const [flag, value] of [
    ['--compare-from', from],
    ['--compare-to', to],
  ] as const) {
    const problem = dateProblem(flag, value)
    if (problem) throw new UserFacingError(problem)
  }
  const reversed = dateRangeProblem('--compare-from', from, '--compare-to', to)
  if (reversed) throw new UserFacingError(reversed)
  return { fromDate: from, toDate: to }
}

async function reportFormat(values: Values): Promise<ReportFormat> {
  const { REPORT_FORMATS } = await import('./format-report')
  const format = values.format ?? 'table'
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UserFacingError(`Unknown format "${format}": use ${REPORT_FORMATS.join(', ')}.`)
  }
  return format as ReportFormat
}
