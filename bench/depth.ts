// Issue 25's deeper views at one warehouse: the model comparison's dimension switch, a page of
// conversion paths (sorted, filtered, by a dimension) and the previous-period comparison, each
// through the app's handlers over its serving copy. `bench/run.ts` records them; alone:
// `npx tsx bench/depth.ts --warehouse FILE` prints the p50 / p95 of each.
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { REPORT_GROUPINGS } from '@shared/attribution'
import type { ApiHandlers } from '../src/main/api/handlers'
import { createAppServices } from '../src/main/app-services'
import { percentileOf } from './percentile'

/** One measured kind of request: its samples in milliseconds. */
export interface DepthSamples {
  label: string
  samples: number[]
}

const LOOKBACKS = [14, 30, 90]

/** Runs each kind of request several times (dimensions, pages, sorts, filters, periods) and returns the timings. */
export async function depthSamples(
  h: Pick<ApiHandlers, 'attribution:modelComparison' | 'attribution:paths' | 'attribution:periodComparison' | 'warehouse:status'>,
): Promise<DepthSamples[]> {
  const status = await h['warehouse:status']({})
  if (!status.ok) throw new Error(status.error)
  const last = status.value.lastConversionDate ?? '2026-10-31'
  const monthBefore = new Date(Date.parse(`${last}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10)
  const timedAnswer = async (call: () => Promise<{ ok: boolean; error?: string }>): Promise<number> => {
    const started = performance.now()
    const answer = await call()
    if (!answer.ok) throw new Error(answer.error)
    return performance.now() - started
  }
  const dimension: number[] = []
  const page: number[] = []
  const period: number[] = []
  for (const lookbackDays of LOOKBACKS) {
    const filters = { lookbackDays, conversionEvents: ['purchase'] }
    for (const by of REPORT_GROUPINGS) dimension.push(await timedAnswer(() => h['attribution:modelComparison']({ ...filters, by })))
    for (const request of [
      { by: 'channel', offset: 0 },
      { by: 'channel', offset: 200, sort: { column: 'revenue', direction: 'desc' } },
      { by: 'source_medium', offset: 20, sort: { column: 'path', direction: 'asc' } },
      { by: 'campaign', offset: 0, filter: { contains: '(not set)', minLength: 2 } },
      {
        by: 'channel',
        offset: 0,
        filter: { startsWith: 'Organic Search', endsWith: 'Direct' },
        sort: { column: 'days', direction: 'desc' },
      },
    ]) {
      page.push(await timedAnswer(() => h['attribution:paths']({ ...filters, model: 'position_based', limit: 20, ...request })))
    }
    for (const range of [
      {},
      { fromDate: monthBefore, toDate: last },
      { fromDate: monthBefore, toDate: last, compareFromDate: '2026-01-01', compareToDate: '2026-01-31' },
    ]) {
      period.push(await timedAnswer(() => h['attribution:periodComparison']({ ...filters, ...range })))
    }
  }
  return [
    {
      label: `Model comparison, dimension switch (${REPORT_GROUPINGS.length} dimensions x ${LOOKBACKS.length} lookbacks)`,
      samples: dimension,
    },
    { label: `Conversion paths, one page of 20 (5 pages, sorts and filters x ${LOOKBACKS.length} lookbacks)`, samples: page },
    { label: `Previous-period comparison (3 periods x ${LOOKBACKS.length} lookbacks)`, samples: period },
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { warehouse: { type: 'string' } } })
  if (!values.warehouse) throw new Error('Usage: npx tsx bench/depth.ts --warehouse FILE')
  const app = await createAppServices({ warehousePath: values.warehouse })
  // Let the app's dbt worker finish parsing the project (it takes the cores for 10-20 s after start).
  await new Promise((resolve) => setTimeout(resolve, 25_000))
  await depthSamples(app.handlers) // warm-up
  // A view this change left alone, to read the figures against the machine's load at the time.
  const reference: number[] = []
  for (const lookbackDays of [14, 30, 90, 14, 30, 90]) {
    const started = performance.now()
    await app.handlers['attribution:compare']({ lookbackDays, conversionEvents: ['purchase'], models: ['linear', 'data_driven'] })
    reference.push(performance.now() - started)
  }
  const measured = await depthSamples(app.handlers)
  measured.push({ label: 'Reference, unchanged: Compare models linear vs data-driven', samples: reference })
  for (const { label, samples } of measured) {
    process.stdout.write(
      `${label}: p50 ${percentileOf(samples, 50).toFixed(0)} ms, p95 ${percentileOf(samples, 95).toFixed(0)} ms, max ${Math.max(...samples).toFixed(0)} ms (n=${samples.length})\n`,
    )
  }
  await app.close()
}
