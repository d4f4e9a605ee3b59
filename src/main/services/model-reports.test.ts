import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ATTRIBUTION_MODELS, RULE_BASED_MODELS, groupingsOfModel } from '../../shared/attribution'
import type { DashboardFilters } from '../../shared/api'
import { parseCents } from '../../shared/money'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { attributionReport, compareModels, conversionPaths, modelComparison, modelTrends } from './model-reports'

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
    await warehouse.generateSample({ seed: 11, users: 2_500, days: 45, endDate: '2026-10-31' })
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
      expect(report.rows.every((row) => Number.isInteger(row.conversions)), model).toBe(true)
    }
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
      expect(mine.reduce((total, point) => total + micros(point.conversions), 0), model).toBe(micros(report.totals.conversions))
      for (const row of report.rows) {
        const drawn = mine.filter((point) => point.channel === row.channel)
        expect(drawn.reduce((total, point) => total + micros(point.conversions), 0), `${model} ${row.channel}`).toBe(micros(row.conversions))
        expect(drawn.reduce((total, point) => total + parseCents(point.revenue_usd), 0n), `${model} ${row.channel}`).toBe(parseCents(row.revenue_usd))
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
    await expect(attributionReport(warehouse, { ...filters(14), model: 'data_driven', by: 'source_medium' })).rejects.toThrow(/credits channels/)
    await expect(attributionReport(warehouse, { ...filters(14), model: 'data_driven', by: 'channel', channel: 'Email' })).rejects.toThrow(/drill/)
  })
})
