import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ga4Event } from '@shared/ga4-event'
import { compareModels } from '../services/model-reports'
import { makeTempDir } from '../testing/fixtures'
import { queryRecentUsers } from '../warehouse/duckdb-queries'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { StreamSource } from './stream-source'
import { OutboxSender, deliverToFile, outboxFor } from './outbox-sender'
import { validateStreamEvent } from './validate-event'
import { eventIdOf } from '../warehouse/event-id'
import { generateSampleData } from '../services/sample-data'

const MICROS_PER_DAY = 86_400_000_000
const LOOKBACK_DAYS = 14
const NOW_MICROS = Date.UTC(2024, 2, 15, 12) * 1000

function param(event: Ga4Event, key: string): string | number | null {
  const value = event.event_params.find((entry) => entry.key === key)?.value
  return value?.string_value ?? value?.int_value ?? null
}

const SEARCH_SITES = new Set(['google', 'bing'])
const SOCIAL_SITES = new Set(['facebook', 'instagram', 'l.facebook.com', 't.co'])

/** GA4's default channel group for the sources the generator uses, written apart from it and dbt. */
function channelGroupOf(landing: Ga4Event | undefined): string {
  const source = landing ? param(landing, 'source') : null
  if (!landing || source === null) return 'Direct'
  const medium = String(param(landing, 'medium')).toLowerCase()
  const campaign = String(param(landing, 'campaign')).toLowerCase()
  const isPaid = /cp|ppc|retargeting|^paid/.test(medium)
  if (/shop/.test(campaign) && isPaid) return 'Paid Shopping'
  if ((SEARCH_SITES.has(String(source)) && isPaid) || param(landing, 'gclid') !== null) return 'Paid Search'
  if (SOCIAL_SITES.has(String(source)) && isPaid) return 'Paid Social'
  if (['display', 'cpm'].includes(medium)) return 'Display'
  if (isPaid) return 'Paid Other'
  if (SOCIAL_SITES.has(String(source)) || medium === 'social') return 'Organic Social'
  if (SEARCH_SITES.has(String(source)) || medium === 'organic') return 'Organic Search'
  if (medium === 'referral') return 'Referral'
  if (medium === 'email') return 'Email'
  if (medium === 'affiliate') return 'Affiliates'
  return 'Unassigned'
}

interface Session {
  userPseudoId: string
  startedAt: number
  channel: string
  events: Ga4Event[]
}

/** Sessions (user + ga_session_id) of a list of events, each with the channel of its first sourced hit. */
function sessionsOf(events: Ga4Event[]): Session[] {
  const byKey = new Map<string, Ga4Event[]>()
  for (const event of events) {
    const key = `${event.user_pseudo_id}|${param(event, 'ga_session_id')}`
    byKey.set(key, [...(byKey.get(key) ?? []), event])
  }
  return [...byKey.values()].map((sessionEvents) => ({
    userPseudoId: String(sessionEvents[0]?.user_pseudo_id),
    startedAt: Math.min(...sessionEvents.map((event) => event.event_timestamp)),
    channel: channelGroupOf(sessionEvents.find((event) => param(event, 'source') !== null) ?? sessionEvents[0]),
    events: sessionEvents,
  }))
}

/** Purchases of a burst whose buyer had an earlier session of the burst, within the lookback, from another channel. */
function movedPurchases(burst: Ga4Event[]): Ga4Event[] {
  const sessions = sessionsOf(burst)
  return burst.filter((event) => {
    if (event.event_name !== 'purchase') return false
    const converting = sessions.find((session) => session.events.includes(event))
    return sessions.some(
      (earlier) =>
        converting !== undefined &&
        earlier.userPseudoId === converting.userPseudoId &&
        earlier.startedAt < converting.startedAt &&
        earlier.startedAt >= event.event_timestamp - LOOKBACK_DAYS * MICROS_PER_DAY &&
        earlier.channel !== converting.channel,
    )
  })
}

describe('StreamSource demo bursts', () => {
  it('puts in every burst a purchase whose first visit, within 14 days, came from another channel', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      let now = NOW_MICROS
      const source = new StreamSource({ seed, nowMicros: () => now })
      const ids = new Set<string>()
      const transactions = new Set<string>()
      for (const count of [5, 10, 20]) {
        now += 30_000_000
        const burst = source.next(count, 'demo')
        expect(burst.map(validateStreamEvent).filter(Boolean)).toEqual([])
        const times = burst.map((event) => event.event_timestamp)
        expect(times).toEqual([...times].sort((a, b) => a - b))
        for (const event of burst) {
          const id = eventIdOf(event) ?? ''
          expect(ids.has(id), `event id ${id} repeated`).toBe(false)
          ids.add(id)
        }
        const moved = movedPurchases(burst)
        expect(moved.length, `seed ${seed}, burst of ${count}`).toBeGreaterThanOrEqual(1)
        for (const purchase of moved) {
          const transactionId = String(param(purchase, 'transaction_id'))
          expect(purchase.ecommerce?.transaction_id).toBe(transactionId)
          expect(transactions.has(transactionId)).toBe(false)
          transactions.add(transactionId)
          expect(purchase.ecommerce?.purchase_revenue_in_usd).toBeGreaterThan(0)
          expect(Number(param(purchase, 'ga_session_number'))).toBeGreaterThan(1)
        }
        // The live part is still `count` events of now; the first visit of the journey is back-dated.
        expect(burst.filter((event) => event.event_timestamp > now - MICROS_PER_DAY / 2).length).toBeGreaterThan(count)
        expect(Math.min(...times)).toBeGreaterThanOrEqual(now - 3 * MICROS_PER_DAY)
      }
    }
  })

  it('credits the demo visitor first to Organic Search or Email, and last to Paid Search', () => {
    const source = new StreamSource({ seed: 11, nowMicros: () => NOW_MICROS })
    for (let burst = 0; burst < 20; burst++) {
      const sessions = sessionsOf(source.next(10, 'demo'))
      const [purchase] = movedPurchases(sessions.flatMap((session) => session.events))
      const buyer = sessions
        .filter((session) => session.userPseudoId === purchase?.user_pseudo_id)
        .sort((a, b) => a.startedAt - b.startedAt)
      expect(buyer.map((session) => session.channel)).toEqual([expect.stringMatching(/^(Organic Search|Email)$/), 'Paid Search'])
      expect(buyer[0]?.events.some((event) => event.event_name === 'purchase')).toBe(false)
    }
  })

  it('replays a seeded demo stream with the same event and transaction ids', () => {
    const run = () => {
      const source = new StreamSource({ seed: 9, nowMicros: () => NOW_MICROS, mode: 'demo' })
      return [source.next(8), source.next(8, { mode: 'demo' })].flat()
    }
    const first = run()
    expect(run()).toEqual(first)
    expect(first.filter((event) => event.event_name === 'purchase').map((event) => param(event, 'transaction_id'))).toEqual(
      expect.arrayContaining(['T-seed-9-1', 'T-seed-9-2']),
    )
  })

  it('keeps realistic bursts as they were: `count` events of now, unless demo is asked for', () => {
    const burst = (mode?: 'realistic') => new StreamSource({ seed: 5, nowMicros: () => NOW_MICROS }).next(12, mode)
    const realistic = burst()
    expect(burst('realistic')).toEqual(realistic)
    expect(realistic).toHaveLength(12)
    expect(realistic.every((event) => event.event_timestamp >= NOW_MICROS - 12 && event.event_timestamp < NOW_MICROS)).toBe(true)
  })
})

/** Conversions at the default lookback whose first-click channel differs from their last-click one, as the dashboard counts them. */
async function movedConversions(warehouse: EmbeddedWarehouse): Promise<number> {
  const compared = await compareModels(warehouse, {
    lookbackDays: LOOKBACK_DAYS,
    conversionEvents: ['purchase'],
    models: ['first_click', 'last_click'],
  })
  return compared.moved_conversions
}

describe('demo bursts through dbt', () => {
  const temp = makeTempDir('demo-burst')
  const path = join(temp.dir, 'warehouse.duckdb')
  const warehouse = new EmbeddedWarehouse(path)

  beforeAll(async () => {
    await generateSampleData(warehouse, { seed: 31, users: 300, days: 20, endDate: new Date().toISOString().slice(0, 10) })
    assertDbtSucceeded(await warehouse.build({}))
  })
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  it('raises the moved conversions by at least one per burst after each incremental refresh', async () => {
    const knownUsers = await warehouse.writeSession((file) => queryRecentUsers(file.connection, 200))
    const source = new StreamSource({ knownUsers })
    const send = (events: Ga4Event[]) =>
      warehouse.writeSession((file) => new OutboxSender(deliverToFile(file), outboxFor(path)).send(events))
    const moved = [await movedConversions(warehouse)]
    let burst: Ga4Event[] = []
    for (let round = 0; round < 2; round++) {
      burst = source.next(10, 'demo')
      const result = await send(burst)
      expect(result.rejected).toEqual([])
      expect(result.deliveries.flatMap((delivery) => delivery.addedEventIds)).toHaveLength(burst.length)
      assertDbtSucceeded(await warehouse.build({ command: 'run' }))
      moved.push(await movedConversions(warehouse))
    }
    const [before = 0, afterFirst = 0, afterSecond = 0] = moved
    expect(afterFirst).toBeGreaterThanOrEqual(before + 1)
    expect(afterSecond).toBeGreaterThanOrEqual(afterFirst + 1)

    const replay = await send(burst)
    expect(replay.deliveries.flatMap((delivery) => delivery.addedEventIds)).toEqual([])
    expect(replay.deliveries.flatMap((delivery) => delivery.duplicateEventIds)).toHaveLength(burst.length)
  })
})
