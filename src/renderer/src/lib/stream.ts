import type { FeedEvent, StreamBurstResult } from '@shared/api'
import { STREAM_BURST_DEFAULT, STREAM_BURST_MAX, STREAM_BURST_MIN, STREAM_RATE_MAX, STREAM_RATE_MIN } from '@shared/api'

/** Rate the continuous mode starts with, in events per second. */
export const STREAM_RATE_DEFAULT = 5

/** Burst sizes the size select offers: every whole number the contract allows. */
export const BURST_SIZES: readonly number[] = Array.from(
  { length: STREAM_BURST_MAX - STREAM_BURST_MIN + 1 },
  (_, index) => STREAM_BURST_MIN + index,
)

/** A whole number inside [min, max]; anything that is no number falls back. */
function clampWhole(value: number, min: number, max: number, fallback: number): number {
  if (!Number.isFinite(value)) return fallback
  return Math.min(max, Math.max(min, Math.round(value)))
}

/** A burst size the main process accepts. */
export function clampBurstSize(value: number): number {
  return clampWhole(value, STREAM_BURST_MIN, STREAM_BURST_MAX, STREAM_BURST_DEFAULT)
}

/** A continuous rate the main process accepts. */
export function clampRate(value: number): number {
  return clampWhole(value, STREAM_RATE_MIN, STREAM_RATE_MAX, STREAM_RATE_DEFAULT)
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

/**
 * What a burst did, in one line: "10 events sent: 9 new, 1 duplicate", with rejected events only when there are
 * any. A burst that replayed an event of the previous one, or brought a returning visitor, says the total and its
 * parts: "11 events sent: 10 + 1 duplicate replayed".
 */
export function burstResultMessage(result: StreamBurstResult): string {
  // `queued` counts the events the outbox took; rejected ones were sent too, and said no to.
  const sent = result.queued + result.rejected
  const replayed = result.replayed ?? 0
  const journey = result.demoJourney ?? 0
  const parts = [`${result.added} new`, plural(result.duplicates, 'duplicate', 'duplicates')]
  if (result.rejected > 0) parts.push(`${result.rejected} rejected`)
  if (replayed === 0 && journey === 0) return `${plural(sent, 'event', 'events')} sent: ${parts.join(', ')}`
  const extras = [
    ...(journey > 0 ? [`a returning visitor's journey (${plural(journey, 'event', 'events')})`] : []),
    ...(replayed > 0 ? [`${plural(replayed, 'duplicate', 'duplicates')} replayed`] : []),
  ]
  // The total first: what was sent in all, then what it was made of.
  const headline = `${plural(sent, 'event', 'events')} sent: ${sent - replayed - journey} + ${extras.join(' + ')}`
  // The usual case needs no breakdown: every event of the burst new, every replayed one recognised.
  const isAsExpected = result.added === sent - replayed && result.duplicates === replayed && result.rejected === 0
  return isAsExpected ? headline : `${headline} (${parts.join(', ')})`
}

/** The delivery badge of a feed row, or undefined for events that were already stored. */
export function deliveryBadge(event: Pick<FeedEvent, 'delivery'>): 'new' | 'duplicate' | undefined {
  return event.delivery ?? undefined
}

/** What the feed says about a row's credit: both models' channels, "attributing…" while the refresh is due, or nothing. */
export type Credit = { kind: 'credited'; first: string; last: string } | { kind: 'attributing' }

/** Context for `creditOf`: whether a refresh is due or running, when the models last refreshed, and when this window first saw the row arrive. */
export interface CreditContext {
  /** The conversion events the analyst chose: other events are never credited. */
  conversionEvents: readonly string[]
  isRefreshPending: boolean
  lastRefreshAtMs: number | null
  arrivedAtMs: number | undefined
}

/**
 * The credit a feed row shows. Only conversions are credited, and a duplicate never (its original carries the
 * credit). One without channels is "attributing…" while a refresh is due, or when it arrived (or, streamed, was
 * sent) after the last refresh; otherwise it lies outside the marts and shows nothing.
 */
export function creditOf(
  event: Pick<FeedEvent, 'event_name' | 'event_at' | 'delivery' | 'first_click_channel' | 'last_click_channel'>,
  context: CreditContext,
): Credit | undefined {
  if (!context.conversionEvents.includes(event.event_name)) return undefined
  if (event.first_click_channel !== null && event.last_click_channel !== null) {
    return { kind: 'credited', first: event.first_click_channel, last: event.last_click_channel }
  }
  if (event.delivery === 'duplicate') return undefined
  if (context.isRefreshPending) return { kind: 'attributing' }
  const sentAtMs = event.delivery === 'new' ? Date.parse(event.event_at) : Number.NaN
  const arrivedAtMs = context.arrivedAtMs ?? (Number.isNaN(sentAtMs) ? undefined : sentAtMs)
  const isAfterRefresh = arrivedAtMs !== undefined && (context.lastRefreshAtMs === null || arrivedAtMs > context.lastRefreshAtMs)
  return isAfterRefresh ? { kind: 'attributing' } : undefined
}

/** The credit as text: "first: Organic Search · last: Referral" or "attributing…". */
export function creditText(credit: Credit): string {
  return credit.kind === 'credited' ? `first: ${credit.first} · last: ${credit.last}` : 'attributing…'
}
