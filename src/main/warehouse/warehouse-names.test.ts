import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dbtProjectDir } from '../paths'
import { ServedWarehouse } from '../serving/served-warehouse'
import { ServingStore } from '../serving/serving-store'
import { makeTempDir } from '../testing/fixtures'
import { WAREHOUSE_CATALOG, withDuckDbFile } from './duckdb-file'
import { EmbeddedWarehouse, assertDbtSucceeded } from './embedded-warehouse'
import { DEFAULT_REFERRAL_SETTINGS } from '@shared/referrals'
import { generateSampleData } from '../services/sample-data'

/**
 * DuckDB names a catalog after its file: these names clash with the schemas (ga4, attribution, main)
 * or with DuckDB's own catalogs (memory, system, temp), and the rest test quoting and encodings.
 */
const NAMES = [
  'ga4.duckdb',
  'attribution.duckdb',
  'main.duckdb',
  'memory.duckdb',
  'system.duckdb',
  'temp.duckdb',
  'my ware house.duckdb',
  join('dossier à part', 'entrepôt-données.duckdb'),
  "o'brien.duckdb",
]
/** The models and their seed without dbt's data tests (other suites run those): names matter here, not the rules. */
const MODELS_ONLY = 'resource_type:seed resource_type:model'
const REQUEST = { model: 'last_click', lookbackDays: 14, conversionEvents: ['purchase'], by: 'channel' } as const

describe('the profile', () => {
  it('attaches the warehouse under the same catalog name as the app', () => {
    const profile = readFileSync(join(dbtProjectDir(), 'profiles.yml'), 'utf8')
    expect(profile).toContain(`database: ${WAREHOUSE_CATALOG}\n`)
    expect(profile).toContain(`alias: ${WAREHOUSE_CATALOG}\n`)
  })
})

describe.each(NAMES)('a warehouse named %s', (name) => {
  const temp = makeTempDir('names')
  const path = join(temp.dir, name)
  const warehouse = new EmbeddedWarehouse(path)
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  it("imports, builds, reports and tells its status, in the CLI's way and the app's", async () => {
    const sample = await generateSampleData(warehouse, { seed: 1, users: 50, days: 5, endDate: '2026-11-30' })
    assertDbtSucceeded(await warehouse.build({ select: MODELS_ONLY }))
    const report = await warehouse.report(REQUEST)
    expect(report.totals.conversions).toBeGreaterThan(0)
    const status = await warehouse.status()
    expect(status).toMatchObject({ location: path, events: sample.events, intradayEvents: 0, hasModels: true })
    expect(status.modelsBuiltAt).not.toBeNull()

    // dbt wrote into the file itself, under the schemas the app reads, not into a catalog of its own.
    const schemas = await withDuckDbFile(path, { readOnly: true }, async ({ connection }) => {
      const reader = await connection.runAndReadAll(
        `select distinct schema_name from duckdb_tables() where database_name = current_database() order by 1`,
      )
      return reader.getRows().map((row) => String(row[0]))
    })
    expect(schemas).toEqual(['attribution', 'ga4'])

    const serving = await ServingStore.create()
    try {
      const served = new ServedWarehouse(warehouse, serving)
      await served.refresh()
      expect(await served.report(REQUEST)).toEqual(report)
      // The app's status also carries the referral settings its context lines show (none stored: the defaults).
      expect(await served.status()).toEqual({ ...status, referrals: DEFAULT_REFERRAL_SETTINGS })
    } finally {
      serving.close()
    }
  })
})
