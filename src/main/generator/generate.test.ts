import { DuckDBInstance } from '@duckdb/node-api'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ga4Event, Ga4ParamValue } from '@shared/ga4-event'
import { ga4JsonColumns } from '../warehouse/ga4-schema'
import { CHANNELS } from './channels'
import { generateEvents, GENERATOR_SCALES, type GenerateOptions, windowOf } from './generate'
import { DUPLICATE_EVENT_RATE } from './session'

const SAMPLE: GenerateOptions = { seed: 20240331, users: 4000, days: 60, endDate: '2024-03-31' }
let events: Ga4Event[] = []
let lines: string[] = []

beforeAll(() => {
  events = [...generateEvents(SAMPLE)]
  lines = events.map((event) => JSON.stringify(event))
})

const param = (event: Ga4Event, key: string): Ga4ParamValue | undefined => event.event_params.find((p) => p.key === key)?.value
const isSafeInt = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value)
const utcDay = (micros: number): string => new Date(micros / 1000).toISOString().slice(0, 10).replaceAll('-', '')
const sessionKey = (event: Ga4Event): string => `${event.user_pseudo_id}/${param(event, 'ga_session_id')?.int_value}`
const landingViews = (): Ga4Event[] => events.filter((e) => e.event_name === 'page_view' && param(e, 'entrances') !== undefined)

describe('generateEvents', () => {
  it('is deterministic for the same options and changes with the seed', () => {
    const run = (seed: number): string => [...generateEvents({ ...SAMPLE, users: 200, seed })].map((e) => JSON.stringify(e)).join('\n')
    expect(run(1)).toBe(run(1))
    expect(run(1)).not.toBe(run(2))
  })

  it('gives every event the required fields with their export types', () => {
    // Collect problems instead of asserting per row: tens of thousands of expect() calls are slow.
    const problems = new Set<string>()
    const check = (isOk: boolean, problem: string): void => {
      if (!isOk) problems.add(problem)
    }
    for (const event of events) {
      check(/^\d{8}$/.test(event.event_date) && event.event_date === utcDay(event.event_timestamp), 'event_date is not the UTC day')
      check(isSafeInt(event.event_timestamp), 'event_timestamp')
      check(isSafeInt(event.event_bundle_sequence_id), 'event_bundle_sequence_id')
      check(isSafeInt(event.user_first_touch_timestamp), 'user_first_touch_timestamp')
      check(/^\d+\.\d{10}$/.test(event.user_pseudo_id), 'user_pseudo_id')
      check(event.platform === 'WEB', 'platform')
      check(Boolean(event.traffic_source?.source && event.traffic_source.medium && event.traffic_source.name), 'traffic_source')
      check(/^(desktop|mobile|tablet)$/.test(event.device?.category ?? ''), 'device.category')
      check(Boolean(event.geo?.country && event.geo.continent), 'geo')
      check(isSafeInt(param(event, 'ga_session_id')?.int_value), 'ga_session_id')
      check(isSafeInt(param(event, 'ga_session_number')?.int_value), 'ga_session_number')
      check(/^https:\/\//.test(param(event, 'page_location')?.string_value ?? ''), 'page_location')
      check(Boolean(param(event, 'page_title')?.string_value), 'page_title')
      for (const { key, value } of event.event_params) {
        const set = [value.string_value, value.int_value, value.float_value, value.double_value].filter((v) => v !== null)
        check(set.length === 1, `param ${key} has ${set.length} values`)
        if (value.int_value !== null) check(isSafeInt(value.int_value), `param ${key} int_value`)
      }
      for (const item of event.items) check(isSafeInt(item.quantity), 'items.quantity')
    }
    expect([...problems]).toEqual([])
  })

  it('keeps every event inside [first day, endDate]', () => {
    const { startMicros, endBeforeMicros } = windowOf(SAMPLE)
    expect(new Date(startMicros / 1000).toISOString()).toBe('2024-02-01T00:00:00.000Z')
    const dates = events.map((e) => e.event_date).sort()
    expect(dates[0]! >= '20240201').toBe(true)
    expect(dates[dates.length - 1]! <= '20240331').toBe(true)
    expect(events.every((e) => e.event_timestamp >= startMicros && e.event_timestamp < endBeforeMicros)).toBe(true)
  })

  it('sets ga_session_id to the session start second and numbers sessions 1..n per user', () => {
    const sessionsByUser = new Map<string, Map<number, number>>()
    for (const event of events.filter((e) => e.event_name === 'session_start')) {
      const sessionId = param(event, 'ga_session_id')?.int_value ?? -1
      expect(sessionId).toBe(Math.floor(event.event_timestamp / 1e6))
      const sessions = sessionsByUser.get(event.user_pseudo_id) ?? new Map<number, number>()
      sessions.set(sessionId, param(event, 'ga_session_number')?.int_value ?? -1)
      sessionsByUser.set(event.user_pseudo_id, sessions)
    }
    for (const sessions of sessionsByUser.values()) {
      const numbers = [...sessions.entries()].sort(([a], [b]) => a - b).map(([, number]) => number)
      expect(numbers).toEqual(numbers.map((_, index) => index + 1))
    }
    const counts = [...sessionsByUser.values()].map((sessions) => sessions.size)
    expect(counts.filter((n) => n === 1).length / counts.length).toBeGreaterThan(0.5)
    expect(counts.some((n) => n >= 5)).toBe(true)
    const firstVisits = events.filter((e) => e.event_name === 'first_visit')
    expect(firstVisits.every((e) => param(e, 'ga_session_number')?.int_value === 1)).toBe(true)
  })

  it('records purchases with USD revenue of at most two decimals that matches the items', () => {
    const purchases = events.filter((e) => e.event_name === 'purchase')
    expect(purchases.length).toBeGreaterThan(0)
    for (const purchase of purchases) {
      const revenue = purchase.ecommerce?.purchase_revenue_in_usd ?? Number.NaN
      expect(revenue).toBeGreaterThan(0)
      expect(Math.round(revenue * 100) / 100).toBe(revenue)
      expect(String(revenue)).toMatch(/^\d+(\.\d{1,2})?$/)
      const itemCents = purchase.items.reduce((sum, item) => sum + Math.round((item.item_revenue_in_usd ?? 0) * 100), 0)
      expect(itemCents).toBe(Math.round(revenue * 100))
      expect(param(purchase, 'currency')?.string_value).toBe('USD')
      const transactionId = purchase.ecommerce?.transaction_id
      if (transactionId === '(not set)') continue
      expect(transactionId).toMatch(/^T\d+$/)
      expect(param(purchase, 'transaction_id')?.string_value).toBe(transactionId)
      expect(param(purchase, 'value')?.double_value).toBe(revenue)
    }
    const sessions = new Set(events.filter((e) => e.event_name === 'session_start').map(sessionKey))
    const buyingSessions = new Set(purchases.map(sessionKey))
    const checkoutSessions = new Set(events.filter((e) => e.event_name === 'begin_checkout').map(sessionKey))
    const cartSessions = new Set(events.filter((e) => e.event_name === 'add_to_cart').map(sessionKey))
    const rate = buyingSessions.size / sessions.size
    expect(rate).toBeGreaterThan(0.005)
    expect(rate).toBeLessThan(0.06)
    expect(checkoutSessions.size).toBeGreaterThan(buyingSessions.size)
    expect(cartSessions.size).toBeGreaterThan(checkoutSessions.size)
  })

  it('has the export mess: (not set) transaction ids and double-fired purchases of the same user', () => {
    const purchases = events.filter((e) => e.event_name === 'purchase')
    expect(purchases.some((e) => e.ecommerce?.transaction_id === '(not set)')).toBe(true)
    const firstByTransaction = new Map<string, Ga4Event>()
    let doubleFired = 0
    for (const purchase of purchases) {
      const transactionId = purchase.ecommerce?.transaction_id ?? ''
      if (transactionId === '(not set)') continue
      const earlier = firstByTransaction.get(transactionId)
      if (earlier === undefined) {
        firstByTransaction.set(transactionId, purchase)
      } else if (earlier.event_timestamp !== purchase.event_timestamp) {
        expect(purchase.user_pseudo_id).toBe(earlier.user_pseudo_id)
        expect(purchase.event_timestamp - earlier.event_timestamp).toBeGreaterThanOrEqual(1_000_000)
        expect(purchase.event_timestamp - earlier.event_timestamp).toBeLessThan(2_000_000)
        doubleFired++
      }
    }
    expect(doubleFired).toBeGreaterThan(0)
  })

  it('duplicates about DUPLICATE_EVENT_RATE of rows exactly', () => {
    const duplicates = lines.length - new Set(lines).size
    const share = duplicates / lines.length
    expect(share).toBeGreaterThan(DUPLICATE_EVENT_RATE * 0.6)
    expect(share).toBeLessThan(DUPLICATE_EVENT_RATE * 1.5)
  })

  it('puts source params on the landing page_view only, never on session_start, and none for direct', () => {
    expect(events.filter((e) => e.event_name === 'session_start').some((e) => param(e, 'source') !== undefined)).toBe(false)
    const landings = landingViews()
    const direct = landings.filter((e) => param(e, 'source') === undefined)
    expect(direct.length / landings.length).toBeGreaterThan(0.1)
    expect(direct.length / landings.length).toBeLessThan(0.4)
    for (const event of landings) {
      const source = param(event, 'source')?.string_value
      const medium = param(event, 'medium')?.string_value
      expect(param(event, 'gclid') !== undefined).toBe(source === 'google' && medium === 'cpc')
      if (source !== undefined) expect(param(event, 'campaign')?.string_value).toBeTruthy()
    }
  })

  it('contains every channel, with google and bing both organic and paid', () => {
    const pairs = new Set(
      landingViews().map((e) => `${param(e, 'source')?.string_value ?? '(direct)'}/${param(e, 'medium')?.string_value ?? '(none)'}`),
    )
    const mediumOf = (pair: string): string => pair.split('/')[1] ?? ''
    const has = (test: (pair: string) => boolean): boolean => [...pairs].some(test)
    const expected: Record<(typeof CHANNELS)[number], (pair: string) => boolean> = {
      organic_search: (p) => mediumOf(p) === 'organic',
      paid_search: (p) => p === 'google/cpc' || p === 'bing/cpc',
      direct: (p) => p === '(direct)/(none)',
      referral: (p) => mediumOf(p) === 'referral' && !/facebook|instagram|t\.co/.test(p),
      email: (p) => p === 'newsletter/email',
      organic_social: (p) => /^(l\.facebook\.com|instagram\.com|t\.co)\/(referral|social)$/.test(p),
      paid_social: (p) => /^(facebook|instagram)\/(paid_social|cpc)$/.test(p),
      affiliate: (p) => mediumOf(p) === 'affiliate',
      display: (p) => mediumOf(p) === 'display' || mediumOf(p) === 'cpm',
    }
    for (const channel of CHANNELS) expect(has(expected[channel]), channel).toBe(true)
    for (const pair of ['google/organic', 'bing/organic', 'google/cpc', 'bing/cpc']) expect(pairs.has(pair), pair).toBe(true)
  })

  it("sets traffic_source to the user's first-touch source and brings returning users back direct", () => {
    const firstLanding = new Map<string, Ga4Event>()
    for (const event of landingViews())
      if (param(event, 'ga_session_number')?.int_value === 1) firstLanding.set(event.user_pseudo_id, event)
    for (const event of events) {
      const landing = firstLanding.get(event.user_pseudo_id)
      if (landing === undefined) continue
      expect(event.traffic_source?.source).toBe(param(landing, 'source')?.string_value ?? '(direct)')
    }
    const returningDirect = landingViews().filter(
      (e) => (param(e, 'ga_session_number')?.int_value ?? 0) > 1 && param(e, 'source') === undefined,
    )
    expect(returningDirect.length).toBeGreaterThan(0)
  })

  it('reports progress up to the total', () => {
    const calls: Array<[number, number]> = []
    for (const _event of generateEvents({ ...SAMPLE, users: 500, onProgress: (done, total) => calls.push([done, total]) })) {
      // drain
    }
    expect(calls[calls.length - 1]).toEqual([500, 500])
    expect(calls.every(([done], index) => index === 0 || done > calls[index - 1]![0])).toBe(true)
  })

  it('streams: the first events of the ga4 scale arrive before most users are generated', () => {
    let doneUsers = 0
    const stream = generateEvents({ seed: 1, ...GENERATOR_SCALES.ga4, endDate: '2021-01-31', onProgress: (done) => (doneUsers = done) })
    for (let i = 0; i < 50_000; i++) stream.next()
    expect(doneUsers).toBeGreaterThan(0)
    expect(doneUsers).toBeLessThan(GENERATOR_SCALES.ga4.users / 10)
  })

  it('generates the default scale with every user present', () => {
    const users = new Set<string>()
    for (const event of generateEvents({ seed: 7, ...GENERATOR_SCALES.default, endDate: '2024-03-31' })) users.add(event.user_pseudo_id)
    expect(users.size).toBe(GENERATOR_SCALES.default.users)
  })

  it('rejects an endDate that is not a real day', () => {
    expect(() => generateEvents({ ...SAMPLE, endDate: '2024-02-30' }).next()).toThrow(/endDate/)
  })
})

describe('generated rows in DuckDB', () => {
  let directory = ''
  afterAll(() => rmSync(directory, { recursive: true, force: true }))

  it("read with the warehouse's GA4 column types", async () => {
    directory = mkdtempSync(join(tmpdir(), 'ga4-generator-'))
    const file = join(directory, 'events.ndjson')
    writeFileSync(file, `${lines.join('\n')}\n`)
    const instance = await DuckDBInstance.create(':memory:')
    const connection = await instance.connect()
    const reader = await connection.runAndReadAll(
      `select count(*)::integer as row_count,
        round(sum(ecommerce.purchase_revenue_in_usd) * 100)::bigint as revenue_cents,
        count(distinct user_pseudo_id)::integer as user_count
      from read_json('${file}', format = 'newline_delimited', columns = ${ga4JsonColumns()})`,
    )
    const [row] = reader.getRowObjectsJson()
    const revenueCents = events.reduce((sum, e) => sum + Math.round((e.ecommerce?.purchase_revenue_in_usd ?? 0) * 100), 0)
    expect(row).toEqual({ row_count: lines.length, revenue_cents: String(revenueCents), user_count: SAMPLE.users })
    connection.closeSync()
    instance.closeSync()
  })
})
