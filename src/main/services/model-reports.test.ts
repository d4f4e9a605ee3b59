import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ATTRIBUTION_MODELS, REPORT_GROUPINGS, RULE_BASED_MODELS, groupLabel, groupingsOfModel } from '@shared/attribution'
import type { DashboardFilters } from '@shared/api'
import { parseCents } from '@shared/money'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import {
  attributionReport,
  compareModels,
  compareReportPeriods,
  conversionPaths,
  modelComparison,
  modelTrends,
  periodComparison,
  previousPeriod,
} from './model-reports'
import { generateSampleData } from './sample-data'

const LOOKBACKS = [1, 3, 14, 30, 90]
const filters = (lookbackDays: number): DashboardFilters => ({ lookbackDays, conversionEvents: ['purchase', 'begin_checkout'] })
const micros = (conversions: number): number => Math.round(conversions * 1e6)

/** Conversions and revenue of the chosen events, counted from the conversions model itself (not the marts). */
async function expectedTotals(path: string): Promise<{ conversions: number; revenue_usd: string }> {
  return withDuckDbFile(path, { readOnly: true }, async ({ connection }) => {
    const reader = await connection.runAndReadAll(`
      select count(*)::integer as conversions, cast(coalesce(sum(revenue_usd), 0) as decimal(18, 2))::varchar as revenue_usd
      from attribution.int_conversions_deduplicated where conversion_event_name in ('purchase', 'begin_checkout')`)
    const row = reader.getRowObjectsJson()[0] ?? {}
    return { conversions: Number(row.conversions), revenue_usd: String(row.revenue_usd) }
  })
}

describe('every attribution model on generated journeys', () => {
  const temp = makeTempDir('model-reports')
  const warehouse = new EmbeddedWarehouse(join(temp.dir, 'models.duckdb'))

  beforeAll(async () => {
    await generateSampleData(warehouse, { seed: 11, users: 2_500, days: 45, endDate: '2026-10-31' })
    assertDbtSucceeded(await warehouse.build({ conversionEvents: ['purchase', 'begin_checkout'] }))
  })
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  it('credits exactly the conversions and revenue of the chosen events under every model, grouping and lookback', async () => {
    const expected = await expectedTotals(warehouse.path)
    expect(expected.conversions).toBeGreaterThan(50)
    for (const lookbackDays of LOOKBACKS) {
      for (const model of ATTRIBUTION_MODELS) {
        for (const by of groupingsOfModel(model)) {
          const report = await attributionReport(warehouse, { ...filters(lookbackDays), model, by })
          expect(report.totals, `${model} by ${by} at ${lookbackDays}`).toEqual(expected)
          const rowMicros = report.rows.reduce((total, row) => total + micros(row.conversions), 0)
          expect(rowMicros, `${model} rows at ${lookbackDays}`).toBe(expected.conversions * 1_000_000)
          const rowCents = report.rows.reduce((total, row) => total + parseCents(row.revenue_usd), 0n)
          expect(rowCents).toBe(parseCents(expected.revenue_usd))
        }
      }
    }
  })

  it('gives shared credit where journeys have several sessions, and whole credit for single-touch models', async () => {
    const linear = await attributionReport(warehouse, { ...filters(30), model: 'linear', by: 'channel' })
    expect(linear.rows.some((row) => !Number.isInteger(row.conversions))).toBe(true)
    for (const model of ['first_click', 'last_click', 'last_non_direct'] as const) {
      const report = await attributionReport(warehouse, { ...filters(30), model, by: 'channel' })
      expect(
        report.rows.every((row) => Number.isInteger(row.conversions)),
        model,
      ).toBe(true)
    }
  })

  it("pairs each conversion's channels between two single-touch models, as counting the pairs directly gives", async () => {
    // First and last click credit one session each: the flows are the (first, last) channel pairs.
    const pairs = await withDuckDbFile(warehouse.path, { readOnly: true }, async ({ connection }) => {
      const reader = await connection.runAndReadAll(`
        select a.channel as a_channel, b.channel as b_channel, count(*)::integer as conversions
        from attribution.fct_attribution_credits as a
        join attribution.fct_attribution_credits as b
          on a.conversion_id = b.conversion_id and a.min_lookback_days = b.min_lookback_days
        where a.attribution_model = 'first_click' and b.attribution_model = 'last_click'
          and a.conversion_event_name in ('purchase', 'begin_checkout') and 14 between a.min_lookback_days and a.max_lookback_days
        group by all`)
      return reader.getRowObjectsJson().map((row) => `${String(row.a_channel)} -> ${String(row.b_channel)}: ${Number(row.conversions)}`)
    })
    const compared = await compareModels(warehouse, { ...filters(14), models: ['first_click', 'last_click'] })
    const flows = compared.flows.map((flow) => `${flow.a_channel} -> ${flow.b_channel}: ${flow.conversions}`)
    expect(flows.sort()).toEqual(pairs.sort())
    expect(pairs.some((pair) => !/^(.*) -> \1:/.test(pair))).toBe(true)
  })

  it('moves nothing when a model is compared with itself, and exactly the changed credit between two models', async () => {
    for (const model of RULE_BASED_MODELS) {
      const same = await compareModels(warehouse, { ...filters(14), models: [model, model] })
      expect(same.moved_conversions, model).toBe(0)
      expect(same.flows.every((flow) => flow.a_channel === flow.b_channel)).toBe(true)
    }
    const compared = await compareModels(warehouse, { ...filters(14), models: ['first_click', 'linear'] })
    expect(compared.flows_available).toBe(true)
    // The flows out of a channel add up to model a's credit to it, and into a channel to model b's.
    for (const row of compared.rows) {
      const out = compared.flows.filter((flow) => flow.a_channel === row.channel).reduce((total, flow) => total + flow.conversions, 0)
      const into = compared.flows.filter((flow) => flow.b_channel === row.channel).reduce((total, flow) => total + flow.conversions, 0)
      expect(out).toBeCloseTo(row.a_conversions, 4)
      expect(into).toBeCloseTo(row.b_conversions, 4)
    }
    // Flow revenue is the conversions' revenue moved along (each flow rounds to the cent).
    const flowCents = compared.flows.reduce((total, flow) => total + parseCents(flow.revenue_usd), 0n)
    const totalCents = parseCents(compared.totals.revenue_usd)
    expect(Number(flowCents - totalCents)).toBeLessThanOrEqual(compared.flows.length)
    expect(Number(totalCents - flowCents)).toBeLessThanOrEqual(compared.flows.length)
    expect(totalCents).toBeGreaterThan(0n)
    // Between two models the moved credit is at least what the channel totals show moving.
    const netMoved = compared.rows.reduce((total, row) => total + Math.max(0, row.a_conversions - row.b_conversions), 0)
    expect(compared.moved_conversions).toBeGreaterThanOrEqual(netMoved - 1e-6)
    expect(compared.moved_conversions).toBeGreaterThan(0)
    const dataDriven = await compareModels(warehouse, { ...filters(14), models: ['last_click', 'data_driven'] })
    expect(dataDriven.flows_available).toBe(false)
    expect(dataDriven.flows).toEqual([])
  })

  it('lists every model per channel exactly as each model reports it', async () => {
    const table = await modelComparison(warehouse, filters(14))
    expect(table.models).toEqual([...ATTRIBUTION_MODELS])
    for (const model of ATTRIBUTION_MODELS) {
      const report = await attributionReport(warehouse, { ...filters(14), model, by: 'channel' })
      for (const row of report.rows) {
        const cell = table.rows.find((entry) => entry.channel === row.channel)?.cells[model]
        expect(cell, `${model} ${row.channel}`).toEqual({ conversions: row.conversions, revenue_usd: row.revenue_usd })
      }
    }
    expect(table.totals).toEqual(await expectedTotals(warehouse.path))
  })

  it('draws the chosen models per day, each adding up per channel to its report for the days shown', async () => {
    const trends = await modelTrends(warehouse, { ...filters(14), days: 14, byChannel: true, models: ['linear', 'data_driven'] })
    expect(new Set(trends.points.map((point) => point.model))).toEqual(new Set(['linear', 'data_driven']))
    const shown = { fromDate: trends.from_date, toDate: trends.to_date }
    for (const model of ['linear', 'data_driven'] as const) {
      const report = await attributionReport(warehouse, { ...filters(14), ...shown, model, by: 'channel' })
      const mine = trends.points.filter((point) => point.model === model)
      expect(
        mine.reduce((total, point) => total + micros(point.conversions), 0),
        model,
      ).toBe(micros(report.totals.conversions))
      for (const row of report.rows) {
        const drawn = mine.filter((point) => point.channel === row.channel)
        expect(
          drawn.reduce((total, point) => total + micros(point.conversions), 0),
          `${model} ${row.channel}`,
        ).toBe(micros(row.conversions))
        expect(
          drawn.reduce((total, point) => total + parseCents(point.revenue_usd), 0n),
          `${model} ${row.channel}`,
        ).toBe(parseCents(row.revenue_usd))
      }
    }
  })

  it('lists paths whose conversions add up, with early, middle and late credit as the model gives it', async () => {
    const expected = await expectedTotals(warehouse.path)
    const firstClick = await conversionPaths(warehouse, { ...filters(30), model: 'first_click', limit: 500 })
    expect(firstClick.totals).toEqual(expected)
    expect(firstClick.other).toEqual({ conversions: 0, revenue_usd: '0.00' })
    expect(firstClick.paths.reduce((total, path) => total + path.conversions, 0)).toBe(expected.conversions)
    for (const path of firstClick.paths) {
      expect(path.avg_touches).toBeCloseTo(path.channels.length, 9)
      // First click gives a path of two or more sessions all early; one session (or none) is all late.
      expect(path.credit).toEqual(path.channels.length >= 2 ? { early: 1, middle: 0, late: 0 } : { early: 0, middle: 0, late: 1 })
    }
    const positionBased = await conversionPaths(warehouse, { ...filters(30), model: 'position_based', limit: 500 })
    const longer = positionBased.paths.find((path) => path.channels.length >= 3)
    expect(longer?.credit?.early).toBeCloseTo(0.4, 4)
    expect(longer?.credit?.middle).toBeCloseTo(0.2, 4)
    const top = await conversionPaths(warehouse, { ...filters(30), model: 'data_driven', limit: 3 })
    expect(top.paths).toHaveLength(3)
    expect(top.paths.every((path) => path.credit === null)).toBe(true)
    expect(top.total_paths).toBe(firstClick.paths.length)
    expect(top.other.conversions).toBe(expected.conversions - top.paths.reduce((total, path) => total + path.conversions, 0))
  })

  it('refuses to split data-driven credit by source or to drill into a channel, saying why', async () => {
    await expect(attributionReport(warehouse, { ...filters(14), model: 'data_driven', by: 'source_medium' })).rejects.toThrow(
      /credits channels/,
    )
    await expect(attributionReport(warehouse, { ...filters(14), model: 'data_driven', by: 'channel', channel: 'Email' })).rejects.toThrow(
      /drill/,
    )
  })

  it('compares the rule-based models by every dimension as their reports give it, and data-driven by channel only', async () => {
    for (const by of REPORT_GROUPINGS.filter((grouping) => grouping !== 'channel')) {
      const table = await modelComparison(warehouse, { ...filters(14), by })
      expect(table.by).toBe(by)
      expect(table.models).toEqual(RULE_BASED_MODELS)
      for (const model of RULE_BASED_MODELS) {
        const report = await attributionReport(warehouse, { ...filters(14), model, by })
        const shown = table.rows.filter((row) => row.cells[model].conversions !== 0 || row.cells[model].revenue_usd !== '0.00')
        expect(shown.length, `${model} by ${by}`).toBe(report.rows.length)
        for (const row of report.rows) {
          const cell = table.rows.find((entry) => entry.channel === groupLabel(row, by))?.cells[model]
          expect(cell, `${model} ${groupLabel(row, by)}`).toEqual({ conversions: row.conversions, revenue_usd: row.revenue_usd })
        }
      }
    }
  })

  it('pages through every path once, in each order, and filters them as their steps say', async () => {
    for (const by of ['channel', 'source_medium'] as const) {
      const all = await conversionPaths(warehouse, { ...filters(30), model: 'linear', limit: 200, by })
      expect(all.total_paths).toBeLessThanOrEqual(200)
      const text = (channels: string[]) => channels.join(' > ')
      for (const sort of [
        { column: 'conversions', direction: 'desc' },
        { column: 'path', direction: 'asc' },
        { column: 'revenue', direction: 'asc' },
        { column: 'days', direction: 'desc' },
      ] as const) {
        const seen: string[] = []
        for (let offset = 0; offset < all.total_paths; offset += 20) {
          const page = await conversionPaths(warehouse, { ...filters(30), model: 'linear', limit: 20, offset, by, sort })
          expect(page.offset).toBe(offset)
          seen.push(...page.paths.map((path) => text(path.channels)))
        }
        expect(seen.length, `${by} ${sort.column}`).toBe(all.total_paths)
        expect(new Set(seen)).toEqual(new Set(all.paths.map((path) => text(path.channels))))
      }
      const step = all.paths.find((path) => path.channels.length >= 2)?.channels[1] ?? ''
      const cases = [
        { filter: { contains: step.toUpperCase() }, keeps: (channels: string[]) => channels.includes(step) },
        { filter: { startsWith: step }, keeps: (channels: string[]) => channels[0] === step },
        { filter: { endsWith: step }, keeps: (channels: string[]) => channels.at(-1) === step },
        { filter: { minLength: 2, maxLength: 3 }, keeps: (channels: string[]) => channels.length >= 2 && channels.length <= 3 },
      ]
      for (const { filter, keeps } of cases) {
        const found = await conversionPaths(warehouse, { ...filters(30), model: 'linear', limit: 200, by, filter })
        const expected = all.paths.filter((path) => keeps(path.channels))
        expect(found.paths.map((path) => text(path.channels)).sort(), JSON.stringify(filter)).toEqual(
          expected.map((path) => text(path.channels)).sort(),
        )
        expect(found.matching.paths).toBe(expected.length)
        expect(found.matching.conversions).toBe(expected.reduce((total, path) => total + path.conversions, 0))
        expect(found.totals).toEqual(all.totals)
      }
      const none = await conversionPaths(warehouse, { ...filters(30), model: 'linear', limit: 5, by, filter: { contains: 'no such step' } })
      expect(none.paths).toEqual([])
      expect(none.matching).toEqual({ paths: 0, conversions: 0, revenue_usd: '0.00' })
      expect(none.total_paths).toBe(all.total_paths)
    }
  })

  it('compares a period with the previous one of the same length, as the reports of both periods total them', async () => {
    expect(previousPeriod({ fromDate: '2026-10-15', toDate: '2026-10-31' })).toEqual({ fromDate: '2026-09-28', toDate: '2026-10-14' })
    expect(previousPeriod({ fromDate: '2026-03-01', toDate: '2026-03-01' })).toEqual({ fromDate: '2026-02-28', toDate: '2026-02-28' })
    const current = { fromDate: '2026-10-16', toDate: '2026-10-31' }
    const result = await periodComparison(warehouse, { ...filters(14), ...current })
    const both = await compareReportPeriods(warehouse, { ...filters(14), ...current, model: 'time_decay', by: 'campaign' })
    expect(result.current).toEqual({ from_date: current.fromDate, to_date: current.toDate, ...both.current.totals })
    expect(result.previous).toEqual({ from_date: '2026-09-30', to_date: '2026-10-15', ...both.previous.totals })
    expect(result.previous?.conversions).toBeGreaterThan(0)
    expect(result.conversions_change).toBeCloseTo(both.current.totals.conversions / both.previous.totals.conversions - 1, 12)
    const chosen = await periodComparison(warehouse, {
      ...filters(14),
      ...current,
      compareFromDate: '2026-10-01',
      compareToDate: '2026-10-03',
    })
    const report = await attributionReport(warehouse, {
      ...filters(14),
      fromDate: '2026-10-01',
      toDate: '2026-10-03',
      model: 'first_click',
      by: 'channel',
    })
    expect(chosen.previous).toEqual({ from_date: '2026-10-01', to_date: '2026-10-03', ...report.totals })
    // Without dates the period is all the data; the one before it has none.
    const whole = await periodComparison(warehouse, filters(14))
    expect(whole.current?.conversions).toBe((await expectedTotals(warehouse.path)).conversions)
    expect(whole.previous?.conversions).toBe(0)
    expect(whole.conversions_change).toBeNull()
  })
})
