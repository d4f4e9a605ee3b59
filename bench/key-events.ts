// Issue 24's key events at one warehouse: switching among conversion events that are already
// modelled (all four views' data, as the lookback-change row measures it) and modelling a newly
// chosen event (`view_item`: about 23x the purchases) with the app's job, dbt and the views' copy
// timed apart. `bench/run.ts` records them last (they add modelled events to its warehouse); alone:
// `npx tsx bench/key-events.ts --warehouse FILE` (a built warehouse), or `--scale NAME` for a new
// sample of that scale generated and built first.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import type { JobProgress } from '@shared/api'
import { type AppServices, createAppServices } from '../src/main/app-services'
import { GENERATOR_SCALES } from '../src/main/generator'
import { projectRoot } from '../src/main/paths'
import { generateSampleData } from '../src/main/services/sample-data'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../src/main/warehouse/embedded-warehouse'
import { percentileOf } from './percentile'

/** One measured figure, as bench/run.ts records it. */
export interface KeyEventFigure {
  what: string
  figure: string
  target: string
}

/** Sets of modelled events switched among, each until all four views have their data. */
const SWITCHES: string[][] = [['purchase'], ['add_to_cart'], ['add_to_cart', 'purchase'], ['purchase'], ['add_to_cart']]

/** Models `events` through the app's handler; the wall time split into dbt (start to its last node) and the views' copy. */
async function modelTimed(app: AppServices, events: string[]): Promise<{ totalMs: number; dbtMs: number; servingMs: number }> {
  let started = 0
  let lastNode = 0
  let done = 0
  const stop = app.jobs.onProgress((update: JobProgress) => {
    if (update.job !== 'build') return
    if (update.phase === 'starting') started = performance.now()
    if (update.phase === 'dbt') lastNode = performance.now()
    if (update.phase === 'done') done = performance.now()
  })
  const begun = performance.now()
  const answer = await app.handlers['attribution:modelEvents']({ events })
  stop()
  if (!answer.ok) throw new Error(answer.error)
  return { totalMs: performance.now() - begun, dbtMs: lastNode - started, servingMs: done - lastNode }
}

/** Switches among modelled event sets (at one lookback, or among lookbacks), each until all four views have their data (ms per switch). */
async function switchSamples(app: AppServices, sets: string[][], rounds = 2, lookbacks = [14]): Promise<number[]> {
  const h = app.handlers
  const samples: number[] = []
  for (let round = 0; round < rounds; round++) {
    for (const [index, conversionEvents] of sets.entries()) {
      const filters = { lookbackDays: lookbacks[index % lookbacks.length] ?? 14, conversionEvents }
      const started = performance.now()
      const answers = await Promise.all([
        h['attribution:compare']({ ...filters, models: ['first_click', 'last_click'] }),
        h['attribution:trends']({ ...filters, days: 14, byChannel: false, models: ['first_click', 'last_click'] }),
        h['attribution:breakdown']({ ...filters, model: 'first_click', by: 'channel' }),
        h['events:recent']({ limit: 50 }),
      ])
      samples.push(performance.now() - started)
      const failed = answers.find((answer) => !answer.ok)
      if (failed && !failed.ok) throw new Error(failed.error)
    }
  }
  return samples
}

/** The key-event figures on the app's warehouse: `add_to_cart` is modelled first, so there is something to switch to. */
export async function keyEventFigures(app: AppServices): Promise<KeyEventFigure[]> {
  const figures: KeyEventFigure[] = []
  const eventCount = async (name: string) => {
    const list = await app.handlers['attribution:conversionEvents']({})
    if (!list.ok) throw new Error(list.error)
    return list.value.find((info) => info.name === name)
  }
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  const modelled = async (name: string, target: string) => {
    const info = await eventCount(name)
    if (!info) throw new Error(`${name} does not occur in this warehouse`)
    if (info.modelled) return
    const { totalMs, dbtMs, servingMs } = await modelTimed(app, [name])
    figures.push({
      what: `modelling a newly chosen event in the app, \`${name}\` (${info.events.toLocaleString('en-US')} events): dbt run + the views' copy`,
      figure: `${seconds(totalMs)} (${seconds(dbtMs)} + ${seconds(servingMs)})`,
      target,
    })
  }
  await modelled('add_to_cart', '')
  const samples = await switchSamples(app, SWITCHES)
  figures.push({
    what: `switching among modelled conversion events -> all four views' data (${samples.length} switches; p50 / p95)`,
    figure: `${percentileOf(samples, 50).toFixed(0)} / ${percentileOf(samples, 95).toFixed(0)} ms`,
    target: '<= 300 ms',
  })
  await modelled('view_item', '<= 30 s at ga4 scale')
  const withViewItem = await switchSamples(app, [['view_item'], ['purchase'], ['purchase', 'view_item'], ['add_to_cart']])
  figures.push({
    what: `switching with \`view_item\` among them -> all four views' data (${withViewItem.length} switches; p50 / p95)`,
    figure: `${percentileOf(withViewItem, 50).toFixed(0)} / ${percentileOf(withViewItem, 95).toFixed(0)} ms`,
    target: '<= 300 ms',
  })
  // The same views' data for a lookback change with `view_item` chosen: what a switch to it is
  // measured against (a switch is a query at the new events, no rebuild and no copy).
  const lookbackChanges = await switchSamples(app, [['view_item'], ['view_item'], ['view_item'], ['view_item']], 2, [7, 30, 60, 90])
  figures.push({
    what: `lookback change with \`view_item\` chosen -> all four views' data (${lookbackChanges.length} changes; p50 / p95)`,
    figure: `${percentileOf(lookbackChanges, 50).toFixed(0)} / ${percentileOf(lookbackChanges, 95).toFixed(0)} ms`,
    target: '',
  })
  return figures
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { warehouse: { type: 'string' }, scale: { type: 'string' } } })
  let warehousePath = values.warehouse
  const scratch = join(projectRoot(), '.bench-key-events')
  if (!warehousePath) {
    const scale = GENERATOR_SCALES[(values.scale ?? '') as keyof typeof GENERATOR_SCALES]
    if (!scale) throw new Error(`Usage: npx tsx bench/key-events.ts --warehouse FILE | --scale ${Object.keys(GENERATOR_SCALES).join('|')}`)
    rmSync(scratch, { recursive: true, force: true })
    mkdirSync(scratch, { recursive: true })
    warehousePath = join(scratch, 'warehouse.duckdb')
    const fresh = new EmbeddedWarehouse(warehousePath)
    await generateSampleData(fresh, { seed: 1, ...scale, endDate: '2026-10-31' })
    assertDbtSucceeded(await fresh.build({}))
    await fresh.close()
  }
  const app = await createAppServices({ warehousePath })
  await app.refresh.warmUp()
  for (const { what, figure, target } of await keyEventFigures(app))
    process.stdout.write(`${what}: ${figure}${target ? ` (target ${target})` : ''}\n`)
  await app.close()
  if (!values.warehouse) rmSync(scratch, { recursive: true, force: true })
}
