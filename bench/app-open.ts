// The app opened on a built warehouse: the time until its views can answer (the first copy of the
// marts), the copy compressed, the main process's resident memory (peak and settled) and lookback
// changes until all seven dashboard views have their data. `bench/run.ts` and `bench/growth.ts`
// record it, compiled as the app's main process is (compiledAppOpen); alone:
// `npx tsx bench/app-open.ts --warehouse FILE`.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { projectRoot } from '../src/main/paths'
import type { ApiHandlers } from '../src/main/api/handlers'
import { createAppServices } from '../src/main/app-services'
import { percentileOf } from './percentile'

/** What the app's opening and its lookback changes measured. */
export interface AppOpenFigures {
  /** From createAppServices to its first snapshot of the marts (the views answer from then on). */
  openMs: number
  /** An explicit checkpoint of the copy after that snapshot (what compression the refresh's commit left). */
  compactMs: number
  /** The first lookback change's seven views, right after the snapshot. */
  firstChangeMs: number
  /** Lookback changes once settled, each until all seven views have their data. */
  samples: number[]
  /** Highest resident memory sampled every 20 ms from before opening to the end, MiB. */
  peakRssMiB: number
  /** The same until the first snapshot (the copy loading), MiB; the rest of the peak came from the views. */
  openPeakRssMiB: number
  /** Resident memory after the lookback changes, MiB. */
  settledRssMiB: number
}

const LOOKBACKS = [14, 1, 90, 30, 7, 60, 3, 45, 21, 2]

type ViewHandlers = Pick<
  ApiHandlers,
  | 'attribution:compare'
  | 'attribution:trends'
  | 'attribution:breakdown'
  | 'events:recent'
  | 'attribution:modelComparison'
  | 'attribution:paths'
>

/**
 * The data of the dashboard's seven views at one lookback, as the renderer asks for it: first vs
 * last, trends, channels, the live feed, compare models, model comparison and conversion paths.
 */
export async function sevenViews(h: ViewHandlers, lookbackDays: number, conversionEvents = ['purchase']): Promise<void> {
  const filters = { lookbackDays, conversionEvents }
  const answers = await Promise.all([
    h['attribution:compare']({ ...filters, models: ['first_click', 'last_click'] }),
    h['attribution:trends']({ ...filters, days: 14, byChannel: false, models: ['first_click', 'last_click'] }),
    h['attribution:breakdown']({ ...filters, model: 'first_click', by: 'channel' }),
    h['events:recent']({ limit: 50 }),
    h['attribution:compare']({ ...filters, models: ['linear', 'data_driven'] }),
    h['attribution:modelComparison']({ ...filters, by: 'channel' }),
    h['attribution:paths']({ ...filters, model: 'position_based', by: 'channel', limit: 20, offset: 0 }),
  ])
  const failed = answers.find((answer) => !answer.ok)
  if (failed && !failed.ok) throw new Error(failed.error)
}

/** Opens the app on `warehousePath` (built) and measures it; closes it again. */
export async function appOpenFigures(warehousePath: string): Promise<AppOpenFigures> {
  const rssMiB = () => process.memoryUsage().rss / 2 ** 20
  let peakRssMiB = rssMiB()
  const sampler = setInterval(() => {
    peakRssMiB = Math.max(peakRssMiB, rssMiB())
  }, 20)
  try {
    const opened = performance.now()
    const app = await createAppServices({ warehousePath })
    const openMs = performance.now() - opened
    const openPeakRssMiB = Math.max(peakRssMiB, rssMiB())
    try {
      let started = performance.now()
      await sevenViews(app.handlers, 14)
      const firstChangeMs = performance.now() - started
      started = performance.now()
      await app.warehouse.serving.compact()
      const compactMs = performance.now() - started
      // The app's dbt worker parses the project at start; the settled figures come after it.
      await app.refresh.warmUp()
      const samples: number[] = []
      for (const lookbackDays of LOOKBACKS) {
        started = performance.now()
        await sevenViews(app.handlers, lookbackDays)
        samples.push(performance.now() - started)
      }
      return {
        openMs,
        compactMs,
        firstChangeMs,
        samples,
        peakRssMiB: Math.max(peakRssMiB, rssMiB()),
        openPeakRssMiB,
        settledRssMiB: rssMiB(),
      }
    } finally {
      await app.close()
    }
  } finally {
    clearInterval(sampler)
  }
}

/**
 * The command that runs this file compiled to one JavaScript bundle (out/bench/app-open.mjs), as
 * electron-vite bundles the app's main process, packages left to node_modules. Its memory is then
 * the app's: run through tsx, transpiling at run time held ~55 MiB more (126 MiB before opening
 * anything, against 71 MiB for Node with DuckDB loaded). Arguments follow the command.
 */
export async function compiledAppOpen(): Promise<string[]> {
  const root = projectRoot()
  const outfile = join(root, 'out', 'bench', 'app-open.mjs')
  await build({
    absWorkingDir: root,
    entryPoints: ['bench/app-open.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    alias: { '@shared': './src/shared' },
    tsconfig: 'tsconfig.json',
    logLevel: 'warning',
  })
  return [process.execPath, outfile]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { warehouse: { type: 'string' }, json: { type: 'boolean' } } })
  if (!values.warehouse) throw new Error('Usage: npx tsx bench/app-open.ts --warehouse FILE [--json]')
  const figures = await appOpenFigures(values.warehouse)
  if (values.json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`)
    process.exit(0)
  }
  const ms = (value: number) => `${value.toFixed(0)} ms`
  process.stdout.write(
    [
      `open (first snapshot): ${ms(figures.openMs)}`,
      `first lookback change -> seven views: ${ms(figures.firstChangeMs)}`,
      `a checkpoint after it: ${ms(figures.compactMs)}`,
      `lookback change -> seven views, p50 / p95: ${ms(percentileOf(figures.samples, 50))} / ${ms(percentileOf(figures.samples, 95))}`,
      `main-process RSS, peak / settled: ${figures.peakRssMiB.toFixed(0)} / ${figures.settledRssMiB.toFixed(0)} MiB (until the first snapshot: ${figures.openPeakRssMiB.toFixed(0)} MiB)`,
      '',
    ].join('\n'),
  )
}
