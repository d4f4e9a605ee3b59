import type { FeedEvent } from '@shared/api'

/** How long a streamed duplicate counts as "just now" and is flagged above the feed. */
export const JUST_NOW_MS = 15_000

/**
 * A key per feed row. A duplicate shares its original's event_key, so it gets a key of its own
 * ("<key>#duplicate", then "#duplicate-2"...) to be a row of its own and to be noticed arriving.
 */
export function feedRowKeys(events: readonly Pick<FeedEvent, 'event_key' | 'delivery'>[]): string[] {
  const seen = new Map<string, number>()
  return events.map((event) => {
    if (event.delivery !== 'duplicate') return event.event_key
    const count = (seen.get(event.event_key) ?? 0) + 1
    seen.set(event.event_key, count)
    return count === 1 ? `${event.event_key}#duplicate` : `${event.event_key}#duplicate-${count}`
  })
}

/** A streamed duplicate that arrived in the last JUST_NOW_MS, with its row key (it sits among older rows by event time). */
export interface RecentDuplicate {
  rowKey: string
  event: FeedEvent
}

/** Duplicates that arrived in the last JUST_NOW_MS, newest arrival first. */
export function recentDuplicates(events: readonly FeedEvent[], arrivedAtMs: ReadonlyMap<string, number>, nowMs: number): RecentDuplicate[] {
  const keys = feedRowKeys(events)
  return events
    .map((event, index) => ({ event, rowKey: keys[index] ?? event.event_key }))
    .filter(({ event, rowKey }) => {
      const at = arrivedAtMs.get(rowKey)
      return event.delivery === 'duplicate' && at !== undefined && nowMs - at < JUST_NOW_MS
    })
    .sort((a, b) => (arrivedAtMs.get(b.rowKey) ?? 0) - (arrivedAtMs.get(a.rowKey) ?? 0))
}

/** The banner above the feed: "1 duplicate just now: purchase" or "2 duplicates just now: purchase, page_view". */
export function recentDuplicatesText(duplicates: readonly RecentDuplicate[]): string {
  const names = duplicates.map(({ event }) => event.event_name)
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '')
  return `${duplicates.length} ${duplicates.length === 1 ? 'duplicate' : 'duplicates'} just now: ${shown}`
}
