import { describe, expect, it } from 'vitest'
import type { Ga4Event } from '@shared/ga4-event'
import { createRng } from './rng'
import { generateSession } from './session'
import { createUser } from './user'

const START = Date.UTC(2024, 2, 1, 12) * 1000
const HOUR = 3_600_000_000

const param = (event: Ga4Event, key: string) => event.event_params.find((p) => p.key === key)?.value

describe('generateSession', () => {
  it('continues a known user: session numbers increase and only the first session has first_visit', () => {
    const rng = createRng(5)
    const user = createUser(rng, START)
    const first = generateSession(rng, user, START, { isClean: true })
    const second = generateSession(rng, user, START + 30 * HOUR, { isClean: true })
    expect(first.filter((e) => e.event_name === 'first_visit')).toHaveLength(1)
    expect(second.some((e) => e.event_name === 'first_visit')).toBe(false)
    expect(new Set(first.map((e) => param(e, 'ga_session_number')?.int_value))).toEqual(new Set([1]))
    expect(new Set(second.map((e) => param(e, 'ga_session_number')?.int_value))).toEqual(new Set([2]))
    expect(param(second[0]!, 'ga_session_id')?.int_value).toBe(Math.floor((START + 30 * HOUR) / 1e6))
    expect(user.sessionCount).toBe(2)
    expect(first[0]!.user_first_touch_timestamp).toBe(START)
    expect(second[0]!.traffic_source).toEqual(first[0]!.traffic_source)
  })

  it('ends in a purchase with the given transaction id when asked, even for a reluctant buyer', () => {
    const rng = createRng(8)
    for (let i = 0; i < 100; i++) {
      const user = createUser(rng, START)
      user.purchaseAffinity = 0
      const events = generateSession(rng, user, START, { purchase: { transactionId: `T-test-${i}` } })
      // Not clean: a double-fired tag may repeat the purchase, but never loses its id.
      const purchases = events.filter((e) => e.event_name === 'purchase')
      expect(purchases.length).toBeGreaterThanOrEqual(1)
      for (const purchase of purchases) {
        expect(param(purchase, 'transaction_id')?.string_value).toBe(`T-test-${i}`)
        expect(purchase.ecommerce?.transaction_id).toBe(`T-test-${i}`)
        expect(purchase.ecommerce?.purchase_revenue_in_usd).toBeGreaterThan(0)
      }
    }
  })

  it('keeps events in time order starting at the session start', () => {
    const rng = createRng(6)
    for (let i = 0; i < 200; i++) {
      const user = createUser(rng, START)
      const events = generateSession(rng, user, START, { isClean: true })
      expect(events[0]!.event_timestamp).toBe(START)
      for (let j = 1; j < events.length; j++) expect(events[j]!.event_timestamp).toBeGreaterThanOrEqual(events[j - 1]!.event_timestamp)
    }
  })

  it('adds a stable event_id per row when asked, and none otherwise', () => {
    const make = (withEventId: boolean): Ga4Event[] => {
      const rng = createRng(9)
      return generateSession(rng, createUser(rng, START), START, { withEventId, isClean: true })
    }
    const ids = make(true).map((e) => param(e, 'event_id')?.string_value)
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    expect(make(true).map((e) => param(e, 'event_id')?.string_value)).toEqual(ids)
    expect(make(false).some((e) => param(e, 'event_id') !== undefined)).toBe(false)
  })

  it('emits no duplicates, double fires or (not set) ids when clean', () => {
    const rng = createRng(10)
    for (let i = 0; i < 3000; i++) {
      const lines = generateSession(rng, createUser(rng, START), START, { isClean: true }).map((e) => JSON.stringify(e))
      expect(new Set(lines).size).toBe(lines.length)
      expect(lines.filter((line) => line.includes('"event_name":"purchase"')).length).toBeLessThanOrEqual(1)
      expect(lines.some((line) => line.includes('"transaction_id":"(not set)"'))).toBe(false)
    }
  })
})
