import type { Rng } from '../generator/rng'

/**
 * Random sequences of what reaches a real warehouse, for the property that incremental dbt runs
 * equal a full refresh: imports and streams, late events, replays, day copies of streamed events,
 * re-imported identical rows, and purchases whose transaction ids take over across users in every
 * form real exports write (ecommerce text, string/int/double param, '(not set)', empty, none);
 * users who sign in (user_id) on several devices, late sign-ins that join an old device to a person,
 * shared devices that change person, and a web and an app stream that share user_pseudo_ids.
 * Each sequence has its own users, sessions and ids, so many run side by side in one warehouse.
 */

/** The GA4 export columns these events fill; the importer and the streamer leave the rest NULL. */
export interface SequenceEvent {
  event_date: string
  event_timestamp: number
  event_name: string
  event_params: Array<{
    key: string
    value: { string_value: string | null; int_value: number | null; float_value: number | null; double_value: number | null }
  }>
  event_bundle_sequence_id: number
  event_value_in_usd: number | null
  user_pseudo_id: string | null
  /** Set from sign-in on, as GA4 exports it; absent (NULL) before. */
  user_id?: string
  stream_id: string
  platform: string
  ecommerce: { transaction_id: string | null; purchase_revenue_in_usd: number | null } | null
  /** On some imported landing events, as exports since 2023 write them; absent (NULL) otherwise. */
  collected_traffic_source?: CollectedTrafficSource
  /** On every event of those sessions, as exports since 2024 write it. */
  session_traffic_source_last_click?: { google_ads_campaign: { campaign_name: string } }
}

/** The fields of collected_traffic_source that staging reads. */
interface CollectedTrafficSource {
  manual_source: string | null
  manual_medium: string | null
  manual_campaign_name: string | null
  gclid: string | null
  dclid: string | null
}

/** What one step of all sequences stores, in order: files to import and batches to stream, interleaved. */
export type StoreAction = { kind: 'import'; events: SequenceEvent[] } | { kind: 'stream'; events: SequenceEvent[] }

const MICROS_PER_HOUR = 3_600_000_000
const MICROS_PER_DAY = 24 * MICROS_PER_HOUR

const TRAFFIC: ReadonlyArray<readonly [source: string | null, medium: string | null]> = [
  ['google', 'organic'],
  ['google', 'cpc'],
  ['bing', 'organic'],
  ['facebook', 'referral'],
  ['newsletter', 'email'],
  ['(direct)', '(none)'],
  [null, null],
  ['<Other>', '<Other>'],
  // Referrals the unwanted-referral rules touch: the store's own hosts, a sibling domain first seen
  // on a page later, payment and sign-in hosts (src/main/stream/incremental-equivalence.test.ts).
  ['shop.seq-store.com', 'referral'],
  ['WWW.Seq-Store.com.', 'Referral'],
  ['news.seq-shop.co.uk:8443', 'referral'],
  ['www.paypal.com', 'referral'],
  ['checkout.stripe.com', 'referral'],
  ['accounts.google.com', 'referral'],
]

/** Pages of the property's main registrable domain. */
const PAGE_LOCATIONS: ReadonlyArray<readonly [location: string, weight: number]> = [
  ['https://www.seq-store.com/home', 3],
  ['https://shop.seq-store.com/cart?step=1', 1],
]
/** A second registrable domain of the property, on pages of a few sequences' later sessions only: newly seen after the first build. */
const LATER_PAGE_LOCATION = 'https://blog.seq-shop.co.uk:443/post#top'

/** What 2023+ exports collect on a landing event: a UTM tagging, an auto-tagged click, an empty gclid, a display click. */
const COLLECTED: readonly CollectedTrafficSource[] = [
  { manual_source: 'newsletter', manual_medium: 'email', manual_campaign_name: 'weekly', gclid: null, dclid: null },
  { manual_source: null, manual_medium: null, manual_campaign_name: null, gclid: 'Cj0KCQiA4bOpBhDa', dclid: null },
  { manual_source: null, manual_medium: null, manual_campaign_name: null, gclid: '', dclid: null },
  { manual_source: null, manual_medium: null, manual_campaign_name: null, gclid: null, dclid: 'CJvV2fHpgIIDFQ' },
]

/** A web and an app stream; some user_pseudo_ids occur in both (several properties, or a web view in the app). */
const STREAMS = [
  { stream_id: '1000000001', platform: 'WEB' },
  { stream_id: '1000000002', platform: 'ANDROID' },
] as const
type Stream = (typeof STREAMS)[number]

type TransactionForm = 'ecommerce' | 'string_param' | 'int_param' | 'double_param' | 'not_set_ecommerce_int_param'

/** One sequence's state: its ids, and what it stored before (for replays and copies). */
class Sequence {
  private eventCounter = 0
  private sessionCounter = 0
  private transactionCounter = 0
  private readonly users: Array<string | null> = []
  /** Each user's usual stream (by index in users). */
  private readonly userStreams: Stream[] = []

  /** The user at an index of users, and the stream it usually visits. */
  private device(index: number): { user: string | null; stream: Stream } {
    return { user: this.users[index] ?? null, stream: this.userStreams[index] ?? STREAMS[0] }
  }
  /** Signed-in ids used so far: a later sign-in may reuse one on another device. */
  private readonly personIds: string[] = []
  private readonly transactionNumbers: number[] = []
  readonly streamed: SequenceEvent[] = []
  readonly imported: SequenceEvent[] = []

  constructor(
    private readonly index: number,
    private readonly rng: Rng,
    private readonly nowMicros: number,
  ) {}

  /** The events this sequence stores in one step, each tagged with the path it takes. */
  step(): Array<{ via: 'import' | 'stream'; event: SequenceEvent }> {
    const out: Array<{ via: 'import' | 'stream'; event: SequenceEvent }> = []
    const operations = this.rng.int(0, 3)
    for (let i = 0; i < operations; i++) {
      const operation = this.rng.weighted([
        ['visit', 6],
        ['replay_stream', 1],
        ['day_copy', 1],
        ['reimport', 1],
        ['late_sign_in', 1],
      ] as const)
      if (operation === 'late_sign_in' && this.users.some((user) => user !== null)) {
        // An old device signs in, dated days back: its earlier sessions join that person's journeys.
        for (const event of this.lateSignIn()) out.push({ via: this.rng.chance(0.5) ? 'stream' : 'import', event })
      } else if (operation === 'visit') {
        const via = this.rng.chance(0.5) ? 'stream' : 'import'
        for (const event of this.visit(via === 'stream')) out.push({ via, event })
      } else if (operation === 'replay_stream' && this.streamed.length > 0) {
        // The same event ids again: stream_receipts must keep them out.
        for (const event of this.sample(this.streamed)) out.push({ via: 'stream', event: structuredClone(event) })
      } else if (operation === 'day_copy' && this.streamed.length > 0) {
        // The export's settled copy of streamed events, sometimes stamped a little earlier.
        for (const event of this.sample(this.streamed)) {
          const copy = structuredClone(event)
          if (this.rng.chance(0.5)) copy.event_timestamp -= this.rng.int(1, 5_000_000)
          out.push({ via: 'import', event: copy })
        }
      } else if (operation === 'reimport' && this.imported.length > 0) {
        // Identical rows in a new file; now and then a column outside the event's identity differs.
        for (const event of this.sample(this.imported)) {
          const copy = structuredClone(event)
          if (this.rng.chance(0.3)) copy.event_value_in_usd = this.rng.int(1, 500) / 100
          out.push({ via: 'import', event: copy })
        }
      }
    }
    for (const { via, event } of out) (via === 'stream' ? this.streamed : this.imported).push(event)
    return out
  }

  private sample(events: SequenceEvent[]): SequenceEvent[] {
    const count = this.rng.int(1, Math.min(4, events.length))
    return Array.from({ length: count }, () => this.rng.pick(events))
  }

  /** A signed-in id: one used before (another device of that person, or the same) or a new person. */
  private personId(): string {
    if (this.personIds.length > 0 && this.rng.chance(0.6)) return this.rng.pick(this.personIds)
    const id = `s${this.index}-p${this.personIds.length}`
    this.personIds.push(id)
    return id
  }

  /** A login event of a known device, 4 to 40 days before now, in a session of its own. */
  private lateSignIn(): SequenceEvent[] {
    const index = this.rng.pick(this.users.flatMap((user, i) => (user === null ? [] : [i])))
    this.sessionCounter += 1
    const timestamp = this.nowMicros - this.rng.int(4, 40) * MICROS_PER_DAY - this.rng.int(0, 20 * MICROS_PER_HOUR)
    const { user, stream } = this.device(index)
    const event = this.event('login', timestamp, user, [intParam('ga_session_id', this.index * 10_000 + this.sessionCounter)], true, stream)
    event.user_id = this.personId()
    return [event]
  }

  /** One session of one user: page views from a traffic source, maybe a conversion; now or late. */
  private visit(isStreamed: boolean): SequenceEvent[] {
    const userIndex = this.users.length === 0 || this.rng.chance(0.35) ? this.newUser() : this.rng.int(0, this.users.length - 1)
    const { user, stream: usual } = this.device(userIndex)
    // Now and then the same user_pseudo_id in the other stream: another user unless stitched.
    const stream = this.rng.chance(0.15) ? (usual === STREAMS[0] ? STREAMS[1] : STREAMS[0]) : usual
    // A third of visits sign in, at some page: the events from there on carry the user_id.
    const signedInFrom = this.rng.chance(0.3) ? this.rng.int(0, 3) : Number.POSITIVE_INFINITY
    const userId = signedInFrom === Number.POSITIVE_INFINITY ? undefined : this.personId()
    this.sessionCounter += 1
    const gaSessionId = this.index * 10_000 + this.sessionCounter
    // Late events: days older than the newest stored event, far beyond any re-read window.
    const daysAgo = this.rng.chance(0.25) ? this.rng.int(4, 40) : this.rng.int(0, 2)
    let timestamp = this.nowMicros - daysAgo * MICROS_PER_DAY - this.rng.int(0, 20 * MICROS_PER_HOUR)
    const [source, medium] = this.rng.pick(TRAFFIC)
    const events: SequenceEvent[] = []
    // Streamed events keep the 2020-21 columns; some imported sessions come from a newer export.
    const collected = !isStreamed && this.rng.chance(0.3) ? this.rng.pick(COLLECTED) : undefined
    const pages = this.rng.int(1, 3)
    for (let page = 0; page < pages; page++) {
      const params = [intParam('ga_session_id', gaSessionId)]
      if (page === 0 && source !== null) params.push(stringParam('source', source), stringParam('medium', medium ?? '(not set)'))
      if (!isStreamed || this.rng.chance(0.5)) {
        const isLater = this.index % 10 === 3 && this.sessionCounter >= 4 && this.rng.chance(0.3)
        params.push(stringParam('page_location', isLater ? LATER_PAGE_LOCATION : this.rng.weighted(PAGE_LOCATIONS)))
      }
      // The tag's own verdict on a referrer (GA4 sets it for hosts on the property's list).
      if (page === 0 && medium?.toLowerCase() === 'referral' && this.rng.chance(0.2)) params.push(stringParam('ignore_referrer', 'true'))
      const event = this.event('page_view', timestamp, user, params, isStreamed, stream)
      if (page >= signedInFrom) event.user_id = userId
      if (collected !== undefined) {
        if (page === 0) event.collected_traffic_source = collected
        event.session_traffic_source_last_click = { google_ads_campaign: { campaign_name: 'Brand - Exact' } }
      }
      events.push(event)
      timestamp += this.rng.int(1, 120) * 1_000_000
    }
    const conversion = this.rng.weighted([
      ['none', 5],
      ['purchase', 4],
      ['begin_checkout', 1],
      ['add_to_cart', 1],
      ['generate_lead', 1],
    ] as const)
    if (conversion === 'purchase') {
      events.push(this.purchase(timestamp, user, gaSessionId, isStreamed, stream))
    } else if (conversion === 'generate_lead') {
      events.push(this.lead(timestamp, user, gaSessionId, isStreamed, stream))
    } else if (conversion !== 'none') {
      const event = this.event(conversion, timestamp, user, [intParam('ga_session_id', gaSessionId)], isStreamed, stream)
      event.event_value_in_usd = this.rng.int(100, 9_999) / 100
      events.push(event)
    }
    const last = events[events.length - 1]
    if (userId !== undefined && last !== undefined && signedInFrom >= pages) last.user_id = userId
    return events
  }

  /** A key event as sites send it: a `value` param (double, int or string) with a `currency` param, USD or not, or neither. */
  private lead(timestamp: number, user: string | null, gaSessionId: number, isStreamed: boolean, stream: Stream): SequenceEvent {
    const params = [intParam('ga_session_id', gaSessionId)]
    const event = this.event('generate_lead', timestamp, user, params, isStreamed, stream)
    const value = this.rng.int(100, 9_999) / 100
    const form = this.rng.pick(['double', 'int', 'string', 'none'] as const)
    if (form === 'double') params.push(doubleParam('value', value))
    else if (form === 'int') params.push(intParam('value', Math.round(value)))
    else if (form === 'string') params.push(stringParam('value', String(value)))
    if (form !== 'none') params.push(stringParam('currency', this.rng.pick(['USD', 'EUR', 'usd'])))
    return event
  }

  private purchase(timestamp: number, user: string | null, gaSessionId: number, isStreamed: boolean, stream: Stream): SequenceEvent {
    const params = [intParam('ga_session_id', gaSessionId)]
    const event = this.event('purchase', timestamp, user, params, isStreamed, stream)
    event.ecommerce = { transaction_id: null, purchase_revenue_in_usd: this.rng.int(100, 99_999) / 100 }
    const idKind = this.rng.weighted([
      ['new', 5],
      ['shared', 3],
      ['missing', 2],
    ] as const)
    if (idKind === 'missing') {
      // No id anywhere: '(not set)', '' or NULL in ecommerce, sometimes '(not set)' in the param too.
      event.ecommerce.transaction_id = this.rng.pick(['(not set)', '', null])
      if (this.rng.chance(0.5)) params.push(stringParam('transaction_id', this.rng.pick(['(not set)', ''])))
      return event
    }
    let number: number
    if (idKind === 'shared' && this.transactionNumbers.length > 0) {
      // Another purchase of an id this sequence used: the earliest one wins, across users and forms.
      number = this.rng.pick(this.transactionNumbers)
    } else {
      this.transactionCounter += 1
      number = this.index * 1_000 + this.transactionCounter
      this.transactionNumbers.push(number)
    }
    const form: TransactionForm = this.rng.pick(['ecommerce', 'string_param', 'int_param', 'double_param', 'not_set_ecommerce_int_param'])
    if (form === 'ecommerce') event.ecommerce.transaction_id = String(number)
    else if (form === 'string_param') params.push(stringParam('transaction_id', String(number)))
    else if (form === 'int_param') params.push(intParam('transaction_id', number))
    else if (form === 'double_param') params.push(doubleParam('transaction_id', number))
    else {
      event.ecommerce.transaction_id = '(not set)'
      params.push(intParam('transaction_id', number))
    }
    return event
  }

  private event(
    name: string,
    timestamp: number,
    user: string | null,
    params: SequenceEvent['event_params'],
    isStreamed: boolean,
    stream: Stream,
  ): SequenceEvent {
    this.eventCounter += 1
    if (isStreamed) params.unshift(stringParam('event_id', `s${this.index}-e${this.eventCounter}`))
    return {
      event_date: new Date(timestamp / 1000).toISOString().slice(0, 10).replace(/-/g, ''),
      event_timestamp: timestamp,
      event_name: name,
      event_params: params,
      event_bundle_sequence_id: this.eventCounter,
      event_value_in_usd: null,
      user_pseudo_id: user,
      stream_id: stream.stream_id,
      platform: stream.platform,
      ecommerce: null,
    }
  }

  /** A new user's index in users. */
  private newUser(): number {
    // Now and then a cookieless user: attributed through 'anon:' || ga_session_id.
    const user = this.rng.chance(0.05) ? null : `s${this.index}-u${this.users.length}`
    this.users.push(user)
    this.userStreams.push(this.rng.chance(0.75) ? STREAMS[0] : STREAMS[1])
    return this.users.length - 1
  }
}

/** Many independent sequences; each `step()` returns what all of them store next, in store order. */
export class SequenceSet {
  private readonly sequences: Sequence[]

  constructor(
    private readonly rng: Rng,
    count: number,
    nowMicros: number,
  ) {
    this.sequences = Array.from({ length: count }, (_, index) => new Sequence(index, rng, nowMicros))
  }

  /** One step of every sequence, as import files and stream batches in a random interleaving. */
  step(): StoreAction[] {
    const rounds: StoreAction[] = [
      { kind: 'import', events: [] },
      { kind: 'stream', events: [] },
      { kind: 'import', events: [] },
      { kind: 'stream', events: [] },
    ]
    for (const sequence of this.sequences) {
      for (const { via, event } of sequence.step()) {
        const round = this.rng.pick(rounds.filter((candidate) => candidate.kind === via))
        round.events.push(event)
      }
    }
    return rounds.filter((round) => round.events.length > 0)
  }
}

function stringParam(key: string, value: string): SequenceEvent['event_params'][number] {
  return { key, value: { string_value: value, int_value: null, float_value: null, double_value: null } }
}

function intParam(key: string, value: number): SequenceEvent['event_params'][number] {
  return { key, value: { string_value: null, int_value: value, float_value: null, double_value: null } }
}

function doubleParam(key: string, value: number): SequenceEvent['event_params'][number] {
  return { key, value: { string_value: null, int_value: null, float_value: null, double_value: value } }
}
