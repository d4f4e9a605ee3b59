import { randomBytes } from 'node:crypto'
import type { StreamBurstMode } from '@shared/api'
import type { Ga4Event, Ga4EventParam } from '@shared/ga4-event'
import {
  type Channel,
  type Rng,
  type SimulatedUser,
  createRng,
  createUser,
  firstTouchTrafficSource,
  generateSession,
  sessionSourceOf,
} from '../generator'
import { eventDateOf } from '../generator/session'

/** A user the stream may bring back for another session. */
export interface KnownUser {
  userPseudoId: string
  firstTouchAtMicros: number
  sessionCount: number
}

/** Options of a live event source. */
export interface StreamSourceOptions {
  /** The same seed replays the same events (same event ids), so a replay adds nothing. */
  seed?: number
  /** Users already in the warehouse whose journeys the stream may continue. */
  knownUsers?: KnownUser[]
  /** The clock, in epoch microseconds; tests pass a fixed one. */
  nowMicros?: () => number
  /** How `next` makes a burst when not told; `realistic` unless set. */
  mode?: StreamBurstMode
}

/** Share of new sessions that come from a returning visitor. */
const RETURNING_SHARE = 0.4
/** Streamed visitors shop more than average, so a demo burst converts now and then. */
const STREAM_PURCHASE_AFFINITY = 8
const MAX_OPEN_SESSIONS = 4

const MICROS_PER_HOUR = 3_600_000_000
/**
 * A demo visitor's first visit lies 1 to 2.5 days back: inside every lookback from 3 days, and
 * inside the 72 hours in which GA4 (and the BigQuery refresh) still accept late hits.
 */
const DEMO_FIRST_VISIT_HOURS_AGO = { min: 24, max: 60 } as const
/** Where a demo visitor first found the shop; the converting visit comes from Paid Search. */
const DEMO_FIRST_CHANNELS: readonly Channel[] = ['organic_search', 'email']

/**
 * Live GA4 events: interleaved sessions of new and returning visitors, stamped with the current
 * time, each with a stable `event_id` (`<stream>-<n>`) so a retry or a replay is recognised.
 */
export class StreamSource {
  private readonly rng: Rng
  private readonly streamId: string
  private readonly knownUsers: SimulatedUser[] = []
  private readonly openSessions: Ga4Event[][] = []
  private readonly nowMicros: () => number
  private readonly mode: StreamBurstMode
  private emitted = 0
  private demoConversions = 0

  constructor(options: StreamSourceOptions = {}) {
    const seed = options.seed ?? randomBytes(4).readUInt32LE(0)
    this.rng = createRng(seed)
    this.streamId = options.seed === undefined ? `live-${randomBytes(6).toString('hex')}` : `seed-${options.seed}`
    this.nowMicros = options.nowMicros ?? (() => Date.now() * 1000)
    this.mode = options.mode ?? 'realistic'
    for (const known of options.knownUsers ?? []) {
      const user = createUser(this.rng, known.firstTouchAtMicros)
      user.userPseudoId = known.userPseudoId
      user.sessionCount = known.sessionCount
      this.knownUsers.push(user)
    }
  }

  /**
   * The next `count` live events, in time order, ending now. A `demo` burst also carries one
   * visitor's whole journey: a first visit a day or two ago (Organic Search or Email) and, among
   * the live events, a visit from Paid Search that ends in a purchase; so the burst adds a
   * conversion that first click and last click credit to different channels.
   */
  next(count: number, mode: StreamBurstMode | { mode?: StreamBurstMode } = this.mode): Ga4Event[] {
    const burstMode = typeof mode === 'string' ? mode : (mode.mode ?? this.mode)
    const live = this.liveEvents(count)
    if (burstMode !== 'demo') return this.stamp([], live)
    const { earlierVisit, convertingVisit } = this.demoJourney()
    return this.stamp(earlierVisit, this.interleave(live, convertingVisit))
  }

  private liveEvents(count: number): Ga4Event[] {
    const events: Ga4Event[] = []
    while (events.length < count) {
      if (this.openSessions.length === 0 || (this.openSessions.length < MAX_OPEN_SESSIONS && this.rng.chance(0.25))) this.startSession()
      const index = this.rng.int(0, this.openSessions.length - 1)
      const session = this.openSessions[index]
      const event = session?.shift()
      if (!session || !event) {
        this.openSessions.splice(index, 1)
        continue
      }
      if (session.length === 0) this.openSessions.splice(index, 1)
      events.push(event)
    }
    return events
  }

  /** A new visitor's first visit, back-dated, and today's return through Paid Search that buys. */
  private demoJourney(): { earlierVisit: Ga4Event[]; convertingVisit: Ga4Event[] } {
    const now = this.nowMicros()
    const { min, max } = DEMO_FIRST_VISIT_HOURS_AGO
    const firstVisitAt = now - Math.floor((min + this.rng.next() * (max - min)) * MICROS_PER_HOUR)
    const user = createUser(this.rng, firstVisitAt)
    user.firstSessionSource = sessionSourceOf(this.rng, this.rng.pick(DEMO_FIRST_CHANNELS))
    user.trafficSource = firstTouchTrafficSource(user.firstSessionSource)
    // The first visit only browses: one conversion per demo burst, credited to two channels.
    user.purchaseAffinity = 0
    const earlierVisit = generateSession(this.rng, user, firstVisitAt, { isClean: true })
    user.purchaseAffinity = STREAM_PURCHASE_AFFINITY
    this.demoConversions += 1
    // 'shopping_*' campaigns group as Paid Shopping; a returning visitor comes back by brand search.
    const source = { ...sessionSourceOf(this.rng, 'paid_search'), campaign: 'brand_search' }
    const convertingVisit = generateSession(this.rng, user, now, {
      isClean: true,
      source,
      purchase: { transactionId: `T-${this.streamId}-${this.demoConversions}` },
    })
    this.knownUsers.push(user)
    return { earlierVisit, convertingVisit }
  }

  /** Merges two time-ordered event lists at random, keeping the order within each. */
  private interleave(first: Ga4Event[], second: Ga4Event[]): Ga4Event[] {
    const out: Ga4Event[] = []
    let i = 0
    let j = 0
    while (i < first.length || j < second.length) {
      const firstLeft = first.length - i
      const takesFirst = j >= second.length || (firstLeft > 0 && this.rng.chance(firstLeft / (firstLeft + second.length - j)))
      const event = takesFirst ? first[i++] : second[j++]
      if (event) out.push(event)
    }
    return out
  }

  private startSession(): void {
    const now = this.nowMicros()
    const isReturning = this.knownUsers.length > 0 && this.rng.chance(RETURNING_SHARE)
    const user = isReturning ? this.rng.pick(this.knownUsers) : createUser(this.rng, now)
    user.purchaseAffinity = STREAM_PURCHASE_AFFINITY
    if (!isReturning) this.knownUsers.push(user)
    // Clean sessions: the live demo shows de-duplication by replaying ids, not by random copies.
    this.openSessions.push(generateSession(this.rng, user, now, { isClean: true }))
  }

  /**
   * Gives every event its stream-wide event id: `backdated` events (already in time order, before
   * now) keep their times; `live` events are re-timed to now, keeping their order.
   */
  private stamp(backdated: Ga4Event[], live: Ga4Event[]): Ga4Event[] {
    const base = this.nowMicros() - live.length
    return [
      ...backdated.map((event) => this.withEventId(event, event.event_timestamp)),
      ...live.map((event, index) => this.withEventId(event, base + index)),
    ]
  }

  private withEventId(event: Ga4Event, at: number): Ga4Event {
    this.emitted += 1
    const params: Ga4EventParam[] = [
      ...event.event_params.filter((param) => param.key !== 'event_id'),
      {
        key: 'event_id',
        value: { string_value: `${this.streamId}-${this.emitted}`, int_value: null, float_value: null, double_value: null },
      },
    ]
    return { ...event, event_timestamp: at, event_date: eventDateOf(at), event_params: params }
  }
}
