import { randomBytes } from 'node:crypto'
import type { Ga4Event, Ga4EventParam } from '../../shared/ga4-event'
import { type Rng, type SimulatedUser, createRng, createUser, generateSession } from '../generator'
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
}

/** Share of new sessions that come from a returning visitor. */
const RETURNING_SHARE = 0.4
/** Streamed visitors shop more than average, so a demo burst converts now and then. */
const STREAM_PURCHASE_AFFINITY = 8
const MAX_OPEN_SESSIONS = 4

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
  private emitted = 0

  constructor(options: StreamSourceOptions = {}) {
    const seed = options.seed ?? randomBytes(4).readUInt32LE(0)
    this.rng = createRng(seed)
    this.streamId = options.seed === undefined ? `live-${randomBytes(6).toString('hex')}` : `seed-${options.seed}`
    this.nowMicros = options.nowMicros ?? (() => Date.now() * 1000)
    for (const known of options.knownUsers ?? []) {
      const user = createUser(this.rng, known.firstTouchAtMicros)
      user.userPseudoId = known.userPseudoId
      user.sessionCount = known.sessionCount
      this.knownUsers.push(user)
    }
  }

  /** The next `count` events, in time order, ending now. */
  next(count: number): Ga4Event[] {
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
    return this.stamp(events)
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

  /** Re-times events to now (keeping their order) and gives each its stream-wide event id. */
  private stamp(events: Ga4Event[]): Ga4Event[] {
    const base = this.nowMicros() - events.length
    return events.map((event, index) => {
      const at = base + index
      this.emitted += 1
      const params: Ga4EventParam[] = [
        ...event.event_params.filter((param) => param.key !== 'event_id'),
        { key: 'event_id', value: { string_value: `${this.streamId}-${this.emitted}`, int_value: null, float_value: null, double_value: null } },
      ]
      return { ...event, event_timestamp: at, event_date: eventDateOf(at), event_params: params }
    })
  }
}
