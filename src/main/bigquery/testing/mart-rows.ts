/** Test data: rows of the marts the app reads, generated from a seed so every expected number can be re-derived. */
import { apportion } from '@shared/markov'
import { createRng } from '../../generator/rng'
import type { RuleBasedModel } from '../../warehouse/warehouse'
import type { BigQueryField } from '../ga4-bigquery-schema'

/** One row of `fct_attribution_credits` (the columns the app reads, plus identity). */
export interface CreditRow {
  conversion_id: string
  conversion_event_name: string
  attribution_model: RuleBasedModel
  min_lookback_days: number
  max_lookback_days: number
  /** 1 for the oldest eligible session, `touches` for the newest; 0 when no session is eligible. */
  touch_position: number
  touches: number
  credit_micros: number
  credited_revenue_cents: number
  /** ISO 8601 UTC. */
  converted_at: string
  conversion_date: string
  revenue_usd: string
  /** ISO 8601 UTC; null for the Unassigned row. */
  credited_session_started_at: string | null
  source: string
  medium: string
  campaign: string
  channel: string
  /** The conversion's GA4 stream; absent (NULL) in these rows. */
  stream_id?: string | null
}

/** One row of `agg_channel_transitions`. */
export interface TransitionRow {
  /** The non-converting journey's user; null on converting rows (the app sums those over users). */
  user_key: string | null
  journey_date: string
  /** Null for journeys that did not convert. */
  conversion_event_name: string | null
  /** Non-converting journeys: the event after whose last conversion they start; null for a user with none. */
  cut_event_name: string | null
  min_lookback_days: number
  max_lookback_days: number
  from_state: string
  to_state: string
  transitions: number
  /** The journey's GA4 stream; absent (NULL) in these rows. */
  stream_id?: string | null
}

/** One row of `agg_user_last_conversions`. */
export interface LastConversionRow {
  user_key: string
  conversion_event_name: string
  last_converted_micros: number
}

/** The BigQuery schema dbt gives `agg_user_last_conversions`. */
export const LAST_CONVERSIONS_SCHEMA: BigQueryField[] = [
  { name: 'user_key', type: 'STRING', mode: 'NULLABLE' },
  { name: 'conversion_event_name', type: 'STRING', mode: 'NULLABLE' },
  { name: 'last_converted_micros', type: 'INTEGER', mode: 'NULLABLE' },
]

/** The BigQuery schema dbt gives `fct_attribution_credits` for those columns. */
export const CREDITS_SCHEMA: BigQueryField[] = [
  { name: 'conversion_id', type: 'STRING', mode: 'NULLABLE' },
  { name: 'conversion_event_name', type: 'STRING', mode: 'NULLABLE' },
  { name: 'attribution_model', type: 'STRING', mode: 'NULLABLE' },
  { name: 'min_lookback_days', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'max_lookback_days', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'touch_position', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'touches', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'credit_micros', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'credited_revenue_cents', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'converted_at', type: 'TIMESTAMP', mode: 'NULLABLE' },
  { name: 'conversion_date', type: 'DATE', mode: 'NULLABLE' },
  { name: 'revenue_usd', type: 'NUMERIC', mode: 'NULLABLE' },
  { name: 'credited_session_started_at', type: 'TIMESTAMP', mode: 'NULLABLE' },
  { name: 'source', type: 'STRING', mode: 'NULLABLE' },
  { name: 'medium', type: 'STRING', mode: 'NULLABLE' },
  { name: 'campaign', type: 'STRING', mode: 'NULLABLE' },
  { name: 'channel', type: 'STRING', mode: 'NULLABLE' },
  { name: 'stream_id', type: 'STRING', mode: 'NULLABLE' },
]

/** The BigQuery schema dbt gives `agg_channel_transitions`. */
export const TRANSITIONS_SCHEMA: BigQueryField[] = [
  { name: 'user_key', type: 'STRING', mode: 'NULLABLE' },
  { name: 'journey_date', type: 'DATE', mode: 'NULLABLE' },
  { name: 'conversion_event_name', type: 'STRING', mode: 'NULLABLE' },
  { name: 'cut_event_name', type: 'STRING', mode: 'NULLABLE' },
  { name: 'min_lookback_days', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'max_lookback_days', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'from_state', type: 'STRING', mode: 'NULLABLE' },
  { name: 'to_state', type: 'STRING', mode: 'NULLABLE' },
  { name: 'transitions', type: 'INTEGER', mode: 'NULLABLE' },
  { name: 'stream_id', type: 'STRING', mode: 'NULLABLE' },
]

/** `rpt_build_info` as dbt builds it. */
export const BUILD_INFO_SCHEMA: BigQueryField[] = [
  { name: 'built_at', type: 'TIMESTAMP', mode: 'NULLABLE' },
  { name: 'invocation_id', type: 'STRING', mode: 'NULLABLE' },
]

/** The rule-based models the credits mart holds, in dbt's order. */
export const RULE_BASED_MODELS: readonly RuleBasedModel[] = [
  'first_click',
  'last_click',
  'last_non_direct',
  'linear',
  'position_based',
  'time_decay',
]

const SOURCES = [
  ['google', 'organic', '(organic)', 'Organic Search'],
  ['google', 'cpc', 'winter_sale', 'Paid Search'],
  ['newsletter', 'email', 'jan_news', 'Email'],
  ['(direct)', '(none)', '(direct)', 'Direct'],
  ['facebook.com', 'referral', '(referral)', 'Organic Social'],
] as const
const EVENTS = ['purchase', 'begin_checkout', 'add_to_cart'] as const
const MAX_LOOKBACK_DAYS = 90
const HALF_LIFE_DAYS = 7
const DAY_MS = 86_400_000
const MICROS_PER_CONVERSION = 1_000_000n

interface Session {
  startedAtMs: number
  /** The lookback from which on the session is eligible (lag <= n days). */
  daysNeeded: number
  source: (typeof SOURCES)[number]
}

/** Conversions and non-converting journeys over `days` days ending 2021-01-31, with the credits and transitions dbt would build. */
export interface GeneratedMarts {
  credits: CreditRow[]
  transitions: TransitionRow[]
  lastConversions: LastConversionRow[]
}

/**
 * Conversions over `days` days ending 2021-01-31, each with up to four earlier sessions, credited by
 * every rule-based model for every lookback range as fct_attribution_credits does (whole millionths
 * and cents split by the largest remainder); plus the Markov transitions of those journeys and of
 * some journeys that did not convert, as agg_channel_transitions holds them.
 */
export function generateMarts(seed: number, conversions: number, days = 20): GeneratedMarts {
  const rng = createRng(seed)
  const credits: CreditRow[] = []
  const transitions = new Map<string, TransitionRow>()
  const countTransitions = (
    userKey: string | null,
    journeyDate: string,
    event: string | null,
    min: number,
    max: number,
    path: string[],
    end: string,
  ): void => {
    const states = ['(start)', ...path, end]
    for (let index = 1; index < states.length; index++) {
      const row = {
        user_key: userKey,
        journey_date: journeyDate,
        conversion_event_name: event,
        cut_event_name: null,
        min_lookback_days: min,
        max_lookback_days: max,
        from_state: states[index - 1] as string,
        to_state: states[index] as string,
      }
      const key = JSON.stringify(row)
      const found = transitions.get(key) ?? { ...row, transitions: 0 }
      found.transitions++
      transitions.set(key, found)
    }
  }
  const randomTime = (): number =>
    Date.UTC(2021, 0, 31 - rng.int(0, days - 1), rng.int(0, 23), rng.int(0, 59), rng.int(0, 59), rng.int(0, 999))
  const sessionsBefore = (anchorMs: number, count: number): Session[] =>
    Array.from({ length: count }, () => {
      // Mostly recent, a few up to 80 days back: the lookback then changes who is eligible.
      const lagMs = 1000 + Math.floor(rng.next() ** 2 * 80 * DAY_MS)
      return { startedAtMs: anchorMs - lagMs, daysNeeded: Math.max(1, Math.ceil(lagMs / DAY_MS)), source: rng.pick(SOURCES) }
    }).sort((a, b) => a.startedAtMs - b.startedAtMs)

  for (let index = 0; index < conversions; index++) {
    const convertedAtMs = randomTime()
    const cents = rng.int(0, 30_000)
    const base = {
      conversion_id: `conv-${String(index).padStart(4, '0')}`,
      conversion_event_name: rng.pick(EVENTS),
      converted_at: new Date(convertedAtMs).toISOString(),
      conversion_date: new Date(convertedAtMs).toISOString().slice(0, 10),
      revenue_usd: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
    }
    const sessions = sessionsBefore(convertedAtMs, rng.int(0, 4))
    const starts = [...new Set(sessions.map((session) => session.daysNeeded))].sort((a, b) => a - b)
    const firstStart = starts[0] ?? MAX_LOOKBACK_DAYS + 1
    if (firstStart > 1) {
      for (const model of RULE_BASED_MODELS) {
        credits.push({
          ...base,
          attribution_model: model,
          min_lookback_days: 1,
          max_lookback_days: firstStart - 1,
          touch_position: 0,
          touches: 0,
          credit_micros: Number(MICROS_PER_CONVERSION),
          credited_revenue_cents: cents,
          credited_session_started_at: null,
          source: '(not set)',
          medium: '(not set)',
          campaign: '(not set)',
          channel: 'Unassigned',
        })
      }
    }
    starts.forEach((min, rangeIndex) => {
      const max = (starts[rangeIndex + 1] ?? MAX_LOOKBACK_DAYS + 1) - 1
      const eligible = sessions.filter((session) => session.daysNeeded <= min)
      countTransitions(
        null,
        base.conversion_date,
        base.conversion_event_name,
        min,
        max,
        eligible.map((session) => session.source[3]),
        '(conversion)',
      )
      for (const model of RULE_BASED_MODELS) {
        const weights = modelWeights(model, eligible, convertedAtMs)
        // Newest first, as dbt breaks remainder ties by recency.
        const keyed = weights.map((weight, position) => ({ key: String(position), weight })).reverse()
        const micros = apportion(MICROS_PER_CONVERSION, keyed, '')
        const revenue = apportion(BigInt(cents), keyed, '')
        eligible.forEach((session, position) => {
          const creditMicros = Number(micros.get(String(position)) ?? 0n)
          const creditedCents = Number(revenue.get(String(position)) ?? 0n)
          if ((weights[position] ?? 0) === 0 || (creditMicros === 0 && creditedCents === 0)) return
          credits.push({
            ...base,
            attribution_model: model,
            min_lookback_days: min,
            max_lookback_days: max,
            touch_position: position + 1,
            touches: eligible.length,
            credit_micros: creditMicros,
            credited_revenue_cents: creditedCents,
            credited_session_started_at: new Date(session.startedAtMs).toISOString(),
            source: session.source[0],
            medium: session.source[1],
            campaign: session.source[2],
            channel: session.source[3],
          })
        })
      }
    })
  }

  // Journeys after a user's last conversion: their lookback counts back from the newest session.
  for (let index = 0; index < Math.ceil(conversions / 2); index++) {
    const anchorMs = randomTime()
    const sessions = [...sessionsBefore(anchorMs, rng.int(0, 3)), { startedAtMs: anchorMs, daysNeeded: 1, source: rng.pick(SOURCES) }]
    const starts = [...new Set(sessions.map((session) => session.daysNeeded))].sort((a, b) => a - b)
    starts.forEach((min, rangeIndex) => {
      const max = (starts[rangeIndex + 1] ?? MAX_LOOKBACK_DAYS + 1) - 1
      const path = sessions.filter((session) => session.daysNeeded <= min).map((session) => session.source[3])
      countTransitions(`u${index}`, new Date(anchorMs).toISOString().slice(0, 10), null, min, max, path, '(null)')
    })
  }
  // No user converted before these journeys: each is the journey of all its user's sessions (no cut).
  return { credits, transitions: [...transitions.values()], lastConversions: [] }
}

/** Each eligible session's weight (oldest first) under a model, as fct_attribution_credits weighs them. */
function modelWeights(model: RuleBasedModel, eligible: Session[], convertedAtMs: number): number[] {
  const touches = eligible.length
  const newestNonDirect = eligible.findLastIndex((session) => session.source[3] !== 'Direct')
  return eligible.map((session, index) => {
    const position = index + 1
    switch (model) {
      case 'first_click':
        return position === 1 ? 1 : 0
      case 'last_click':
        return position === touches ? 1 : 0
      case 'last_non_direct':
        return index === (newestNonDirect >= 0 ? newestNonDirect : touches - 1) ? 1 : 0
      case 'linear':
        return 1
      case 'position_based':
        return touches <= 2 ? 1 : position === 1 || position === touches ? 2 * (touches - 2) : 1
      case 'time_decay':
        return 2 ** (-(convertedAtMs - session.startedAtMs) / (HALF_LIFE_DAYS * DAY_MS))
    }
  })
}
