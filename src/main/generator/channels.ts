import type { Ga4TrafficSource } from '@shared/ga4-event'
import type { Rng } from './rng'

/** The marketing channels the generator emits; attribution reports group sessions into these. */
export const CHANNELS = [
  'organic_search',
  'paid_search',
  'direct',
  'referral',
  'email',
  'organic_social',
  'paid_social',
  'affiliate',
  'display',
] as const

/** One of CHANNELS. */
export type Channel = (typeof CHANNELS)[number]

/** A session's acquisition as the GA4 tag records it on the landing page_view. */
export interface SessionSource {
  channel: Channel
  /** '(direct)' for direct sessions, which carry no source params at all. */
  source: string
  medium: string
  campaign: string
  term: string | null
  /** Google Ads auto-tagging: only google cpc clicks carry a gclid. */
  hasGclid: boolean
}

interface ChannelSpec {
  channel: Channel
  /** Share among a user's first sessions. */
  newUserWeight: number
  /** Share among later sessions: returning users come back direct, by email or via brand search. */
  returningWeight: number
  /** Multiplier on the purchase funnel; email and brand search convert better than display. */
  conversionLift: number
  build(rng: Rng): Omit<SessionSource, 'channel' | 'hasGclid'> & { hasGclid?: boolean }
}

const SEARCH_TERMS = ['(not provided)', 'hoodie', 'water bottle', 'backpack', 'gift ideas', 'stickers']
const REFERRERS = ['medium.com', 'reddit.com', 'news.ycombinator.com', 'theverge.com', 'wirecutter.com', 'gearblog.net']

const CHANNEL_SPECS: readonly ChannelSpec[] = [
  {
    channel: 'organic_search',
    newUserWeight: 33,
    returningWeight: 19,
    conversionLift: 1,
    build: (rng) => ({
      source: rng.weighted([
        ['google', 9],
        ['bing', 1],
      ]),
      medium: 'organic',
      campaign: '(organic)',
      term: rng.chance(0.9) ? '(not provided)' : rng.pick(SEARCH_TERMS),
    }),
  },
  {
    channel: 'paid_search',
    newUserWeight: 15,
    returningWeight: 11,
    conversionLift: 1.3,
    build: (rng) => {
      const source = rng.weighted([
        ['google', 85],
        ['bing', 15],
      ])
      return {
        source,
        medium: 'cpc',
        campaign: rng.weighted([
          ['brand_search', 4],
          ['generic_search_apparel', 3],
          ['shopping_all_products', 3],
        ]),
        term: rng.pick(SEARCH_TERMS.slice(1)),
        hasGclid: source === 'google',
      }
    },
  },
  {
    channel: 'direct',
    newUserWeight: 16,
    returningWeight: 32,
    conversionLift: 1.2,
    build: () => ({ source: '(direct)', medium: '(none)', campaign: '(direct)', term: null }),
  },
  {
    channel: 'referral',
    newUserWeight: 7,
    returningWeight: 4,
    conversionLift: 0.9,
    build: (rng) => ({ source: rng.pick(REFERRERS), medium: 'referral', campaign: '(referral)', term: null }),
  },
  {
    channel: 'email',
    newUserWeight: 2,
    returningWeight: 13,
    conversionLift: 1.6,
    build: (rng) => ({
      source: 'newsletter',
      medium: 'email',
      campaign: rng.weighted([
        ['weekly_newsletter', 5],
        ['holiday_sale', 3],
        ['cart_reminder', 2],
      ]),
      term: null,
    }),
  },
  {
    channel: 'organic_social',
    newUserWeight: 7,
    returningWeight: 5,
    conversionLift: 0.6,
    build: (rng) => {
      // Untagged social links arrive as referrals; links the team posts carry utm_medium=social.
      const isTagged = rng.chance(0.35)
      return {
        source: rng.weighted([
          ['l.facebook.com', 4],
          ['instagram.com', 3],
          ['t.co', 2],
        ]),
        medium: isTagged ? 'social' : 'referral',
        campaign: isTagged ? rng.pick(['product_launch_post', 'ugc_reshare']) : '(referral)',
        term: null,
      }
    },
  },
  {
    channel: 'paid_social',
    newUserWeight: 9,
    returningWeight: 6,
    conversionLift: 0.8,
    build: (rng) => ({
      source: rng.weighted([
        ['facebook', 6],
        ['instagram', 4],
      ]),
      medium: rng.weighted([
        ['paid_social', 7],
        ['cpc', 3],
      ]),
      campaign: rng.weighted([
        ['prospecting_lookalike', 5],
        ['retargeting_cart', 3],
        ['holiday_gifting', 2],
      ]),
      term: null,
    }),
  },
  {
    channel: 'affiliate',
    newUserWeight: 5,
    returningWeight: 4,
    conversionLift: 1.1,
    build: (rng) => ({
      source: rng.pick(['rakuten', 'shareasale', 'awin', 'couponfollow']),
      medium: 'affiliate',
      campaign: 'affiliate_program',
      term: null,
    }),
  },
  {
    channel: 'display',
    newUserWeight: 6,
    returningWeight: 6,
    conversionLift: 0.5,
    build: (rng) => {
      const source = rng.weighted([
        ['google', 6],
        ['criteo', 4],
      ])
      return {
        source,
        medium:
          source === 'criteo'
            ? 'cpm'
            : rng.weighted([
                ['display', 7],
                ['cpm', 3],
              ]),
        campaign: source === 'criteo' ? 'criteo_retargeting' : rng.pick(['gdn_prospecting', 'gdn_remarketing']),
        term: null,
      }
    },
  },
]

const NEW_USER_MIX = CHANNEL_SPECS.map((spec) => [spec, spec.newUserWeight] as const)
const RETURNING_MIX = CHANNEL_SPECS.map((spec) => [spec, spec.returningWeight] as const)
const LIFT = new Map(CHANNEL_SPECS.map((spec) => [spec.channel, spec.conversionLift]))

/** Picks where a session came from; returning sessions lean towards direct, email and brand search. */
export function pickSessionSource(rng: Rng, isReturning: boolean): SessionSource {
  return buildSource(rng, rng.weighted(isReturning ? RETURNING_MIX : NEW_USER_MIX))
}

/** A session source of a chosen channel (source, medium and campaign still vary as in the mix). */
export function sessionSourceOf(rng: Rng, channel: Channel): SessionSource {
  const spec = CHANNEL_SPECS.find((candidate) => candidate.channel === channel)
  if (!spec) throw new Error(`Unknown channel '${channel}'`)
  return buildSource(rng, spec)
}

function buildSource(rng: Rng, spec: ChannelSpec): SessionSource {
  const built = spec.build(rng)
  return { ...built, channel: spec.channel, hasGclid: built.hasGclid ?? false }
}

/** How much more (or less) likely than average a session from this channel is to buy. */
export function conversionLift(channel: Channel): number {
  return LIFT.get(channel) ?? 1
}

/** The `traffic_source` struct GA4 fills from a user's first session. */
export function firstTouchTrafficSource(first: SessionSource): Ga4TrafficSource {
  if (first.channel === 'direct') return { name: '(direct)', medium: '(none)', source: '(direct)' }
  return { name: first.campaign, medium: first.medium, source: first.source }
}

/** Whether the session carries source/medium/campaign params (direct sessions carry none). */
export function hasSourceParams(source: SessionSource): boolean {
  return source.channel !== 'direct'
}
