// `npm run bench:growth [-- --users 270000,6300000]`: bounded memory at any size (issue 27). For each
// number of users (92 days each): the CLI's `generate`, its full `build --full-refresh` with the peak
// resident memory of its process tree (node, dbt, DuckDB), then the app opened on the result in a
// process of its own (bench/app-open.ts: its peak and settled memory, the first lookback change).
// Writes its section of docs/benchmarks.md. A benchmark, never a test. Generated warehouses are kept
// in .bench-growth/ and reused by the next run (`--fresh` generates them again).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { buildMemoryLimit, duckDbMemoryLimitFor, memorySizeBytes } from '../src/main/dbt/dbt-runner'
import { projectRoot } from '../src/main/paths'
import { servingMemoryLimit } from '../src/main/serving/serving-store'
import { type AppOpenFigures, compiledAppOpen } from './app-open'
import { percentileOf } from './percentile'

const { values } = parseArgs({
  options: { users: { type: 'string', default: '270000,6300000' }, fresh: { type: 'boolean' }, out: { type: 'string' } },
})
const sizes = String(values.users)
  .split(',')
  .map((users) => Number(users))
if (sizes.some((users) => !Number.isInteger(users) || users < 1)) throw new Error('--users takes whole numbers, comma-separated')
const DAYS = 92
const buildLimit = buildMemoryLimit()
const END_DATE = '2026-10-31'
const root = projectRoot()
const work = join(root, '.bench-growth')
mkdirSync(work, { recursive: true })
const cliBuild = spawnSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { encoding: 'utf8' })
if (cliBuild.status !== 0) throw new Error(cliBuild.stderr)

/** Resident memory of `pid` and every process below it, MiB (from /proc). */
function treeRssMiB(pid: number): number {
  const parents = new Map<number, number>()
  const rss = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      parents.set(Number(entry), Number(fields[1]))
      // Field 24 of stat (the 22nd after the name) is the resident set in pages.
      rss.set(Number(entry), (Number(fields[21]) * 4096) / 2 ** 20)
    } catch {
      // The process ended while it was read.
    }
  }
  const inTree = (candidate: number): boolean => {
    for (let at: number | undefined = candidate; at && at > 1; at = parents.get(at)) if (at === pid) return true
    return false
  }
  let total = 0
  for (const [candidate, mib] of rss) if (inTree(candidate)) total += mib
  return total
}

/** Runs a command, sampling its process tree's memory every 100 ms; its wall time, peak MiB (and when, epoch ms) and stdout. */
function measured(command: string, args: string[]): Promise<{ ms: number; peakMiB: number; peakAt: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    let peakMiB = 0
    let peakAt = Date.now()
    const sampler = setInterval(() => {
      const mib = child.pid ? treeRssMiB(child.pid) : 0
      if (mib > peakMiB) [peakMiB, peakAt] = [mib, Date.now()]
    }, 100)
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(sampler)
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))
      else resolve({ ms: performance.now() - started, peakMiB, peakAt, stdout })
    })
  })
}

/**
 * The dbt nodes (models, tests, hooks) that were running at `at` (epoch ms), from the NodeFinished
 * lines of dbt's JSON log (and its rotated part) of nodes that started after `since`.
 */
function dbtNodesRunningAt(logDir: string, since: number, at: number): string[] {
  const running: string[] = []
  for (const file of ['dbt.log.1', 'dbt.log'].map((name) => join(logDir, name)).filter((file) => existsSync(file))) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('"NodeFinished"')) continue
      const node = (JSON.parse(line) as { data?: { node_info?: Record<string, string> } }).data?.node_info
      if (!node?.node_started_at || !node.node_finished_at) continue
      const [startedAt, finishedAt] = [Date.parse(`${node.node_started_at}Z`), Date.parse(`${node.node_finished_at}Z`)]
      if (startedAt >= since && startedAt <= at && finishedAt >= at) running.push(String(node.node_name))
    }
  }
  return running
}

interface SizeFigures {
  users: number
  events: number
  generateMs: number | null
  buildMs: number
  buildPeakMiB: number
  /** Seconds into the build at its peak, and the dbt nodes running then. */
  buildPeakAtS: number
  buildPeakDuring: string[]
  app: AppOpenFigures
}

const cli = join(root, 'bin', 'attribution.js')
const results: SizeFigures[] = []
for (const users of sizes) {
  const dir = join(work, `users-${users}`)
  const generated = join(dir, 'generated.ok')
  const warehouse = join(dir, 'warehouse.duckdb')
  let generateMs: number | null = null
  if (values.fresh || !existsSync(generated)) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const args = [cli, 'generate', '--users', String(users), '--days', String(DAYS), '--end-date', END_DATE, '--warehouse', warehouse]
    generateMs = (await measured(process.execPath, args)).ms
    writeFileSync(generated, '')
  }
  const buildStarted = Date.now()
  const build = await measured(process.execPath, [cli, 'build', '--full-refresh', '--warehouse', warehouse])
  const buildPeakDuring = dbtNodesRunningAt(join(`${warehouse}.dbt`, 'logs'), buildStarted, build.peakAt)
  const status = await measured(process.execPath, [cli, 'status', '--warehouse', warehouse])
  const events = Number((JSON.parse(status.stdout) as { events: number }).events)
  const [node = process.execPath, ...appOpen] = await compiledAppOpen()
  const opened = await measured(node, [...appOpen, '--warehouse', warehouse, '--json'])
  const app = JSON.parse(opened.stdout) as AppOpenFigures
  results.push({
    users,
    events,
    generateMs,
    buildMs: build.ms,
    buildPeakMiB: build.peakMiB,
    buildPeakAtS: (build.peakAt - buildStarted) / 1000,
    buildPeakDuring,
    app,
  })
  process.stderr.write(`${users} users: ${JSON.stringify(results.at(-1))}\n`)
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const smallest = results[0]
const limitGiB = `${((memorySizeBytes(buildLimit) ?? Number.NaN) / 2 ** 30).toFixed(1)} GiB`
const rows = results.map((size) => {
  const ratio = smallest ? `${(size.events / smallest.events).toFixed(1)} x / ${(size.buildMs / smallest.buildMs).toFixed(1)} x` : ''
  return [
    size.events.toLocaleString('en-US'),
    size.users.toLocaleString('en-US'),
    size.generateMs === null ? 'kept from an earlier run' : seconds(size.generateMs),
    seconds(size.buildMs),
    ratio,
    `${(size.buildPeakMiB / 1024).toFixed(1)} GiB (limit ${limitGiB}) at ${size.buildPeakAtS.toFixed(0)} s, during ${size.buildPeakDuring.join(', ') || 'no dbt node'}`,
    seconds(size.app.openMs),
    `${size.app.firstChangeMs.toFixed(0)} ms`,
    `${percentileOf(size.app.samples, 50).toFixed(0)} / ${percentileOf(size.app.samples, 95).toFixed(0)} ms`,
    `${size.app.peakRssMiB.toFixed(0)} / ${size.app.settledRssMiB.toFixed(0)} MiB`,
    seconds(size.app.compactMs),
  ]
})
const section = `<!-- bench:growth start -->
## Growth: bounded memory at any size (\`npm run bench:growth\`)

Written by \`npm run bench:growth -- --users ${sizes.join(',')}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.
Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB memory, Linux ${release()}, Node ${process.version}.
Each size: generated sample events over ${DAYS} days (\`generate --users N --days ${DAYS}\`), the CLI's \`build --full-refresh\`
(the build limited to ${buildLimit}, of which dbt's DuckDB ${duckDbMemoryLimitFor(buildLimit)}, spilling to \`<warehouse>.dbt/spill\`; peak = resident memory of the
build's whole process tree, sampled every 100 ms, and the dbt nodes running at that moment, from dbt's log), then the app opened on it in a process of its own (its copy of the
marts limited to ${servingMemoryLimit()}, spilling to \`<warehouse>.serving/spill\`), and ten lookback changes until all
seven dashboard views have their data.

| events | users | generate | full build | events / build time vs the first row | build peak memory | app open (first snapshot) | first lookback change -> seven views | lookback change -> seven views, p50 / p95 | app main-process RSS, peak / settled | a checkpoint of the copy after it |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n')}
<!-- bench:growth end -->`
const out = values.out ?? join(root, 'docs', 'benchmarks.md')
const previous = existsSync(out) ? readFileSync(out, 'utf8') : ''
const marked = /<!-- bench:growth start -->[\s\S]*<!-- bench:growth end -->/
writeFileSync(out, marked.test(previous) ? previous.replace(marked, section) : `${previous.trimEnd()}\n\n${section}\n`)
process.stderr.write(`wrote ${out}\n`)
