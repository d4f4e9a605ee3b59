import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ATTRIBUTION_MODELS } from '@shared/attribution'
import { type CostReturnRequest, costPerConversionCents, roasHundredths } from '@shared/cost-return'
import { formatCents, parseCents } from '@shared/money'
import { generateSpendRows } from '../generator/spend'
import { makeTempDir } from '../testing/fixtures'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { costAndReturn } from './cost-return'
import { attributionReport } from './model-reports'
import { generateSampleData } from './sample-data'

const request = (overrides: Partial<CostReturnRequest>): CostReturnRequest => ({
  lookbackDays: 7,
  conversionEvents: ['purchase'],
  by: 'campaign',
  baseline: 'last_click',
  trendModels: ['first_click', 'last_click'],
  ...overrides,
})

describe('cost & return worked by hand', () => {
  const temp = makeTempDir('cost-hand')
  const warehouse = new EmbeddedWarehouse(join(temp.dir, 'hand.duckdb'))

  beforeAll(async () => {
    // The rows dbt's unit test cost_joins_credit_by_day_and_campaign_at_every_lookback expects of
    // agg_cost_and_return (its description works the numbers out), for first and last click.
    await warehouse.writeSession(async ({ connection }) => {
      await connection.run('create schema if not exists attribution')
      await connection.run(`create table attribution.agg_cost_and_return as
        select * from (values
          ('first_click', 1, 2, date '2026-11-02', 'purchase', 'newsletter', 'email', 'november', 'Email', 1000000, 5000, 0.00::decimal(18, 2)),
          ('first_click', 3, 90, date '2026-11-02', 'purchase', 'google', 'cpc', 'brand', 'Paid Search', 1000000, 5000, 0.00),
          ('last_click', 1, 90, date '2026-11-02', 'purchase', 'newsletter', 'email', 'november', 'Email', 1000000, 5000, 0.00),
          ('first_click', 1, 90, date '2026-11-02', null, 'google', 'cpc', 'brand', 'Paid Search', 0, 0, 30.00),
          ('first_click', 1, 90, date '2026-11-03', null, 'google', 'cpc', 'brand', 'Paid Search', 0, 0, 20.00),
          ('last_click', 1, 90, date '2026-11-02', null, 'google', 'cpc', 'brand', 'Paid Search', 0, 0, 30.00),
          ('last_click', 1, 90, date '2026-11-03', null, 'google', 'cpc', 'brand', 'Paid Search', 0, 0, 20.00)
        ) as t(attribution_model, min_lookback_days, max_lookback_days, report_date, conversion_event_name,
               source, medium, campaign, channel, credit_micros, revenue_cents, cost_usd)`)
    })
  })
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  it('gives the campaign its cost under both models, with ROAS and cost per conversion to the cent', async () => {
    const result = await costAndReturn(warehouse, request({ trendChannel: 'Paid Search' }))
    const brand = result.rows.find((row) => row.campaign === 'brand')
    expect(brand?.cost_usd).toBe('50.00')
    // First click: 1 conversion, 50.00 revenue on 50.00 cost: CPA 50.00, ROAS 1.00, 1.00 above last click's 0.00.
    expect(brand?.cells.first_click).toEqual({
      conversions: 1,
      revenue_usd: '50.00',
      cost_per_conversion_usd: '50.00',
      roas: '1.00',
      roas_change: '1.00',
      conversions_change: 1,
    })
    expect(brand?.cells.last_click).toEqual({
      conversions: 0,
      revenue_usd: '0.00',
      cost_per_conversion_usd: null,
      roas: '0.00',
      roas_change: '0.00',
      conversions_change: 0,
    })
    // Email has conversions and no cost: no ROAS ("—").
    const email = result.rows.find((row) => row.campaign === 'november')
    expect(email).toMatchObject({ cost_usd: '0.00', cells: { last_click: { conversions: 1, revenue_usd: '50.00', roas: null } } })
    expect(result.models).not.toContain('data_driven')
    // The day with spend and no conversions shows, at ROAS 0.00; 2026-11-02 is 50.00 / 30.00 = 1.67 under first click.
    expect(result.trend.days).toEqual([
      {
        date: '2026-11-02',
        cost_usd: '30.00',
        models: { first_click: { revenue_usd: '50.00', roas: '1.67' }, last_click: { revenue_usd: '0.00', roas: '0.00' } },
      },
      {
        date: '2026-11-03',
        cost_usd: '20.00',
        models: { first_click: { revenue_usd: '0.00', roas: '0.00' }, last_click: { revenue_usd: '0.00', roas: '0.00' } },
      },
    ])
  })

  it('answers any lookback: at 2 days first click credits email, and the campaign keeps only its cost', async () => {
    const result = await costAndReturn(warehouse, request({ lookbackDays: 2 }))
    const brand = result.rows.find((row) => row.campaign === 'brand')
    expect(brand).toMatchObject({
      cost_usd: '50.00',
      cells: { first_click: { conversions: 0, roas: '0.00', cost_per_conversion_usd: null } },
    })
  })
})

describe('cost & return on generated data built by dbt', () => {
  const temp = makeTempDir('cost-built')
  const warehouse = new EmbeddedWarehouse(join(temp.dir, 'built.duckdb'))
  const sample = { seed: 11, users: 1_500, days: 30, endDate: '2026-10-31' }

  beforeAll(async () => {
    const generated = await generateSampleData(warehouse, sample)
    expect(generated.spendRows).toBe(generateSpendRows(sample).length)
    assertDbtSucceeded(await warehouse.build())
  }, 180_000)
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  it("holds the generated spend, and each model's conversions and revenue as its own report", async () => {
    const lookbackDays = 21
    const result = await costAndReturn(warehouse, request({ lookbackDays, by: 'channel' }))
    const spend = generateSpendRows(sample).reduce((total, row) => total + BigInt(row.costCents), 0n)
    expect(result.totals.cost_usd).toBe(formatCents(spend))
    expect((await warehouse.spendTotals()).costUsd).toBe(formatCents(spend))
    expect(result.models).toEqual([...ATTRIBUTION_MODELS])
    for (const model of ATTRIBUTION_MODELS) {
      const report = await attributionReport(warehouse, { model, lookbackDays, conversionEvents: ['purchase'], by: 'channel' })
      for (const row of report.rows) {
        const cell = result.rows.find((entry) => entry.channel === row.channel)?.cells[model]
        expect(cell, `${model} ${row.channel}`).toMatchObject({ conversions: row.conversions, revenue_usd: row.revenue_usd })
      }
      expect(result.totals.cells[model]?.revenue_usd).toBe(report.totals.revenue_usd)
    }
    for (const row of result.rows) {
      for (const cell of Object.values(row.cells)) {
        const roas = roasHundredths(parseCents(cell.revenue_usd), parseCents(row.cost_usd))
        expect(cell.roas).toBe(roas === null ? null : formatCents(roas))
        const cpa = costPerConversionCents(parseCents(row.cost_usd), BigInt(Math.round(cell.conversions * 1e6)))
        expect(cell.cost_per_conversion_usd).toBe(cpa === null ? null : formatCents(cpa))
      }
    }
    // Spend lands on the paid channels the generator's campaigns classify into.
    expect(
      result.rows
        .filter((row) => row.cost_usd !== '0.00')
        .map((row) => row.channel)
        .sort(),
    ).toEqual(['Display', 'Paid Search', 'Paid Shopping', 'Paid Social'])
  })

  it('a second sample of the same seed adds no spend', async () => {
    const before = await warehouse.spendTotals()
    await generateSampleData(warehouse, sample)
    expect(await warehouse.spendTotals()).toEqual(before)
  })
})
