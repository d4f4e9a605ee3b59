// `npm run bench:stream [-- --seconds 600 --rates 10,50,200 --users 20000 --days 60]`: the app's
// Continuous mode at each rate for a while, on a copy of one built warehouse each, recording freshness
// (event sent -> visible in the attribution views) and the backlog (delivered, not yet modelled) over
// time. Writes its section of docs/benchmarks.md with the machine and the date. A benchmark, never a test.
// BENCH_STREAM_SECONDS shortens every rate's run as --seconds does.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem, type as osType, release } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createAppServices } from '../src/main/app-services'
import { projectRoot } from '../src/main/paths'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../src/main/warehouse/embedded-warehouse'
import { copyWarehouse } from '../src/main/warehouse/raw-files'
import { generateSampleData } from '../src/main/services/sample-data'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.BENCH_STREAM_SECONDS ?? '600' },
    rates: { type: 'string', default: '10,50,200' },
    users: { type: 'string', default: '20000' },
    days: { type: 'string', default: '60' },
    out: { type: 'string' },
  },
})
const seconds = Number(values.seconds)
const rates = values.rates.split(',').map(Number)
const users = Number(values.users)
const days = Number(values.days)
if (!(seconds > 0) || rates.some((rate) => !(rate > 0)) || !(users > 0) || !(days > 0))
  throw new Error('--seconds, --rates, --users and --days take positive numbers')

/** Where docs/benchmarks.md keeps this benchmark's section, so `npm run bench` and this one leave each other's figures alone. */
const SECTION_START = '<!-- bench:stream start -->'
const SECTION_END = '<!-- bench:stream end -->'
const POLL_MS = 200
const BACKLOG_SAMPLE_MS = 10_000
/** After the stream stops, how long the loop may take to model what is left before the run is called stuck. */
const DRAIN_LIMIT_MS = 10 * 60_000

const root = projectRoot()
const work = join(root, '.bench-stream')
rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`

interface RateResult {
  rate: number
  sent: number
  freshness: number[]
  backlog: Array<{ atS: number; unmodelled: number; pending: number }>
  runs: number
  drainMs: number
  sustainable: number | null
  lastRunMs: number | null
}

async function streamAt(rate: number, basePath: string): Promise<RateResult> {
  const path = join(work, `rate-${rate}.duckdb`)
  copyWarehouse(basePath, path)
  const app = await createAppServices({ warehousePath: path })
  await app.refresh.warmUp()
  // Every send, in order, with its cumulative count: the refresh models events in the order they landed.
  const sends: Array<{ at: number; through: number }> = []
  let sentTotal = 0
  const stream = app.stream
  const burst = stream.burst.bind(stream)
  stream.burst = async (count) => {
    const at = Date.now()
    const result = await burst(count)
    sentTotal += result.added
    sends.push({ at, through: sentTotal })
    return result
  }
  const freshness: number[] = []
  const backlog: RateResult['backlog'] = []
  let visibleIndex = 0
  let lastSuccessAt: string | null = null
  let runs = 0
  const started = Date.now()
  let nextBacklogAt = started
  const observe = () => {
    const status = stream.status()
    const refresh = status.refresh
    const now = Date.now()
    if (refresh.lastSuccessAt !== lastSuccessAt) {
      lastSuccessAt = refresh.lastSuccessAt
      runs += 1
      // The views read the marts right after a successful run; what it modelled is stored minus still unmodelled.
      const modelled = status.storedEvents - (refresh.unmodelledEvents ?? 0)
      while (visibleIndex < sends.length && sends[visibleIndex]!.through <= modelled) {
        freshness.push(now - sends[visibleIndex]!.at)
        visibleIndex += 1
      }
    }
    if (now >= nextBacklogAt) {
      backlog.push({ atS: Math.round((now - started) / 1000), unmodelled: refresh.unmodelledEvents ?? 0, pending: status.pendingEvents })
      nextBacklogAt += BACKLOG_SAMPLE_MS
    }
  }
  stream.start(rate)
  while (Date.now() - started < seconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    observe()
  }
  stream.stop()
  const stoppedAt = Date.now()
  while (visibleIndex < sends.length && Date.now() - stoppedAt < DRAIN_LIMIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    observe()
  }
  const drainMs = Date.now() - stoppedAt
  nextBacklogAt = 0
  observe()
  const status = stream.status()
  await app.close()
  rmSync(path, { force: true })
  return {
    rate,
    sent: sentTotal,
    freshness,
    backlog,
    runs,
    drainMs,
    sustainable: status.sustainableRatePerSecond ?? null,
    lastRunMs: status.refresh.lastDurationMs,
  }
}

const basePath = join(work, 'base.duckdb')
const base = new EmbeddedWarehouse(basePath)
const generated = await generateSampleData(base, { seed: 1, users, days, endDate: new Date().toISOString().slice(0, 10) })
assertDbtSucceeded(await base.build({}))
await base.close()
process.stderr.write(
  `warehouse: ${generated.events.toLocaleString('en-US')} events of ${users.toLocaleString('en-US')} users over ${days} days\n`,
)

const results: RateResult[] = []
const loadBefore = loadavg()[0] ?? 0
for (const rate of rates) {
  process.stderr.write(`Continuous at ${rate} events/s for ${seconds} s...\n`)
  const result = await streamAt(rate, basePath)
  results.push(result)
  process.stderr.write(
    `  ${result.sent} events, ${result.runs} refreshes, freshness p50 ${s(percentile(result.freshness, 50))} p95 ${s(percentile(result.freshness, 95))}, max backlog ${Math.max(...result.backlog.map((point) => point.unmodelled + point.pending))}, drained in ${s(result.drainMs)}\n`,
  )
}
const loadAfter = loadavg()[0] ?? 0

const cpu = cpus()[0]?.model ?? 'unknown CPU'
const date = new Date().toISOString().slice(0, 16).replace('T', ' ')
const table = [
  '| rate | events sent | refreshes | freshness p50 / p95 (sent -> in the views) | backlog max (delivered not modelled + in the outbox) | backlog at the end | catch-up after stop | sustainable rate shown |',
  '|---|---|---|---|---|---|---|---|',
  ...results.map((result) => {
    const totals = result.backlog.map((point) => point.unmodelled + point.pending)
    const atEnd = result.backlog.filter((point) => point.atS <= seconds).at(-1)
    return `| ${result.rate}/s | ${result.sent.toLocaleString('en-US')} | ${result.runs} | ${s(percentile(result.freshness, 50))} / ${s(percentile(result.freshness, 95))} | ${Math.max(...totals).toLocaleString('en-US')} | ${atEnd ? (atEnd.unmodelled + atEnd.pending).toLocaleString('en-US') : 'n/a'} | ${s(result.drainMs)} | ${result.sustainable === null ? 'not measured' : `${result.sustainable}/s`} |`
  }),
].join('\n')
const series = results
  .map(
    (result) =>
      `- ${result.rate}/s, backlog every ${BACKLOG_SAMPLE_MS / 1000} s (delivered not modelled + outbox): ${result.backlog.map((point) => point.unmodelled + point.pending).join(', ')}`,
  )
  .join('\n')
const section = `${SECTION_START}
## Sustained streaming (\`npm run bench:stream\`)

Written by \`npm run bench:stream -- --seconds ${seconds} --rates ${rates.join(',')}\` on ${date} UTC: **${seconds} s per rate**${seconds < 600 ? ' (shortened; the default is 600 s)' : ''}.
Machine: ${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory, ${osType()} ${release()}, Node ${process.version}; 1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (other work shared the machine).
Warehouse: ${generated.events.toLocaleString('en-US')} generated events of ${users.toLocaleString('en-US')} users over ${days} days, a fresh copy per rate; the app's refresh loop as shipped (incremental \`dbt run\` in the long-lived worker).
Freshness is measured per send (a tick of 200 ms) from the send to the end of the refresh that modelled it; events still unmodelled when the stream stops count once the loop caught up.

${table}

${series}
${SECTION_END}`

const target = values.out ?? join(root, 'docs', 'benchmarks.md')
const existing = existsSync(target) ? readFileSync(target, 'utf8') : '# Benchmarks\n'
const startIndex = existing.indexOf(SECTION_START)
const endIndex = existing.indexOf(SECTION_END)
const text =
  startIndex !== -1 && endIndex > startIndex
    ? `${existing.slice(0, startIndex)}${section}${existing.slice(endIndex + SECTION_END.length)}`
    : `${existing.trimEnd()}\n\n${section}\n`
writeFileSync(target, text)
rmSync(work, { recursive: true, force: true })
process.stderr.write(`wrote ${target}\n`)
