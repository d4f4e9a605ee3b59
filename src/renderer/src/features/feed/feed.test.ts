import type { FeedEvent } from '@shared/api'
import { describe, expect, it } from 'vitest'
import { JUST_NOW_MS, feedRowKeys, recentDuplicates, recentDuplicatesText } from './feed'

const row = (key: string, patch: Partial<FeedEvent> = {}): FeedEvent => ({
  event_key: key,
  event_at: '2026-11-26T12:00:00Z',
  event_name: 'page_view',
  user_pseudo_id: 'u1',
  source: null,
  medium: null,
  value_usd: null,
  is_intraday: true,
  delivery: null,
  first_click_channel: null,
  last_click_channel: null,
  ...patch,
})

describe('feedRowKeys', () => {
  it('gives a duplicate a key of its own beside its original', () => {
    const events = [row('a', { delivery: 'new' }), row('b'), row('a', { delivery: 'duplicate' }), row('a', { delivery: 'duplicate' })]
    expect(feedRowKeys(events)).toEqual(['a', 'b', 'a#duplicate', 'a#duplicate-2'])
  })
})

describe('recentDuplicates', () => {
  // Rows by event time: the replayed purchase is older than the burst just sent, so it sits below it.
  const events = [
    row('new-1', { delivery: 'new' }),
    row('old', { delivery: 'new' }),
    row('old', { delivery: 'duplicate', event_name: 'purchase' }),
  ]

  it('flags a duplicate that just arrived, wherever its event time puts it', () => {
    const arrived = new Map([
      ['new-1', 1_000],
      ['old#duplicate', 1_000],
    ])
    const found = recentDuplicates(events, arrived, 2_000)
    expect(found.map((duplicate) => duplicate.rowKey)).toEqual(['old#duplicate'])
    expect(recentDuplicatesText(found)).toBe('1 duplicate just now: purchase')
  })

  it('forgets it after a while, and knows nothing of duplicates of the first load', () => {
    expect(recentDuplicates(events, new Map([['old#duplicate', 1_000]]), 1_000 + JUST_NOW_MS)).toEqual([])
    expect(recentDuplicates(events, new Map(), 1_000)).toEqual([])
  })

  it('counts several and names the first three', () => {
    const many = ['a', 'b', 'c', 'd'].map((key) => row(key, { delivery: 'duplicate' }))
    const arrived = new Map(feedRowKeys(many).map((key) => [key, 0]))
    expect(recentDuplicatesText(recentDuplicates(many, arrived, 0))).toBe(
      '4 duplicates just now: page_view, page_view, page_view and 1 more',
    )
  })
})
