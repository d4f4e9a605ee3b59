import type { FeedEvent } from '@shared/api'
import { STREAM_BURST_DEFAULT, STREAM_BURST_MAX, STREAM_BURST_MIN, STREAM_RATE_MAX, STREAM_RATE_MIN } from '@shared/api'
import { describe, expect, it } from 'vitest'
import {
  BURST_SIZES,
  STREAM_RATE_DEFAULT,
  burstResultMessage,
  clampBurstSize,
  clampRate,
  creditOf,
  creditText,
  deliveryBadge,
} from './stream'

const conversion = (patch: Partial<FeedEvent> = {}) => ({
  event_name: 'purchase',
  event_at: '2026-11-26T12:00:00Z',
  delivery: null as FeedEvent['delivery'],
  first_click_channel: null as string | null,
  last_click_channel: null as string | null,
  ...patch,
})
const NO_REFRESH_DUE = {
  conversionEvents: ['purchase', 'begin_checkout', 'add_to_cart'],
  isRefreshPending: false,
  lastRefreshAtMs: 1_000,
  arrivedAtMs: undefined,
}

describe('burstResultMessage', () => {
  it('says how many events were sent, new and duplicate', () => {
    expect(burstResultMessage({ queued: 10, added: 9, duplicates: 1, rejected: 0 })).toBe('10 events sent: 9 new, 1 duplicate')
    expect(burstResultMessage({ queued: 5, added: 5, duplicates: 0, rejected: 0 })).toBe('5 events sent: 5 new, 0 duplicates')
    expect(burstResultMessage({ queued: 1, added: 0, duplicates: 1, rejected: 0 })).toBe('1 event sent: 0 new, 1 duplicate')
  })

  it('mentions rejected events only when there are any, counting them as sent', () => {
    expect(burstResultMessage({ queued: 9, added: 7, duplicates: 2, rejected: 1 })).toBe('10 events sent: 7 new, 2 duplicates, 1 rejected')
  })

  it('says the total a demo burst sent, and its returning visitor apart from the burst size', () => {
    expect(burstResultMessage({ queued: 34, added: 34, duplicates: 0, rejected: 0, replayed: 0, demoJourney: 24 })).toBe(
      "34 events sent: 10 + a returning visitor's journey (24 events)",
    )
    expect(burstResultMessage({ queued: 35, added: 34, duplicates: 1, rejected: 0, replayed: 1, demoJourney: 24 })).toBe(
      "35 events sent: 10 + a returning visitor's journey (24 events) + 1 duplicate replayed",
    )
  })

  it('says a replayed event of the previous burst apart from the burst itself', () => {
    expect(burstResultMessage({ queued: 11, added: 10, duplicates: 1, rejected: 0, replayed: 1 })).toBe(
      '11 events sent: 10 + 1 duplicate replayed',
    )
    expect(burstResultMessage({ queued: 11, added: 9, duplicates: 2, rejected: 0, replayed: 1 })).toBe(
      '11 events sent: 10 + 1 duplicate replayed (9 new, 2 duplicates)',
    )
    expect(burstResultMessage({ queued: 10, added: 10, duplicates: 0, rejected: 0, replayed: 0 })).toBe(
      '10 events sent: 10 new, 0 duplicates',
    )
  })
})

describe('stream bounds', () => {
  it('offers every burst size the contract allows, with the default among them', () => {
    expect(BURST_SIZES[0]).toBe(STREAM_BURST_MIN)
    expect(BURST_SIZES.at(-1)).toBe(STREAM_BURST_MAX)
    expect(BURST_SIZES).toContain(STREAM_BURST_DEFAULT)
  })

  it('clamps sizes and rates to whole numbers inside the bounds', () => {
    expect(clampBurstSize(STREAM_BURST_MAX + 5)).toBe(STREAM_BURST_MAX)
    expect(clampBurstSize(Number.NaN)).toBe(STREAM_BURST_DEFAULT)
    expect(clampRate(0)).toBe(STREAM_RATE_MIN)
    expect(clampRate(STREAM_RATE_MAX * 2)).toBe(STREAM_RATE_MAX)
    expect(clampRate(7.6)).toBe(8)
    expect(clampRate(Number.NaN)).toBe(STREAM_RATE_DEFAULT)
  })
})

describe('deliveryBadge', () => {
  it('shows new and duplicate, nothing for stored events', () => {
    expect(deliveryBadge({ delivery: 'new' })).toBe('new')
    expect(deliveryBadge({ delivery: 'duplicate' })).toBe('duplicate')
    expect(deliveryBadge({ delivery: null })).toBeUndefined()
  })
})

describe('creditOf', () => {
  it('names both models’ channels for an attributed conversion', () => {
    const credit = creditOf(conversion({ first_click_channel: 'Organic Search', last_click_channel: 'Referral' }), NO_REFRESH_DUE)
    expect(credit).toEqual({ kind: 'credited', first: 'Organic Search', last: 'Referral' })
    expect(creditText(credit!)).toBe('first: Organic Search · last: Referral')
  })

  it('credits nothing for events that are no conversion', () => {
    expect(
      creditOf(conversion({ event_name: 'page_view', first_click_channel: 'Direct', last_click_channel: 'Direct' }), NO_REFRESH_DUE),
    ).toBeUndefined()
  })

  it('says "attributing…" for a conversion without channels while a refresh is due or when it arrived after the last one', () => {
    expect(creditOf(conversion(), { ...NO_REFRESH_DUE, isRefreshPending: true })).toEqual({ kind: 'attributing' })
    expect(creditOf(conversion(), { ...NO_REFRESH_DUE, arrivedAtMs: 2_000 })).toEqual({ kind: 'attributing' })
    expect(creditOf(conversion(), { ...NO_REFRESH_DUE, lastRefreshAtMs: null, arrivedAtMs: 2_000 })).toEqual({ kind: 'attributing' })
    expect(creditText({ kind: 'attributing' })).toBe('attributing…')
  })

  it('takes a streamed conversion’s send time when this window did not see it arrive', () => {
    const sentAtMs = Date.parse('2026-11-26T12:00:00Z')
    const streamed = conversion({ delivery: 'new' })
    expect(creditOf(streamed, { ...NO_REFRESH_DUE, lastRefreshAtMs: sentAtMs - 1 })).toEqual({ kind: 'attributing' })
    expect(creditOf(streamed, { ...NO_REFRESH_DUE, lastRefreshAtMs: sentAtMs + 1 })).toBeUndefined()
  })

  it('shows nothing for a conversion the last refresh already saw and left without channels, nor for a duplicate', () => {
    expect(creditOf(conversion(), NO_REFRESH_DUE)).toBeUndefined()
    expect(creditOf(conversion(), { ...NO_REFRESH_DUE, arrivedAtMs: 500 })).toBeUndefined()
    expect(creditOf(conversion({ delivery: 'duplicate' }), { ...NO_REFRESH_DUE, isRefreshPending: true })).toBeUndefined()
  })
})
