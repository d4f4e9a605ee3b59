import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ATTRIBUTION_MODELS, type ReportGrouping, type ReportResult, groupingsOfModel } from '@shared/attribution'
import { sumAmounts } from '@shared/money'
import { GA4_FIXTURES, hasGa4Fixtures, makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { attributionReport } from '../services/model-reports'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { generateSampleData } from '../services/sample-data'

const LOOKBACKS = [1, 7, 14, 30, 90]

/** Conversions and revenue per model and channel at a lookback as the test oracle ranked them. */
async function oracleByChannel(
  path: string,
  lookbackDays: number,
): Promise<Record<string, Record<string, { conversions: number; revenue_usd: string }>>> {
  return withDuckDbFile(path, { readOnly: true }, async ({ connection }) => {
    const reader = await connection.runAndReadAll(
      `select attribution_model, channel, count(*)::integer as conversions, cast(sum(revenue_usd) as varchar) as revenue_usd
      from attribution.fct_attributed_conversions where lookback_days = $lookback group by all`,
      { lookback: lookbackDays },
    )
    const out: Record<string, Record<string, { conversions: number; revenue_usd: string }>> = {}
    for (const row of reader.getRowObjectsJson()) {
      const model = String(row.attribution_model)
      out[model] ??= {}
      out[model][String(row.channel)] = { conversions: Number(row.conversions), revenue_usd: String(row.revenue_usd) }
    }
    return out
  })
}

function reportByChannel(report: ReportResult): Record<string, { conversions: number; revenue_usd: string }> {
  return Object.fromEntries(report.rows.map((row) => [row.channel, { conversions: row.conversions, revenue_usd: row.revenue_usd }]))
}

/**
 * Purchases counted straight from the raw export by the written rule (identical events once; a real
 * transaction id once; others each), independently of the dbt models.
 */
async function expectedPurchases(path: string): Promise<{ conversions: number; revenue_usd: string }> {
  return withDuckDbFile(path, { readOnly: true }, async ({ connection }) => {
    const reader = await connection.runAndReadAll(`
      with purchases as (
        select distinct user_pseudo_id, event_timestamp, event_name, event_bundle_sequence_id, cast(event_params as varchar) as params,
          coalesce(nullif(ecommerce.transaction_id, ''), list_filter(event_params, p -> p.key = 'transaction_id')[1].value.string_value) as transaction_id,
          cast(round(coalesce(ecommerce.purchase_revenue_in_usd, 0), 2) as decimal(18, 2)) as revenue_usd
        from ga4.all_events where event_name = 'purchase'
      ),
      keyed as (
        select *, case when transaction_id is null or transaction_id in ('', '(not set)') then md5(concat_ws('|', user_pseudo_id, event_timestamp, params)) else transaction_id end as conversion_key
        from purchases
      ),
      earliest as (
        select * from keyed qualify row_number() over (partition by conversion_key order by event_timestamp, params) = 1
      )
      select count(*)::integer as conversions, cast(sum(revenue_usd) as varchar) as revenue_usd from earliest`)
    const row = reader.getRowObjectsJson()[0] ?? {}
    return { conversions: Number(row.conversions), revenue_usd: String(row.revenue_usd) }
  })
}

function request(model: (typeof ATTRIBUTION_MODELS)[number], lookbackDays: number, by: ReportGrouping = 'channel') {
  return { model, lookbackDays, conversionEvents: ['purchase' as const], by }
}

describe.skipIf(!hasGa4Fixtures)('dbt build on the real GA4 fixture', () => {
  const temp = makeTempDir('dbt-fixture')
  const parquet = new EmbeddedWarehouse(join(temp.dir, 'parquet.duckdb'))
  const ndjson = new EmbeddedWarehouse(join(temp.dir, 'ndjson.duckdb'))

  beforeAll(async () => {
    await parquet.importFiles([GA4_FIXTURES.parquet])
    // With the test oracle, which the lookback test below compares the reports with.
    assertDbtSucceeded(await parquet.build({ withTestOracle: true }))
    await ndjson.importFiles([GA4_FIXTURES.ndjsonGz])
    assertDbtSucceeded(await ndjson.build({}))
  })
  afterAll(async () => {
    await parquet.close()
    await ndjson.close()
    temp.cleanup()
  })

  it('credits every de-duplicated purchase once under each model', async () => {
    const expected = await expectedPurchases(parquet.path)
    expect(expected.conversions).toBeGreaterThan(200)
    for (const model of ATTRIBUTION_MODELS) {
      for (const by of groupingsOfModel(model)) {
        const report = await attributionReport(parquet, request(model, 14, by))
        expect(report.totals, `${model} by ${by}`).toEqual(expected)
      }
    }
  })

  it('leaves the test oracle out of a build as the app and CLI run it', async () => {
    const tables = await withDuckDbFile(ndjson.path, { readOnly: true }, async ({ connection }) => {
      const reader = await connection.runAndReadAll(`select table_name from information_schema.tables where table_schema = 'attribution'`)
      return reader.getRowObjectsJson().map((row) => String(row.table_name))
    })
    expect(tables).toContain('fct_attribution_credits')
    expect(tables).toContain('rpt_data_quality')
    expect(tables).not.toContain('fct_attributed_conversions')
    expect(tables).not.toContain('agg_attribution_daily')
  })

  it('gives identical reports from the NDJSON and the Parquet export', async () => {
    for (const model of ATTRIBUTION_MODELS) {
      for (const lookbackDays of LOOKBACKS) {
        for (const by of groupingsOfModel(model).filter((grouping) => grouping !== 'campaign')) {
          expect(await attributionReport(ndjson, request(model, lookbackDays, by))).toEqual(
            await attributionReport(parquet, request(model, lookbackDays, by)),
          )
        }
      }
    }
  })

  it('changes nothing on a second import of the same file', async () => {
    const before = await attributionReport(parquet, request('first_click', 14, 'source_medium'))
    const [again] = await parquet.importFiles([GA4_FIXTURES.parquet])
    expect(again?.wasAlreadyImported).toBe(true)
    assertDbtSucceeded(await parquet.build({}))
    expect(await attributionReport(parquet, request('first_click', 14, 'source_medium'))).toEqual(before)
  })

  it('answers each lookback exactly as the test oracle ranks it', async () => {
    const totals = new Set<string>()
    for (const lookbackDays of LOOKBACKS) {
      const built = await oracleByChannel(parquet.path, lookbackDays)
      // fct_attributed_conversions ranks first and last click at every lookback, independently of the credits.
      for (const model of ['first_click', 'last_click'] as const) {
        const report = await attributionReport(parquet, request(model, lookbackDays))
        expect(reportByChannel(report), `${model} at ${lookbackDays} days`).toEqual(built[model])
        totals.add(`${model}:${lookbackDays}:${JSON.stringify(reportByChannel(report))}`)
      }
    }
    // The lookback must matter on real journeys: not every lookback gives the same credits.
    const firstClick = [...totals].filter((key) => key.startsWith('first_click')).map((key) => key.split(':').slice(2).join(':'))
    expect(new Set(firstClick).size).toBeGreaterThan(1)
  })

  it("fails a build with an absurd var with dbt's message and keeps the previous marts", async () => {
    const before = await attributionReport(parquet, request('last_click', 14))
    const result = await parquet.build({ conversionEvents: ['not an event'] })
    expect(result.success).toBe(false)
    expect(result.errors.join('\n')).toMatch(/var conversion_events must hold GA4 event names/)
    expect(await attributionReport(parquet, request('last_click', 14))).toEqual(before)
  })
})

describe('dbt build on generated data', () => {
  const temp = makeTempDir('dbt-generated')
  const warehouse = new EmbeddedWarehouse(join(temp.dir, 'generated.duckdb'))
  const builtKinds = new Set<string>()

  beforeAll(async () => {
    await generateSampleData(warehouse, { seed: 7, users: 3_000, days: 60, endDate: '2026-10-31' })
    assertDbtSucceeded(
      await warehouse.build({
        conversionEvents: ['purchase', 'begin_checkout'],
        // CI builds the test oracle, so the singular tests compare the credits with it on journeys of many shapes.
        withTestOracle: true,
        onProgress: (progress) => builtKinds.add(progress.resourceType ?? ''),
      }),
    )
  })
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  it("passes dbt's unit tests, which a build on a warehouse leaves out", async () => {
    expect(builtKinds).toContain('test')
    expect(builtKinds).not.toContain('unit_test')
    const passed = new Set<string>()
    const result = await warehouse.build({
      command: 'test',
      select: 'test_type:unit',
      withTestOracle: true,
      onProgress: (progress) => {
        if (progress.resourceType === 'unit_test' && progress.status === 'pass' && progress.node) passed.add(progress.node)
      },
    })
    assertDbtSucceeded(result)
    expect(passed.size).toBeGreaterThanOrEqual(11)
    // The test oracle's own unit tests too.
    expect(passed).toContain('attributed_window_edges_ties_direct_and_unattributed')
  })

  it('fails the lookback-range test on ranges that overlap and leave a gap of the same size', async () => {
    // The stored splits hold every model's credit for a range on one row: moving the range moves linear's (and the others').
    const linear = `update attribution.fct_attribution_credit_splits set min_lookback_days = $min, max_lookback_days = $max
      where conversion_id = $conversion and min_lookback_days = $from and max_lookback_days = $to`
    // A conversion with three linear ranges [1, a] [a + 1, b] [b + 1, 90]: its middle becomes [a, b - 1],
    // which overlaps the first by a day and leaves day b uncovered, the lengths still adding up to 90.
    const [middle] = await withDuckDbFile(warehouse.path, { readOnly: true }, async ({ connection }) => {
      const reader = await connection.runAndReadAll(`
        select conversion_id, min_lookback_days, max_lookback_days from attribution.fct_attribution_credits
        where attribution_model = 'linear' and conversion_id in (
          select conversion_id from attribution.fct_attribution_credits where attribution_model = 'linear'
          group by conversion_id having count(distinct min_lookback_days) >= 3)
          and min_lookback_days > 1 and max_lookback_days < 90
        order by conversion_id, min_lookback_days limit 1`)
      return reader.getRowObjectsJson()
    })
    expect(middle).toBeDefined()
    const [conversion, min, max] = [String(middle?.conversion_id), Number(middle?.min_lookback_days), Number(middle?.max_lookback_days)]
    const rangeTest = async (): Promise<string | undefined> => {
      let status: string | undefined
      await warehouse.build({
        command: 'test',
        select: 'assert_credit_ranges_partition_lookbacks',
        onProgress: (progress) => {
          if (progress.resourceType === 'test' && progress.status) status = progress.status
        },
      })
      return status
    }
    await withDuckDbFile(warehouse.path, { readOnly: false }, ({ connection }) =>
      connection.run(linear, { conversion, from: min, to: max, min: min - 1, max: max - 1 }),
    )
    try {
      expect(await rangeTest()).toBe('fail')
    } finally {
      await withDuckDbFile(warehouse.path, { readOnly: false }, ({ connection }) =>
        connection.run(linear, { conversion, from: min - 1, to: max - 1, min, max }),
      )
    }
    expect(await rangeTest()).toBe('pass')
  })

  it('credits the same conversions and revenue under both models, spread over several channels', async () => {
    const first = await attributionReport(warehouse, request('first_click', 30))
    const last = await attributionReport(warehouse, request('last_click', 30))
    expect(first.totals).toEqual(last.totals)
    expect(first.totals.conversions).toBeGreaterThan(0)
    expect(first.rows.length).toBeGreaterThan(3)
    expect(sumAmounts(first.rows.map((row) => row.revenue_usd))).toBe(first.totals.revenue_usd)
    expect(await expectedPurchases(warehouse.path)).toEqual(first.totals)
  })

  it('moves credit between channels: first and last click disagree somewhere', async () => {
    const first = reportByChannel(await attributionReport(warehouse, request('first_click', 30)))
    const last = reportByChannel(await attributionReport(warehouse, request('last_click', 30)))
    expect(first).not.toEqual(last)
  })

  it('rebuilds a staging table that an earlier version left with columns the model dropped', async () => {
    const before = await attributionReport(warehouse, request('linear', 30))
    const stagingColumns = (): Promise<string[]> =>
      withDuckDbFile(warehouse.path, { readOnly: true }, async ({ connection }) => {
        const reader = await connection.runAndReadAll(
          `select column_name from information_schema.columns where table_schema = 'attribution' and table_name = 'stg_ga4__events'`,
        )
        return reader.getRowObjectsJson().map((row) => String(row.column_name))
      })
    // Staging stored the page URL until its columns were narrowed; an incremental insert would fail on it.
    await withDuckDbFile(warehouse.path, { readOnly: false }, ({ connection }) =>
      connection.run('alter table attribution.stg_ga4__events add column page_location varchar'),
    )
    expect(await stagingColumns()).toContain('page_location')
    assertDbtSucceeded(await warehouse.build({ conversionEvents: ['purchase', 'begin_checkout'] }))
    expect(await stagingColumns()).not.toContain('page_location')
    expect(await attributionReport(warehouse, request('linear', 30))).toEqual(before)
  })

  it('rebuilds the staging and session tables an earlier version built without the dclid column', async () => {
    const before = await attributionReport(warehouse, request('linear', 30))
    const columnsOf = (table: string): Promise<string[]> =>
      withDuckDbFile(warehouse.path, { readOnly: true }, async ({ connection }) => {
        const reader = await connection.runAndReadAll(
          `select column_name from information_schema.columns where table_schema = 'attribution' and table_name = $table`,
          { table },
        )
        return reader.getRowObjectsJson().map((row) => String(row.column_name))
      })
    // Before the export's click ids were read, neither table had the column; an incremental run
    // would insert into them without it and the sessions model would not find it in staging.
    await withDuckDbFile(warehouse.path, { readOnly: false }, async ({ connection }) => {
      await connection.run('alter table attribution.stg_ga4__events drop column dclid')
      await connection.run('alter table attribution.int_sessions_classified drop column dclid')
    })
    assertDbtSucceeded(await warehouse.build({ conversionEvents: ['purchase', 'begin_checkout'] }))
    expect(await columnsOf('stg_ga4__events')).toContain('dclid')
    expect(await columnsOf('int_sessions_classified')).toContain('dclid')
    expect(await attributionReport(warehouse, request('linear', 30))).toEqual(before)
  })

  it('rebuilds a staging table keyed by an earlier event_key scheme, so no event is stored under two keys', async () => {
    const before = await attributionReport(warehouse, request('linear', 30))
    const feedBefore = await warehouse.recentEvents(50)
    const staging = (): Promise<{ rows: number; keys: number; keyType: string; comment: string }> =>
      withDuckDbFile(warehouse.path, { readOnly: true }, async ({ connection }) => {
        const reader = await connection.runAndReadAll(`
          select count(*)::integer as rows, count(distinct event_key)::integer as keys, typeof(any_value(event_key)) as key_type,
            (select comment from duckdb_tables() where schema_name = 'attribution' and table_name = 'stg_ga4__events') as comment
          from attribution.stg_ga4__events`)
        const row = reader.getRowObjectsJson()[0] ?? {}
        return { rows: Number(row.rows), keys: Number(row.keys), keyType: String(row.key_type), comment: String(row.comment) }
      })
    const built = await staging()
    expect(built.keyType).toBe('UHUGEINT')
    expect(built.keys).toBe(built.rows)
    expect(feedBefore.length).toBeGreaterThan(0)
    // Earlier versions stored the key as text and user_pseudo_id beside user_key: an incremental load
    // would add the next copy of an event under the new key beside the old one.
    await withDuckDbFile(warehouse.path, { readOnly: false }, async ({ connection }) => {
      await connection.run(`create or replace table attribution.stg_ga4__events as
        select * exclude (event_key, has_user_pseudo_id),
          coalesce(event_id, md5(to_hex(event_key))) as event_key,
          case when has_user_pseudo_id then user_key end as user_pseudo_id
        from attribution.stg_ga4__events`)
      await connection.run(
        `comment on table attribution.stg_ga4__events is 'event_key: event_id, else hex of two 64-bit DuckDB hashes of the content (v2)'`,
      )
    })
    expect((await staging()).keyType).toBe('VARCHAR')
    // The feed skips a staging table in an earlier layout rather than fail or show wrong keys.
    expect(await warehouse.recentEvents(50)).toEqual([])
    assertDbtSucceeded(await warehouse.build({ conversionEvents: ['purchase', 'begin_checkout'] }))
    expect(await staging()).toEqual(built)
    expect(await warehouse.recentEvents(50)).toEqual(feedBefore)
    expect(await attributionReport(warehouse, request('linear', 30))).toEqual(before)
  })
})
