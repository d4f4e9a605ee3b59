import { appendFileSync, cpSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppServices, createAppServices } from '../app-services'
import { dbtProjectDir } from '../paths'
import { makeTempDir } from '../testing/fixtures'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { generateSampleData } from '../services/sample-data'

const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase', 'begin_checkout', 'add_to_cart'] }

async function conversions(services: AppServices): Promise<number> {
  const result = await services.handlers['attribution:compare']({ ...FILTERS, models: ['first_click', 'last_click'] })
  if (!result.ok) throw new Error(result.error)
  return result.value.totals.conversions
}

describe('streaming in the app', () => {
  const temp = makeTempDir('live-stream')
  const path = join(temp.dir, 'warehouse.duckdb')
  let services: AppServices

  beforeAll(async () => {
    const warehouse = new EmbeddedWarehouse(path)
    await generateSampleData(warehouse, { seed: 5, users: 500, days: 30, endDate: new Date().toISOString().slice(0, 10) })
    // All three ecommerce events modelled, as the filters choose them.
    assertDbtSucceeded(await warehouse.build({ conversionEvents: FILTERS.conversionEvents }))
    await warehouse.close()
    services = await createAppServices({ warehousePath: path, refreshDebounceMs: 50 })
  })
  afterAll(async () => {
    await services.close()
    temp.cleanup()
  })

  it('shows a burst in the live feed at once, flagged new, and the refresh credits its conversions', async () => {
    const before = await conversions(services)
    let streamedConversion = false
    for (let burst = 0; burst < 30 && !streamedConversion; burst++) {
      const result = await services.handlers['stream:burst']({ count: 20 })
      if (!result.ok) throw new Error(result.error)
      expect(result.value.queued).toBeGreaterThanOrEqual(20)
      // A burst of 20 sends 21 when it replays one event of the previous burst; the result says so.
      expect(result.value.replayed).toBeLessThanOrEqual(burst === 0 ? 0 : 1)
      expect(result.value.queued).toBe(20 + (result.value.replayed ?? Number.NaN))
      const feed = await services.handlers['events:recent']({ limit: 50 })
      if (!feed.ok) throw new Error(feed.error)
      expect(feed.value.filter((event) => event.delivery === 'new').length).toBeGreaterThanOrEqual(20)
      streamedConversion = feed.value.some(
        (event) => ['purchase', 'begin_checkout', 'add_to_cart'].includes(event.event_name) && event.delivery === 'new',
      )
    }
    expect(streamedConversion).toBe(true)
    await services.stream.delivered()
    await services.refresh.settled()
    const status = await services.handlers['stream:status']({})
    expect(status.ok && status.value.refresh.state).toBe('idle')
    expect(await conversions(services)).toBeGreaterThan(before)
    const feed = await services.handlers['events:recent']({ limit: 500 })
    if (!feed.ok) throw new Error(feed.error)
    const credited = feed.value.filter((event) => event.delivery === 'new' && event.first_click_channel !== null)
    expect(credited.length).toBeGreaterThan(0)
  })

  it("keeps serving the last good numbers, with dbt's message, when a model fails", async () => {
    const broken = join(temp.dir, 'dbt_broken')
    cpSync(dbtProjectDir(), broken, { recursive: true, filter: (source) => !/\/(target|logs)(\/|$)/.test(source) })
    appendFileSync(join(broken, 'models', 'marts', 'fct_attribution_credits.sql'), '\nthis is not sql\n')
    const before = await conversions(services)
    process.env.ATTRIBUTION_DBT_PROJECT_DIR = broken
    try {
      for (let burst = 0; burst < 3; burst++) await services.handlers['stream:burst']({ count: 20 })
      await services.stream.delivered()
      await services.refresh.settled()
    } finally {
      delete process.env.ATTRIBUTION_DBT_PROJECT_DIR
    }
    const status = await services.handlers['stream:status']({})
    if (!status.ok) throw new Error(status.error)
    expect(status.value.refresh.state).toBe('failed')
    expect(status.value.refresh.lastError).toMatch(/fct_attribution_credits|syntax|Parser/i)
    expect(await conversions(services)).toBe(before)
  })
})
