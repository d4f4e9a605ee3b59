import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DashboardFilters } from '../../shared/api'
import type { ReportRequest } from '../../shared/attribution'
import type { Ga4Event } from '../../shared/ga4-event'
import type { BigQuerySettings } from '../../shared/settings-api'
import { sumAmounts } from '../../shared/money'
import { generateEvents } from '../generator'
import { queryChannelFlows, queryDailyTrends, queryReport } from '../warehouse/duckdb-queries'
import { BigQueryWarehouse } from './bigquery-warehouse'
import { GA4_BIGQUERY_SCHEMA } from './ga4-bigquery-schema'
import { DeadLetterList, insertIntradayEvents } from './intraday-writer'
import { BigQueryStandIn, type RecordedRequest } from './testing/bigquery-standin'
import { BUILD_INFO_SCHEMA, CREDITS_SCHEMA, type CreditRow, generateCreditRows } from './testing/mart-rows'

// Integration: the real @google-cloud/bigquery client, over HTTP, against the loopback stand-in.
const PROJECT = 'acme-analytics'
const SETTINGS: BigQuerySettings = {
  projectId: PROJECT,
  ga4Dataset: 'analytics_123456',
  martsDataset: 'attribution_marts',
  location: 'US',
  maximumBytesBilled: 1024 ** 3,
  dbtMaximumBytesBilled: 10 * 1024 ** 3,
  credentialMode: 'adc',
}
const CREDITS = generateCreditRows(7, 150)
const DAY_EVENTS = [...generateEvents({ seed: 3, users: 12, days: 2, endDate: '2021-01-30', withEventId: true })]
const STREAMED = [...generateEvents({ seed: 4, users: 6, days: 1, endDate: '2021-01-31', withEventId: true })]

let standIn: BigQueryStandIn
let warehouse: BigQueryWarehouse
let embedded: DuckDBInstance

/** The generator repeats some rows exactly, as real exports do; insertId de-duplication keeps one of each. */
const distinctIds = (events: Ga4Event[]) => new Set(events.map(eventId)).size
const eventId = (event: Ga4Event) => event.event_params.find((param) => param.key === 'event_id')?.value.string_value ?? ''
const bodiesOf = (requests: RecordedRequest[], path: RegExp) => requests.filter((request) => path.test(request.path)).map((request) => request.body as Record<string, unknown>)

beforeAll(async () => {
  standIn = await BigQueryStandIn.start()
  await standIn.createDataset(PROJECT, 'analytics_123456')
  warehouse = new BigQueryWarehouse({ settings: SETTINGS, credentials: { mode: 'adc' }, transport: standIn.transport(), maxRetries: 0 })
  const client = warehouse.bigQuery()
  // The marts, created and filled through the API as dbt's results would be.
  const [marts] = await client.createDataset('attribution_marts', { location: 'US' })
  const [credits] = await marts.createTable('fct_attribution_credits', { schema: { fields: CREDITS_SCHEMA } })
  await credits.insert(CREDITS)
  const [buildInfo] = await marts.createTable('rpt_build_info', { schema: { fields: BUILD_INFO_SCHEMA } })
  await buildInfo.insert([{ built_at: '2021-02-01 06:00:00', lookback_days: 14, invocation_id: 'test' }])
  // Day shards of the export, with the GA4 schema (nested event_params, items, ...).
  const ga4 = client.dataset('analytics_123456')
  for (const date of [...new Set(DAY_EVENTS.map((event) => event.event_date))]) {
    const [table] = await ga4.createTable(`events_${date}`, { schema: { fields: GA4_BIGQUERY_SCHEMA.map((field) => ({ ...field })) } })
    await table.insert(DAY_EVENTS.filter((event) => event.event_date === date))
  }
  // The same marts in DuckDB, for the embedded warehouse's queries to give the expected answers.
  embedded = await DuckDBInstance.create(':memory:')
  const connection = await embedded.connect()
  await connection.run(`create schema attribution`)
  await connection.run(`create table attribution.fct_attribution_credits (conversion_id varchar, conversion_event_name varchar, attribution_model varchar,
    min_lookback_days integer, max_lookback_days integer, conversion_date date, revenue_usd decimal(18,2), source varchar, medium varchar, campaign varchar, channel varchar)`)
  await connection.run(
    `insert into attribution.fct_attribution_credits by name select unnest(s) from (select unnest(json_transform($rows::json, '[{"conversion_id":"VARCHAR","conversion_event_name":"VARCHAR","attribution_model":"VARCHAR","min_lookback_days":"INTEGER","max_lookback_days":"INTEGER","conversion_date":"DATE","revenue_usd":"DECIMAL(18,2)","source":"VARCHAR","medium":"VARCHAR","campaign":"VARCHAR","channel":"VARCHAR"}]')) as s)`,
    { rows: JSON.stringify(CREDITS) },
  )
  connection.closeSync()
}, 60_000)

afterAll(async () => {
  await standIn?.close()
  embedded?.closeSync()
})

async function embeddedAnswer<T>(work: (connection: Awaited<ReturnType<DuckDBInstance['connect']>>) => Promise<T>): Promise<T> {
  const connection = await embedded.connect()
  try {
    return await work(connection)
  } finally {
    connection.closeSync()
  }
}

/** Conversions and revenue straight from the generated rows, with no SQL at all. */
function expectedTotals(rows: CreditRow[], filters: DashboardFilters, model: string): { conversions: number; revenue_usd: string } {
  const held = rows.filter(
    (row) =>
      row.attribution_model === model &&
      filters.lookbackDays >= row.min_lookback_days &&
      filters.lookbackDays <= row.max_lookback_days &&
      (filters.conversionEvents as string[]).includes(row.conversion_event_name) &&
      (!filters.fromDate || row.conversion_date >= filters.fromDate) &&
      (!filters.toDate || row.conversion_date <= filters.toDate),
  )
  return { conversions: held.length, revenue_usd: sumAmounts(held.map((row) => row.revenue_usd)) }
}

const FILTER_CASES: DashboardFilters[] = [
  { lookbackDays: 14, conversionEvents: ['purchase'] },
  { lookbackDays: 1, conversionEvents: ['purchase', 'add_to_cart'] },
  { lookbackDays: 90, conversionEvents: ['purchase', 'begin_checkout', 'add_to_cart'], fromDate: '2021-01-20', toDate: '2021-01-28' },
]

describe('BigQueryWarehouse against the stand-in', () => {
  it.each(FILTER_CASES)('compare flows match the embedded warehouse and the generated rows (%o)', async (filters) => {
    const flows = await warehouse.channelFlows(filters)
    expect(flows).toEqual(await embeddedAnswer((connection) => queryChannelFlows(connection, filters)))
    const total = flows.reduce((sum, flow) => sum + flow.conversions, 0)
    expect(total).toBe(expectedTotals(CREDITS, filters, 'first_click').conversions)
    expect(sumAmounts(flows.map((flow) => flow.revenue_usd))).toBe(expectedTotals(CREDITS, filters, 'first_click').revenue_usd)
    expect(total).toBeGreaterThan(0)
  })

  it.each(FILTER_CASES.flatMap((filters) => (['channel', 'source_medium', 'campaign'] as const).map((by) => ({ ...filters, by }))))(
    'breakdowns match the embedded warehouse (%o)',
    async ({ by, ...filters }) => {
      for (const model of ['first_click', 'last_click'] as const) {
        const request: ReportRequest = { ...filters, model, by }
        const report = await warehouse.report(request)
        expect(report).toEqual(await embeddedAnswer((connection) => queryReport(connection, request)))
        expect(report.totals).toEqual(expectedTotals(CREDITS, filters, model))
      }
      const drill = await warehouse.report({ ...filters, model: 'last_click', by: 'source_medium', channel: 'Paid Search' })
      expect(drill).toEqual(await embeddedAnswer((connection) => queryReport(connection, { ...filters, model: 'last_click', by: 'source_medium', channel: 'Paid Search' })))
    },
  )

  it.each([
    { days: 7, byChannel: false },
    { days: 30, byChannel: true },
  ])('daily trends match the embedded warehouse (%o)', async (options) => {
    const filters = FILTER_CASES[0] as DashboardFilters
    const trends = await warehouse.dailyTrends(filters, options)
    expect(trends).toEqual(await embeddedAnswer((connection) => queryDailyTrends(connection, filters, options)))
    expect(trends.toDate).toBe('2021-01-31')
    expect(trends.rows.length).toBeGreaterThan(0)
  })

  it('sends every value the person chose as a query parameter, never in the SQL text', async () => {
    const before = standIn.requests.length
    warehouse.invalidateCache()
    const filters: DashboardFilters = { lookbackDays: 37, conversionEvents: ['begin_checkout', 'add_to_cart'], fromDate: '2021-01-13', toDate: '2021-01-29' }
    await warehouse.channelFlows(filters)
    await warehouse.dailyTrends(filters, { days: 27, byChannel: true })
    await warehouse.report({ ...filters, model: 'last_click', by: 'campaign', channel: "Paid Search' or '1'='1" })
    await warehouse.recentEvents(17)
    const queries = bodiesOf(standIn.requests.slice(before), /\/queries$/)
    expect(queries.length).toBeGreaterThanOrEqual(4)
    const chosen = ['37', 'begin_checkout', 'add_to_cart', '2021-01-13', '2021-01-29', '27', "Paid Search' or '1'='1", '17']
    for (const body of queries) {
      const sql = String(body.query)
      for (const value of chosen) expect(sql).not.toContain(value)
      expect(body.maximumBytesBilled).toBe(String(SETTINGS.maximumBytesBilled))
      expect(body.useLegacySql).toBe(false)
    }
    const parameters = queries.flatMap((body) => (body.queryParameters ?? []) as Array<{ name: string; parameterType: unknown; parameterValue: unknown }>)
    const byName = (name: string) => parameters.find((parameter) => parameter.name === name)
    expect(byName('lookback')).toEqual({ name: 'lookback', parameterType: { type: 'INT64' }, parameterValue: { value: 37 } })
    expect(byName('events')).toEqual({
      name: 'events',
      parameterType: { type: 'ARRAY', arrayType: { type: 'STRING' } },
      parameterValue: { arrayValues: [{ value: 'begin_checkout' }, { value: 'add_to_cart' }] },
    })
    expect(byName('from_date')?.parameterValue).toEqual({ value: '2021-01-13' })
    expect(byName('channel')?.parameterValue).toEqual({ value: "Paid Search' or '1'='1" })
    expect(byName('days')?.parameterValue).toEqual({ value: 27 })
    expect(byName('limit')?.parameterValue).toEqual({ value: 17 })
  })

  it('sends no Google credentials to the endpoint', () => {
    expect(standIn.requests.length).toBeGreaterThan(0)
    expect(standIn.requests.every((request) => request.authorization === undefined)).toBe(true)
  })

  it('reuses a cached result for the same query and parameters', async () => {
    warehouse.invalidateCache()
    const filters = FILTER_CASES[1] as DashboardFilters
    const count = () => standIn.requests.filter((request) => request.path.endsWith('/queries')).length
    const first = await warehouse.channelFlows(filters)
    const after = count()
    expect(await warehouse.channelFlows(filters)).toEqual(first)
    expect(count()).toBe(after)
    await warehouse.channelFlows({ ...filters, lookbackDays: 2 })
    expect(count()).toBe(after + 1)
  })

  it('reads status: shard row counts, newest event, marts range and build time', async () => {
    warehouse.invalidateCache()
    const status = await warehouse.status()
    const newest = Math.max(...DAY_EVENTS.map((event) => event.event_timestamp))
    expect(status).toMatchObject({
      kind: 'bigquery',
      events: DAY_EVENTS.length,
      hasModels: true,
      newestEventAt: `${new Date(newest / 1000).toISOString().slice(0, 19)}Z`,
      modelsBuiltAt: '2021-02-01T06:00:00Z',
      firstConversionDate: CREDITS.map((row) => row.conversion_date).sort()[0],
      lastConversionDate: '2021-01-31',
    })
    expect(status.location).toContain(`${PROJECT}.attribution_marts`)
  })

  it('estimates bytes with a dry run, and the bytes-billed guard refuses a query with a clear message', async () => {
    const filters = FILTER_CASES[0] as DashboardFilters
    const { channelFlowsStatement } = await import('./bigquery-sql')
    const estimate = await warehouse.estimate(channelFlowsStatement({ project: PROJECT, dataset: 'attribution_marts' }, filters))
    expect(estimate.bytesProcessed).toBeGreaterThan(0)
    expect(estimate.text).toMatch(/\d (B|KB|MB)$/)
    const dryRuns = bodiesOf(standIn.requests, /\/jobs$/).filter((body) => (body.configuration as { dryRun?: boolean }).dryRun)
    expect(dryRuns.length).toBeGreaterThan(0)

    // BigQuery bills at least 10 MB per table, so a limit just above 10 MiB refuses a two-table read.
    const tight = new BigQueryWarehouse({
      settings: { ...SETTINGS, maximumBytesBilled: 10 * 1024 * 1024 + 1 },
      credentials: { mode: 'adc' },
      transport: standIn.transport(),
      maxRetries: 0,
    })
    await expect(tight.recentEvents(10)).rejects.toThrow(/would bill more than the limit of 10\.5 MB set in Settings/)
  })

  it('tells a costly query before running it', async () => {
    const seen: number[] = []
    const watched = new BigQueryWarehouse({
      settings: SETTINGS,
      credentials: { mode: 'adc' },
      transport: standIn.transport(),
      maxRetries: 0,
      costlyQueryBytes: 1,
      onCostlyQuery: (estimate) => seen.push(estimate.bytesProcessed),
    })
    await watched.channelFlows(FILTER_CASES[0] as DashboardFilters)
    expect(seen.length).toBe(1)
    expect(seen[0]).toBeGreaterThan(0)
  })

  it('translates a missing dataset, a permission problem and no network into messages', async () => {
    const missing = new BigQueryWarehouse({ settings: { ...SETTINGS, martsDataset: 'nope' }, credentials: { mode: 'adc' }, transport: standIn.transport(), maxRetries: 0 })
    await expect(missing.channelFlows(FILTER_CASES[0] as DashboardFilters)).rejects.toThrow(/^Dataset missing: Not found: Dataset acme-analytics:nope/)
    standIn.denyProject('locked-project')
    const denied = new BigQueryWarehouse({ settings: { ...SETTINGS, projectId: 'locked-project' }, credentials: { mode: 'adc' }, transport: standIn.transport(), maxRetries: 0 })
    await expect(denied.channelFlows(FILTER_CASES[0] as DashboardFilters)).rejects.toThrow(/^Permission denied: the account may not run queries in project locked-project/)
    const offline = new BigQueryWarehouse({
      settings: SETTINGS,
      credentials: { mode: 'adc' },
      transport: { apiEndpoint: 'http://127.0.0.1:9', authClient: standIn.transport().authClient },
      maxRetries: 0,
    })
    await expect(offline.channelFlows(FILTER_CASES[0] as DashboardFilters)).rejects.toThrow(/^BigQuery cannot be reached: the connection was refused/)
  })
})

describe('streaming into events_intraday_YYYYMMDD', () => {
  it('creates the intraday table, sends ≤500 rows per request with insertId = event_id, and feeds the live view', async () => {
    const before = standIn.requests.length
    const many = [...generateEvents({ seed: 9, users: 60, days: 1, endDate: '2021-01-31', withEventId: true })]
    expect(many.length).toBeGreaterThan(500)
    const report = await insertIntradayEvents([...STREAMED, ...many], { client: warehouse.bigQuery(), settings: SETTINGS, sleep: async () => undefined })
    expect(report.deadLetters).toEqual([])
    expect(report.accepted).toBe(STREAMED.length + many.length)
    const inserts = bodiesOf(standIn.requests.slice(before), /\/tables\/events_intraday_20210131\/insertAll$/)
    expect(inserts.length).toBe(Math.ceil((STREAMED.length + many.length) / 500))
    for (const body of inserts) {
      const rows = body.rows as Array<{ insertId: string; json: Ga4Event }>
      expect(rows.length).toBeLessThanOrEqual(500)
      for (const row of rows) expect(row.insertId).toBe(eventId(row.json))
      expect(body.skipInvalidRows).toBe(true)
    }
    expect(await standIn.rows(PROJECT, 'analytics_123456', 'events_intraday_20210131')).toHaveLength(distinctIds([...STREAMED, ...many]))

    warehouse.invalidateCache()
    const feed = await warehouse.recentEvents(25)
    const streamedOnce = [...new Map([...STREAMED, ...many].map((event) => [eventId(event), event])).values()]
    const all = [...DAY_EVENTS.filter((event) => event.event_date === '20210130'), ...streamedOnce]
    const expected = all.sort((a, b) => b.event_timestamp - a.event_timestamp || eventId(a).localeCompare(eventId(b))).slice(0, 25)
    expect(feed.map((event) => event.event_key)).toEqual(expected.map(eventId))
    expect(feed[0]?.event_at).toBe(new Date((expected[0]?.event_timestamp ?? 0) / 1000).toISOString())
    expect(feed.every((event) => event.is_intraday)).toBe(true)
    const status = await warehouse.status()
    expect(status.intradayEvents).toBe(distinctIds([...STREAMED, ...many]))
  })

  it('adds nothing when a request is retried with the same insertIds', async () => {
    const rows = [...generateEvents({ seed: 11, users: 3, days: 1, endDate: '2021-01-29', withEventId: true })]
    // The first insertAll is applied, but its answer is lost: the writer must retry with the same insertIds.
    standIn.injectFault({ method: 'POST', path: /events_intraday_20210129\/insertAll$/, status: 503, times: 1, afterApplying: true })
    const delays: number[] = []
    const report = await insertIntradayEvents(rows, {
      client: warehouse.bigQuery(),
      settings: SETTINGS,
      sleep: async (ms) => {
        delays.push(ms)
      },
    })
    expect(report.retries).toBe(1)
    expect(delays).toHaveLength(1)
    const inserts = bodiesOf(standIn.requests, /events_intraday_20210129\/insertAll$/)
    expect(inserts).toHaveLength(2)
    expect(inserts[1]).toEqual(inserts[0])
    expect(await standIn.rows(PROJECT, 'analytics_123456', 'events_intraday_20210129')).toHaveLength(distinctIds(rows))
    // A whole second run of the same events adds nothing either.
    await insertIntradayEvents(rows, { client: warehouse.bigQuery(), settings: SETTINGS, sleep: async () => undefined })
    expect(await standIn.rows(PROJECT, 'analytics_123456', 'events_intraday_20210129')).toHaveLength(distinctIds(rows))
  })

  it('gives up after a bounded number of transient failures, with the same insertIds each time', async () => {
    const rows = [...generateEvents({ seed: 12, users: 1, days: 1, endDate: '2021-01-28', withEventId: true })]
    standIn.injectFault({ method: 'POST', path: /events_intraday_20210128\/insertAll$/, status: 500, times: 10 })
    await expect(
      insertIntradayEvents(rows, { client: warehouse.bigQuery(), settings: SETTINGS, maxAttempts: 3, sleep: async () => undefined }),
    ).rejects.toThrow(/failed 3 times/)
    const inserts = bodiesOf(standIn.requests, /events_intraday_20210128\/insertAll$/)
    expect(inserts).toHaveLength(3)
    expect(new Set(inserts.map((body) => JSON.stringify(body.rows))).size).toBe(1)
  })

  it('returns invalid rows as dead letters and stores the valid ones', async () => {
    const rows = [...generateEvents({ seed: 13, users: 2, days: 1, endDate: '2021-01-27', withEventId: true })]
    const broken = structuredClone(rows.slice(0, 2)) as unknown as Array<Record<string, unknown>>
    ;(broken[0] as Record<string, unknown>).event_timestamp = 'yesterday'
    ;(broken[1] as Record<string, unknown>).not_a_ga4_column = 1
    const noId = { ...(rows[2] as Ga4Event), event_params: [] }
    const deadLetters = new DeadLetterList()
    const report = await insertIntradayEvents([...(broken as unknown as Ga4Event[]), noId, ...rows.slice(3)], {
      client: warehouse.bigQuery(),
      settings: SETTINGS,
      deadLetters,
      sleep: async () => undefined,
    })
    expect(report.deadLetters.map((letter) => [letter.eventId, letter.reason])).toEqual([
      [null, 'no_event_id'],
      [eventId(rows[0] as Ga4Event), 'invalid'],
      [eventId(rows[1] as Ga4Event), 'invalid'],
    ])
    expect(report.deadLetters[2]?.message).toMatch(/no such field: not_a_ga4_column/)
    expect(deadLetters.list()).toEqual(report.deadLetters)
    expect(report.accepted).toBe(rows.length - 3)
    expect(await standIn.rows(PROJECT, 'analytics_123456', 'events_intraday_20210127')).toHaveLength(distinctIds(rows.slice(3)))
  })

  it('refuses the public dataset and datasets of other projects before sending anything', async () => {
    const before = standIn.requests.length
    const rows = STREAMED.slice(0, 1)
    await expect(
      insertIntradayEvents(rows, { client: warehouse.bigQuery(), settings: { ...SETTINGS, ga4Dataset: 'bigquery-public-data.ga4_obfuscated_sample_ecommerce' } }),
    ).rejects.toThrow(/public, read-only sample/)
    await expect(insertIntradayEvents(rows, { client: warehouse.bigQuery(), settings: { ...SETTINGS, ga4Dataset: 'someone-else.analytics_1' } })).rejects.toThrow(
      /only into a dataset of your own project \(acme-analytics\)/,
    )
    expect(standIn.requests.length).toBe(before)
  })
})
