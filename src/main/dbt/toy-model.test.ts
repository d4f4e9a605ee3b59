import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ATTRIBUTION_MODELS, type AttributionModel } from '@shared/attribution'
import { dbtProjectDir } from '../paths'
import { attributionModelRegistry } from '../services/model-registry'
import { attributionReport, modelComparison } from '../services/model-reports'
import { generateSampleData } from '../services/sample-data'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'

/** The one line docs/adding-a-model.md adds: a rule-based model that weighs sessions as first click does, with its description. */
const TOY_MODEL_LINE = `        {'id': 'first_touch_copy', 'weight': 'case when touch_position = 1 then 1.0 else 0.0 end', 'description': 'A copy of first click.'},\n`
const TOY = 'first_touch_copy' as AttributionModel

describe('a model added as one line in dbt (docs/adding-a-model.md)', () => {
  const temp = makeTempDir('toy-model')
  const project = join(temp.dir, 'dbt_attribution')
  const warehouse = new EmbeddedWarehouse(join(temp.dir, 'toy.duckdb'))
  const filters = { lookbackDays: 14, conversionEvents: ['purchase'] }

  beforeAll(async () => {
    cpSync(dbtProjectDir(), project, { recursive: true, filter: (source) => !/\/(target|logs)(\/|$)/.test(source) })
    const macro = join(project, 'macros', 'attribution', 'attribution_models.sql')
    const text = readFileSync(macro, 'utf8')
    const at = text.indexOf("        {'id': 'data_driven'")
    expect(at).toBeGreaterThan(0)
    writeFileSync(macro, text.slice(0, at) + TOY_MODEL_LINE + text.slice(at))
    await generateSampleData(warehouse, { seed: 5, users: 400, days: 30, endDate: '2026-10-31' })
    // Built first without the model, as an analyst's warehouse is: the next build must notice that
    // the stored credit splits lack the model's columns and rebuild them (drop_outdated_incremental_models).
    assertDbtSucceeded(await warehouse.build({}))
    process.env.ATTRIBUTION_DBT_PROJECT_DIR = project
    try {
      assertDbtSucceeded(await warehouse.build({}))
    } finally {
      delete process.env.ATTRIBUTION_DBT_PROJECT_DIR
    }
  })
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  it('is unknown to this build of the app, which reads it from the warehouse', () => {
    expect(ATTRIBUTION_MODELS).not.toContain(TOY)
  })

  it('is listed by the registry the API returns, labelled from its id, before data_driven', async () => {
    const registry = await attributionModelRegistry(warehouse)
    expect(registry.map((model) => model.id)).toEqual([...ATTRIBUTION_MODELS.filter((id) => id !== 'data_driven'), TOY, 'data_driven'])
    expect(registry.find((model) => model.id === TOY)).toEqual({
      id: TOY,
      name: 'First touch copy',
      description: 'A copy of first click.',
      perConversion: true,
    })
  })

  it('gives every conversion credit summing to 1 at every lookback range', async () => {
    const sums = await withDuckDbFile(warehouse.path, { readOnly: true }, async ({ connection }) => {
      const reader = await connection.runAndReadAll(`
        select count(*)::integer as ranges, count(*) filter (where micros <> 1000000)::integer as wrong
        from (select conversion_id, min_lookback_days, sum(credit_micros) as micros
          from attribution.fct_attribution_credits where attribution_model = 'first_touch_copy' group by all)`)
      return reader.getRowObjectsJson()[0] ?? {}
    })
    expect(Number(sums.ranges)).toBeGreaterThan(10)
    expect(Number(sums.wrong)).toBe(0)
  })

  it("is answered by the reports and the model comparison, with first click's numbers", async () => {
    for (const by of ['channel', 'source_medium'] as const) {
      const toy = await attributionReport(warehouse, { ...filters, model: TOY, by })
      const firstClick = await attributionReport(warehouse, { ...filters, model: 'first_click', by })
      expect(toy.rows.length).toBeGreaterThan(1)
      expect(toy.rows).toEqual(firstClick.rows)
      expect(toy.totals).toEqual(firstClick.totals)
    }
    const comparison = await modelComparison(warehouse, filters)
    expect(comparison.models).toContain(TOY)
    for (const row of comparison.rows) expect(row.cells[TOY]).toEqual(row.cells.first_click)
  })
})
