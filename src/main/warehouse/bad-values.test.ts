import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ga4Event } from '@shared/ga4-event'
import { runDbt } from '../dbt/dbt-runner'
import { generateEvents } from '../generator'
import { projectRoot } from '../paths'
import { JobRunner } from '../services/jobs'
import { ServedWarehouse } from '../serving/served-warehouse'
import { ServingStore } from '../serving/serving-store'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from './duckdb-file'
import { EmbeddedWarehouse, assertDbtSucceeded } from './embedded-warehouse'
import { MAX_AMOUNT_USD } from './event-bounds'
import { ga4JsonColumns } from './ga4-schema'

const CLI = join(projectRoot(), 'bin', 'attribution.js')
const MICROS_PER_DAY = 86_400_000_000

type Edit = (event: Ga4Event) => Ga4Event
const withRevenue =
  (revenue: number): Edit =>
  (event) =>
    ({ ...event, ecommerce: { ...event.ecommerce, purchase_revenue_in_usd: revenue } }) as Ga4Event
const at =
  (micros: number, eventDate?: string): Edit =>
  (event) =>
    ({
      ...event,
      event_timestamp: micros,
      event_date: eventDate ?? new Date(micros / 1000).toISOString().slice(0, 10).replace(/-/g, ''),
    }) as Ga4Event

/**
 * The bad values of issue 21, each with the problem the import must name. NaN and the infinities are
 * JSON text DuckDB reads. Staging sets aside all but the contradicting event_date, which no build fails on.
 */
const BAD_VALUES: Array<{ name: string; edit: Edit; text?: [string, string]; problem: string; isStaged?: boolean }> = [
  {
    name: 'NaN revenue',
    edit: withRevenue(123.45),
    text: ['123.45', 'NaN'],
    problem: 'ecommerce.purchase_revenue_in_usd is not a finite number',
  },
  {
    name: 'Infinity revenue',
    edit: withRevenue(123.45),
    text: ['123.45', 'Infinity'],
    problem: 'ecommerce.purchase_revenue_in_usd is not a finite number',
  },
  { name: '1e17 revenue', edit: withRevenue(1e17), problem: 'ecommerce.purchase_revenue_in_usd is beyond 1e+12 USD' },
  { name: '9.5e15 revenue', edit: withRevenue(9.5e15), problem: 'ecommerce.purchase_revenue_in_usd is beyond 1e+12 USD' },
  {
    name: 'negative purchase revenue',
    edit: withRevenue(-5),
    problem: "ecommerce.purchase_revenue_in_usd is negative, which only a refund's may be",
  },
  { name: 'year 3000', edit: at(Date.UTC(3000, 0, 1) * 1000), problem: 'event_timestamp is outside 2015-01-01 .. ' },
  {
    name: 'a millisecond timestamp',
    edit: (event) => ({ ...event, event_timestamp: Math.floor(event.event_timestamp / 1000) }),
    problem: 'event_timestamp is outside 2015-01-01 .. ',
  },
  { name: '1969', edit: at(-MICROS_PER_DAY / 2), problem: 'event_timestamp is outside 2015-01-01 .. ' },
  {
    name: 'event_date ten days off',
    edit: (event) => at(event.event_timestamp + 10 * MICROS_PER_DAY, event.event_date)(event),
    problem: "event_date is more than a day from event_timestamp's date",
    isStaged: true,
  },
]

function ndjson(events: Ga4Event[]): string {
  return `${events.map((event) => JSON.stringify(event)).join('\n')}\n`
}

async function query(path: string, sql: string): Promise<Record<string, unknown>[]> {
  return withDuckDbFile(path, { readOnly: true }, async ({ connection }) => (await connection.runAndReadAll(sql)).getRowObjectsJson())
}

describe('values no build could use', () => {
  const temp = makeTempDir('bad-values')
  let events: Ga4Event[] = []
  let later: Ga4Event[] = []
  let purchaseIndex = -1
  afterAll(temp.cleanup)

  beforeAll(() => {
    events = [...generateEvents({ seed: 21, users: 60, days: 10, endDate: '2026-11-20' })]
    later = [...generateEvents({ seed: 21, users: 20, days: 3, endDate: '2026-11-25', firstUser: 500 })]
    purchaseIndex = events.findIndex((event) => event.event_name === 'purchase')
    expect(purchaseIndex).toBeGreaterThan(0)
  })

  /** The events with one edited at the purchase's line; returns the file path. */
  function writeWithBadValue(name: string, edit: Edit, text?: [string, string]): string {
    const edited = events.map((event, index) => (index === purchaseIndex ? edit(event) : event))
    const lines = ndjson(edited).split('\n')
    if (text) lines[purchaseIndex] = lines[purchaseIndex]!.replace(text[0], text[1])
    const path = join(temp.dir, `${name.replace(/\W+/g, '-')}.ndjson`)
    writeFileSync(path, lines.join('\n'))
    return path
  }

  it('refuses each at import naming the file and row, NDJSON and Parquet alike, and stores nothing', async () => {
    const path = join(temp.dir, 'refused.duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    const line = purchaseIndex + 1
    let refused = 0
    for (const bad of BAD_VALUES) {
      const file = writeWithBadValue(bad.name, bad.edit, bad.text)
      const parquet = file.replace(/\.ndjson$/, '.parquet')
      await withDuckDbFile(join(temp.dir, 'scratch.duckdb'), { readOnly: false }, ({ connection }) =>
        connection.run(
          `copy (select * from read_json('${file}', format = 'newline_delimited', columns = ${ga4JsonColumns()})) to '${parquet}' (format parquet)`,
        ),
      )
      await expect(warehouse.importFiles([file]), bad.name).rejects.toThrow(`${file}, line ${line}: ${bad.problem}`)
      await expect(warehouse.importFiles([parquet]), bad.name).rejects.toThrow(`${parquet}, row ${line}: ${bad.problem}`)
      refused += 2
    }
    expect(refused).toBe(BAD_VALUES.length * 2)
    expect(await warehouse.rawCounts()).toEqual({ events: 0, intradayEvents: 0, importedFiles: 0 })
    await warehouse.close()
  })

  it('builds on the largest values the importer lets in, and sets aside raw rows that came in another way, counting them', async () => {
    const path = join(temp.dir, 'set-aside.duckdb')
    const largest = writeWithBadValue('largest', withRevenue(MAX_AMOUNT_USD))
    const refund = {
      ...events[purchaseIndex]!,
      event_name: 'refund',
      ecommerce: { ...events[purchaseIndex]!.ecommerce, purchase_revenue_in_usd: -MAX_AMOUNT_USD },
    }
    writeFileSync(
      largest,
      `${ndjson([...events.map((event, index) => (index === purchaseIndex ? withRevenue(MAX_AMOUNT_USD)(event) : event)), refund as Ga4Event])}`,
    )
    const warehouse = new EmbeddedWarehouse(path)
    await warehouse.importFiles([largest])
    await warehouse.close()

    // As a BigQuery export or an older warehouse would hold them: one raw row per bad value, past the importer.
    const badFile = join(temp.dir, 'bad-rows.ndjson')
    const badRows = BAD_VALUES.map((bad, index) => {
      // Each its own purchase (own user and transaction), so none loses to another copy before its value is used.
      const purchase = events[purchaseIndex]!
      const event = bad.edit({
        ...purchase,
        user_pseudo_id: `bad-${index}`,
        ecommerce: { ...purchase.ecommerce, transaction_id: `bad-${index}` },
      } as Ga4Event)
      return bad.text ? JSON.stringify(event).replace(bad.text[0], bad.text[1]) : JSON.stringify(event)
    })
    writeFileSync(badFile, `${badRows.join('\n')}\n`)
    await withDuckDbFile(path, { readOnly: false }, ({ connection }) =>
      connection.run(
        `insert into ga4.events by name select * from read_json('${badFile}', format = 'newline_delimited', columns = ${ga4JsonColumns()})`,
      ),
    )

    assertDbtSucceeded(await new EmbeddedWarehouse(path).build())
    const [quality] = await query(
      path,
      'select events_set_aside, raw_events, unique_events, duplicate_events_removed from attribution.rpt_data_quality',
    )
    const staged = BAD_VALUES.filter((bad) => bad.isStaged === true).length
    expect(Number(quality?.events_set_aside)).toBe(BAD_VALUES.length - staged)
    expect(Number(quality?.raw_events)).toBe(events.length + 1 + BAD_VALUES.length)
    expect(Number(quality?.unique_events) + Number(quality?.duplicate_events_removed)).toBe(events.length + 1 + staged)
    const [largestCredited] = await query(
      path,
      "select max(revenue_usd)::double as revenue from attribution.fct_attribution_credits where attribution_model = 'last_click'",
    )
    expect(Number(largestCredited?.revenue)).toBe(MAX_AMOUNT_USD)
    expect(await query(path, "select count(*)::integer as n from attribution.stg_ga4__events where user_key like '%bad-%'")).toEqual([
      { n: staged },
    ])
  })

  it('`attribution build --full-refresh` rebuilds every model from the raw events', async () => {
    const path = join(temp.dir, 'set-aside.duckdb')
    const laterFile = join(temp.dir, 'later.ndjson')
    writeFileSync(laterFile, ndjson(later))
    const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--warehouse', path], { encoding: 'utf8' })
    expect(cli(['import', laterFile]).status).toBe(0)
    const incremental = cli(['build'])
    expect(incremental.status, incremental.stderr).toBe(0)
    const loads = async () => (await query(path, 'select count(distinct loaded_at)::integer as n from attribution.stg_ga4__events'))[0]?.n
    expect(await loads()).toBe(2)
    const full = cli(['build', '--full-refresh'])
    expect(full.status, full.stderr).toBe(0)
    expect(await loads()).toBe(1)
  })

  it('says an import whose build failed is stored, and how to build again', async () => {
    const path = join(temp.dir, 'build-fails.duckdb')
    const file = join(temp.dir, 'fine.ndjson')
    writeFileSync(file, ndjson(events))
    const served = new ServedWarehouse(new EmbeddedWarehouse(path), await ServingStore.create())
    // A real dbt run that fails: its vars are refused before anything is built.
    const jobs = new JobRunner(served, (options) => runDbt({ ...options, vars: { ...options.vars, conversion_events: ['no such event'] } }))
    const error = await jobs.importFiles([file]).then(
      () => {
        throw new Error('the import and its build were expected to fail')
      },
      (caught: unknown) => caught as Error,
    )
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toContain(
      `The import worked: ${events.length.toLocaleString('en-US')} events of 1 file(s) are stored (importing them again adds nothing).`,
    )
    expect(error.message).toContain('The model build after it failed: dbt build failed:\n')
    expect(error.message).toMatch(/var conversion_events must hold GA4 event names/)
    expect(error.message).toContain('`attribution build --full-refresh` rebuilds every model from the raw events.')
    expect(await served.embedded.rawCounts()).toMatchObject({ events: events.length, importedFiles: 1 })
    await served.embedded.close()
  })
})
