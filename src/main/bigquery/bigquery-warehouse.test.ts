import type { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DashboardFilters } from '@shared/api'
import type { ReportRequest } from '@shared/attribution'
import type { Ga4Event } from '@shared/ga4-event'
import type { MarkovTransition } from '@shared/markov'
import type { BigQuerySettings } from '@shared/settings-api'
import { formatCents, sumAmounts } from '@shared/money'
import { generateEvents } from '../generator'
import type { AttributionWarehouse, PathRow, PathRows, RuleBasedModel } from '../warehouse/warehouse'
import { BigQueryWarehouse } from './bigquery-warehouse'
import { GA4_BIGQUERY_SCHEMA } from './ga4-bigquery-schema'
import { DeadLetterList, insertIntradayEvents } from './intraday-writer'
import { BigQueryStandIn, type RecordedRequest } from './testing/bigquery-standin'
import { embeddedMarts, embeddedMartsWarehouse } from './testing/embedded-marts'
import {
  BUILD_INFO_SCHEMA,
  CREDITS_SCHEMA,
  type CreditRow,
  RULE_BASED_MODELS,
  TRANSITIONS_SCHEMA,
  LAST_CONVERSIONS_SCHEMA,
  type TransitionRow,
  generateMarts,
} from './testing/mart-rows'

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
const MARTS = generateMarts(7, 150)
const CREDITS = MARTS.credits
const DAY_EVENTS = [...generateEvents({ seed: 3, users: 12, days: 2, endDate: '2021-01-30', withEventId: true })]
const STREAMED = [...generateEvents({ seed: 4, users: 6, days: 1, endDate: '2021-01-31', withEventId: true })]

let standIn: BigQueryStandIn
let warehouse: BigQueryWarehouse
let embedded: DuckDBInstance
/** The embedded warehouse's queries on the same rows: the answers BigQuery's must match. */
let expectedWarehouse: AttributionWarehouse

/** The generator repeats some rows exactly, as real exports do; insertId de-duplication keeps one of each. */
const distinctIds = (events: Ga4Event[]) => new Set(events.map(eventId)).size
const eventId = (event: Ga4Event) => event.event_params.find((param) => param.key === 'event_id')?.value.string_value ?? ''
const bodiesOf = (requests: RecordedRequest[], path: RegExp) =>
  requests.filter((request) => path.test(request.path)).map((request) => request.body as Record<string, unknown>)

beforeAll(async () => {
  standIn = await BigQueryStandIn.start()
  await standIn.createDataset(PROJECT, 'analytics_123456')
  warehouse = new BigQueryWarehouse({ settings: SETTINGS, credentials: { mode: 'adc' }, transport: standIn.transport(), maxRetries: 0 })
  const client = warehouse.bigQuery()
  // The marts, created and filled through the API as dbt's results would be.
  const [marts] = await client.createDataset('attribution_marts', { location: 'US' })
  const [credits] = await marts.createTable('fct_attribution_credits', { schema: { fields: CREDITS_SCHEMA } })
  await credits.insert(CREDITS)
  const [transitions] = await marts.createTable('agg_channel_transitions', { schema: { fields: TRANSITIONS_SCHEMA } })
  await transitions.insert(MARTS.transitions)
  await marts.createTable('agg_user_last_conversions', { schema: { fields: LAST_CONVERSIONS_SCHEMA } })
  const [buildInfo] = await marts.createTable('rpt_build_info', { schema: { fields: BUILD_INFO_SCHEMA } })
  await buildInfo.insert([{ built_at: '2021-02-01 06:00:00', invocation_id: 'test' }])
  // Day shards of the export, with the GA4 schema (nested event_params, items, ...).
  const ga4 = client.dataset('analytics_123456')
  for (const date of [...new Set(DAY_EVENTS.map((event) => event.event_date))]) {
    const [table] = await ga4.createTable(`events_${date}`, { schema: { fields: GA4_BIGQUERY_SCHEMA.map((field) => ({ ...field })) } })
    await table.insert(DAY_EVENTS.filter((event) => event.event_date === date))
  }
  // The same marts in DuckDB, for the embedded warehouse's queries to give the expected answers.
  embedded = await embeddedMarts(MARTS)
  expectedWarehouse = embeddedMartsWarehouse(embedded)
}, 60_000)

afterAll(async () => {
  await standIn?.close()
  embedded?.closeSync()
})

/** Whether a mart row holds at the filters' lookback, events and dates (for transitions: converting or not). */
function holds(
  row: { min_lookback_days: number; max_lookback_days: number; conversion_event_name: string | null },
  date: string,
  filters: DashboardFilters,
): boolean {
  return (
    filters.lookbackDays >= row.min_lookback_days &&
    filters.lookbackDays <= row.max_lookback_days &&
    (row.conversion_event_name === null || (filters.conversionEvents as string[]).includes(row.conversion_event_name)) &&
    (!filters.fromDate || date >= filters.fromDate) &&
    (!filters.toDate || date <= filters.toDate)
  )
}

/** The chosen conversions and their revenue straight from the generated rows, with no SQL at all: every model credits each once. */
function expectedTotals(rows: CreditRow[], filters: DashboardFilters): { conversions: number; revenue_usd: string } {
  const held = new Map(rows.filter((row) => holds(row, row.conversion_date, filters)).map((row) => [row.conversion_id, row.revenue_usd]))
  return { conversions: held.size, revenue_usd: sumAmounts(held.values()) }
}

/** Transition counts at the filters straight from the generated rows, ordered as the queries order them. */
function expectedTransitions(rows: TransitionRow[], filters: DashboardFilters): MarkovTransition[] {
  const counts = new Map<string, MarkovTransition>()
  for (const row of rows.filter((row) => holds(row, row.journey_date, filters))) {
    const key = `${row.from_state}\u0000${row.to_state}`
    const found = counts.get(key) ?? { from: row.from_state, to: row.to_state, count: 0 }
    found.count += row.transitions
    counts.set(key, found)
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, transition]) => transition)
}

/** Paths without their summed days, for an exact comparison of the rest. */
function withoutDays(paths: PathRows): Omit<PathRows, 'rows'> & { rows: Array<Omit<PathRow, 'daysSum'>> } {
  return { ...paths, rows: paths.rows.map(({ daysSum: _days, ...row }) => row) }
}

const FILTER_CASES: DashboardFilters[] = [
  { lookbackDays: 14, conversionEvents: ['purchase'] },
  { lookbackDays: 1, conversionEvents: ['purchase', 'add_to_cart'] },
  { lookbackDays: 90, conversionEvents: ['purchase', 'begin_checkout', 'add_to_cart'], fromDate: '2021-01-20', toDate: '2021-01-28' },
]

const MODEL_PAIRS: Array<readonly [RuleBasedModel, RuleBasedModel]> = [
  ['first_click', 'last_click'],
  ['linear', 'time_decay'],
  ['position_based', 'last_non_direct'],
  ['time_decay', 'time_decay'],
]

describe('BigQueryWarehouse against the stand-in', () => {
  it('has test data with every model, multi-touch paths, pathless conversions and both kinds of journeys', () => {
    expect(new Set(CREDITS.map((row) => row.attribution_model))).toEqual(new Set(RULE_BASED_MODELS))
    expect(CREDITS.some((row) => row.touches >= 3)).toBe(true)
    expect(CREDITS.some((row) => row.touches === 0)).toBe(true)
    expect(MARTS.transitions.some((row) => row.conversion_event_name === null)).toBe(true)
    expect(MARTS.transitions.some((row) => row.to_state === '(conversion)')).toBe(true)
  })

  it.each(FILTER_CASES.flatMap((filters) => MODEL_PAIRS.map((models) => ({ filters, models }))))(
    'compare flows match the embedded warehouse and the generated rows (%o)',
    async ({ filters, models }) => {
      const flows = await warehouse.channelFlows(filters, models)
      expect(flows).toEqual(await expectedWarehouse.channelFlows(filters, models))
      expect(flows.length).toBeGreaterThan(0)
      const total = flows.reduce((sum, flow) => sum + Math.round(flow.conversions * 1e6), 0) / 1e6
      expect(total).toBeCloseTo(expectedTotals(CREDITS, filters).conversions, 4)
      if (models[0] === models[1]) expect(flows.every((flow) => flow.a_channel === flow.b_channel)).toBe(true)
    },
  )

  it.each(FILTER_CASES.flatMap((filters) => (['channel', 'source_medium', 'campaign'] as const).map((by) => ({ ...filters, by }))))(
    'breakdowns match the embedded warehouse (%o)',
    async ({ by, ...filters }) => {
      for (const model of RULE_BASED_MODELS) {
        const request: ReportRequest & { model: RuleBasedModel } = { ...filters, model, by }
        const report = await warehouse.report(request)
        expect(report).toEqual(await expectedWarehouse.report(request))
        expect(report.totals).toEqual(expectedTotals(CREDITS, filters))
      }
      const drill = { ...filters, model: 'linear', by: 'source_medium', channel: 'Paid Search' } as const
      expect(await warehouse.report(drill)).toEqual(await expectedWarehouse.report(drill))
    },
  )

  it.each([
    { days: 7, byChannel: false, models: ['first_click'] as RuleBasedModel[] },
    { days: 30, byChannel: true, models: ['linear', 'time_decay'] as RuleBasedModel[] },
    { days: 30, byChannel: false, models: [...RULE_BASED_MODELS] },
  ])('daily trends match the embedded warehouse (%o)', async (options) => {
    const filters = FILTER_CASES[0] as DashboardFilters
    const trends = await warehouse.dailyTrends(filters, options)
    expect(trends).toEqual(await expectedWarehouse.dailyTrends(filters, options))
    expect(trends.toDate).toBe('2021-01-31')
    expect(new Set(trends.rows.map((row) => row.model))).toEqual(new Set(options.models))
  })

  it.each(FILTER_CASES)(
    'model channel credits match the embedded warehouse, and every model credits each conversion once (%o)',
    async (filters) => {
      const credits = await warehouse.modelChannelCredits(filters)
      expect(credits).toEqual(await expectedWarehouse.modelChannelCredits(filters))
      const expected = expectedTotals(CREDITS, filters)
      for (const model of RULE_BASED_MODELS) {
        const mine = credits.filter((credit) => credit.model === model)
        expect(Number(mine.reduce((sum, credit) => sum + credit.creditMicros, 0n)) / 1e6).toBe(expected.conversions)
      }
    },
  )

  it.each(FILTER_CASES)('Markov transitions match the embedded warehouse and the generated rows (%o)', async (filters) => {
    const transitions = await warehouse.markovTransitions(filters)
    expect(transitions).toEqual(await expectedWarehouse.markovTransitions(filters))
    expect(transitions).toEqual(expectedTransitions(MARTS.transitions, filters))
    expect(transitions.some((transition) => transition.to === '(null)')).toBe(true)
  })

  it.each(FILTER_CASES)('conversion totals match the embedded warehouse and the generated rows (%o)', async (filters) => {
    const totals = await warehouse.conversionTotals(filters)
    expect(totals).toEqual(await expectedWarehouse.conversionTotals(filters))
    const expected = expectedTotals(CREDITS, filters)
    expect(totals.conversions).toBe(expected.conversions)
    expect(formatCents(totals.revenueCents)).toBe(expected.revenue_usd)
    const pathless = new Set(
      CREDITS.filter((row) => row.touches === 0 && holds(row, row.conversion_date, filters)).map((row) => row.conversion_id),
    )
    expect(totals.pathlessConversions).toBe(pathless.size)
  })

  it.each(
    FILTER_CASES.flatMap((filters) =>
      [null, 'first_click', 'position_based', 'time_decay'].map((model) => ({ filters, model: model as RuleBasedModel | null })),
    ),
  )('conversion paths match the embedded warehouse (%o)', async ({ filters, model }) => {
    for (const limit of [3, 1000]) {
      const paths = await warehouse.conversionPaths(filters, model, limit)
      const expected = await expectedWarehouse.conversionPaths(filters, model, limit)
      // Days are FLOAT64 sums; DuckDB's epoch(interval) rounds in its own way, so they agree to far below a second.
      expect(withoutDays(paths)).toEqual(withoutDays(expected))
      paths.rows.forEach((row, index) => expect(row.daysSum).toBeCloseTo(expected.rows[index]?.daysSum ?? Number.NaN, 9))
      expect(paths.rows.length).toBe(Math.min(limit, paths.totalPaths))
      expect(paths.conversions).toBe(expectedTotals(CREDITS, filters).conversions)
      if (limit > paths.totalPaths) {
        expect(paths.rows.reduce((sum, row) => sum + row.conversions, 0)).toBe(paths.conversions)
        // Conversions with no session in the window: BigQuery's NULL path comes back as an empty one.
        expect(paths.rows.filter((row) => row.channels.length === 0)).toHaveLength(1)
      }
      for (const row of paths.rows) expect(row.earlyMicros === null).toBe(model === null)
    }
  })

  it.each(['source_medium', 'campaign'] as const)(
    'credits per %s, and paged, sorted and filtered paths by it, match the embedded warehouse',
    async (by) => {
      const filters = FILTER_CASES[0] as DashboardFilters
      expect(await warehouse.modelChannelCredits(filters, by)).toEqual(await expectedWarehouse.modelChannelCredits(filters, by))
      const all = await expectedWarehouse.conversionPaths(filters, 'linear', 1000, { by })
      const step = all.rows.find((row) => row.channels.length >= 2)?.channels[1] ?? ''
      for (const options of [
        { by, offset: 2, sort: { column: 'revenue', direction: 'asc' } },
        { by, sort: { column: 'path', direction: 'desc' } },
        { by, filter: { contains: step } },
        { by, filter: { startsWith: step.toUpperCase(), minLength: 1, maxLength: 4 } },
        { by, filter: { endsWith: step } },
        { by, offset: 5000 },
      ] as const) {
        const paths = await warehouse.conversionPaths(filters, 'linear', 5, options)
        const expected = await expectedWarehouse.conversionPaths(filters, 'linear', 5, options)
        expect(withoutDays(paths), JSON.stringify(options)).toEqual(withoutDays(expected))
        expect(paths.totalPaths).toBe(all.totalPaths)
      }
    },
  )

  it('sends every value the person chose as a query parameter, never in the SQL text', async () => {
    const before = standIn.requests.length
    warehouse.invalidateCache()
    const filters: DashboardFilters = {
      lookbackDays: 37,
      conversionEvents: ['begin_checkout', 'add_to_cart'],
      fromDate: '2021-01-13',
      toDate: '2021-01-29',
    }
    await warehouse.channelFlows(filters, ['position_based', 'time_decay'])
    await warehouse.dailyTrends(filters, { days: 27, byChannel: true, models: ['last_non_direct'] })
    await warehouse.report({ ...filters, model: 'last_click', by: 'campaign', channel: "Paid Search' or '1'='1" })
    await warehouse.modelChannelCredits(filters)
    await warehouse.markovTransitions(filters)
    await warehouse.conversionTotals(filters)
    await warehouse.conversionPaths(filters, 'linear', 19, {
      by: 'source',
      offset: 4219,
      filter: { contains: "Email' or 1=1", minLength: 3 },
    })
    await warehouse.recentEvents(17)
    const queries = bodiesOf(standIn.requests.slice(before), /\/queries$/)
    expect(queries.length).toBeGreaterThanOrEqual(8)
    const chosen = [
      '37',
      'begin_checkout',
      'add_to_cart',
      '2021-01-13',
      '2021-01-29',
      '27',
      "Paid Search' or '1'='1",
      'position_based',
      'time_decay',
      'last_non_direct',
      '19',
      '17',
      '4219',
      "Email' or 1=1",
    ]
    for (const body of queries) {
      const sql = String(body.query)
      for (const value of chosen) expect(sql).not.toContain(value)
      expect(body.maximumBytesBilled).toBe(String(SETTINGS.maximumBytesBilled))
      expect(body.useLegacySql).toBe(false)
    }
    const parameters = queries.flatMap(
      (body) => (body.queryParameters ?? []) as Array<{ name: string; parameterType: unknown; parameterValue: unknown }>,
    )
    const byName = (name: string) => parameters.find((parameter) => parameter.name === name)
    expect(byName('lookback')).toEqual({ name: 'lookback', parameterType: { type: 'INT64' }, parameterValue: { value: 37 } })
    expect(byName('events')).toEqual({
      name: 'events',
      parameterType: { type: 'ARRAY', arrayType: { type: 'STRING' } },
      parameterValue: { arrayValues: [{ value: 'begin_checkout' }, { value: 'add_to_cart' }] },
    })
    expect(byName('from_date')?.parameterValue).toEqual({ value: '2021-01-13' })
    expect(byName('channel')?.parameterValue).toEqual({ value: "Paid Search' or '1'='1" })
    expect(byName('model_a')?.parameterValue).toEqual({ value: 'position_based' })
    expect(byName('model_b')?.parameterValue).toEqual({ value: 'time_decay' })
    expect(byName('models')?.parameterValue).toEqual({ arrayValues: [{ value: 'last_non_direct' }] })
    expect(byName('days')?.parameterValue).toEqual({ value: 27 })
    expect(parameters.filter((parameter) => parameter.name === 'limit').map((parameter) => parameter.parameterValue)).toEqual([
      { value: 19 },
      { value: 17 },
    ])
  })

  it('sends no Google credentials to the endpoint', () => {
    expect(standIn.requests.length).toBeGreaterThan(0)
    expect(standIn.requests.every((request) => request.authorization === undefined)).toBe(true)
  })

  it('reuses a cached result for the same query and parameters', async () => {
    warehouse.invalidateCache()
    const filters = FILTER_CASES[1] as DashboardFilters
    const count = () => standIn.requests.filter((request) => request.path.endsWith('/queries')).length
    const first = await warehouse.channelFlows(filters, ['first_click', 'last_click'])
    const after = count()
    expect(await warehouse.channelFlows(filters, ['first_click', 'last_click'])).toEqual(first)
    expect(count()).toBe(after)
    await warehouse.channelFlows({ ...filters, lookbackDays: 2 }, ['first_click', 'last_click'])
    expect(count()).toBe(after + 1)
    await warehouse.channelFlows(filters, ['first_click', 'linear'])
    expect(count()).toBe(after + 2)
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
    const { bigQueryDialect, bigQueryStatement } = await import('./bigquery-sql')
    const { channelFlowsQuery } = await import('../warehouse/mart-sql')
    const dialect = bigQueryDialect({ project: PROJECT, dataset: 'attribution_marts' })
    const estimate = await warehouse.estimate(bigQueryStatement(channelFlowsQuery(dialect, filters, ['linear', 'time_decay'])))
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
    await watched.conversionPaths(FILTER_CASES[0] as DashboardFilters, 'linear', 10)
    expect(seen.length).toBe(1)
    expect(seen[0]).toBeGreaterThan(0)
  })

  it('translates a missing dataset, a permission problem and no network into messages', async () => {
    const filters = FILTER_CASES[0] as DashboardFilters
    const missing = new BigQueryWarehouse({
      settings: { ...SETTINGS, martsDataset: 'nope' },
      credentials: { mode: 'adc' },
      transport: standIn.transport(),
      maxRetries: 0,
    })
    await expect(missing.markovTransitions(filters)).rejects.toThrow(/^Dataset missing: Not found: Dataset acme-analytics:nope/)
    standIn.denyProject('locked-project')
    const denied = new BigQueryWarehouse({
      settings: { ...SETTINGS, projectId: 'locked-project' },
      credentials: { mode: 'adc' },
      transport: standIn.transport(),
      maxRetries: 0,
    })
    await expect(denied.modelChannelCredits(filters)).rejects.toThrow(
      /^Permission denied: the account may not run queries in project locked-project/,
    )
    const offline = new BigQueryWarehouse({
      settings: SETTINGS,
      credentials: { mode: 'adc' },
      transport: { apiEndpoint: 'http://127.0.0.1:9', authClient: standIn.transport().authClient },
      maxRetries: 0,
    })
    await expect(offline.channelFlows(filters, ['first_click', 'last_click'])).rejects.toThrow(
      /^BigQuery cannot be reached: the connection was refused/,
    )
  })
})

describe('streaming into events_intraday_YYYYMMDD', () => {
  it('creates the intraday table, sends ≤500 rows per request with insertId = event_id, and feeds the live view', async () => {
    const before = standIn.requests.length
    const many = [...generateEvents({ seed: 9, users: 60, days: 1, endDate: '2021-01-31', withEventId: true })]
    expect(many.length).toBeGreaterThan(500)
    const report = await insertIntradayEvents([...STREAMED, ...many], {
      client: warehouse.bigQuery(),
      settings: SETTINGS,
      sleep: async () => undefined,
    })
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
      insertIntradayEvents(rows, {
        client: warehouse.bigQuery(),
        settings: { ...SETTINGS, ga4Dataset: 'bigquery-public-data.ga4_obfuscated_sample_ecommerce' },
      }),
    ).rejects.toThrow(/public, read-only sample/)
    await expect(
      insertIntradayEvents(rows, { client: warehouse.bigQuery(), settings: { ...SETTINGS, ga4Dataset: 'someone-else.analytics_1' } }),
    ).rejects.toThrow(/only into a dataset of your own project \(acme-analytics\)/)
    expect(standIn.requests.length).toBe(before)
  })
})
