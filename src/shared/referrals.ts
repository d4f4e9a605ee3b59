/**
 * Unwanted referrals, as GA4's "List unwanted referrals" and its self-referral detection: the list
 * and the switch the app and the CLI both read and change (the warehouse keeps them; dbt applies
 * them, docs/assumptions.md "Unwanted referrals").
 */
import type { Result } from './attribution'
import { isRecord } from './is-record'

/** GA4's match types, as stored; the dbt macro unwanted_referral_match_types spells the same ids. */
export const REFERRAL_MATCH_TYPES = ['exact', 'contains', 'begins_with', 'ends_with', 'regex'] as const
export type ReferralMatchType = (typeof REFERRAL_MATCH_TYPES)[number]

/** How GA4's screen words each match type. */
export const REFERRAL_MATCH_TYPE_LABELS: Record<ReferralMatchType, string> = {
  exact: 'exactly matches',
  contains: 'contains',
  begins_with: 'begins with',
  ends_with: 'ends with',
  regex: 'matches regex',
}

/** One rule of the list: matched case-insensitively against a referral source's normalised host. */
export interface UnwantedReferral {
  matchType: ReferralMatchType
  pattern: string
}

/** The list and the self-referral switch, as the warehouse keeps them. */
export interface ReferralSettings {
  /** Referral sources on the property's own registrable domains are skipped (GA4's default: on). */
  detectsSelfReferrals: boolean
  unwantedReferrals: UnwantedReferral[]
}

/** A referral source worth listing, found in the data, with the sessions it names. */
export interface ReferralCandidate {
  /** The source as the data holds it, and its normalised host (what a rule matches). */
  source: string
  host: string
  /** Sessions with an event naming this source as a referral. */
  sessions: number
  /** `own-domain`: a host of the property's own registrable domain; `payment-or-identity`: a known checkout or sign-in host. */
  reason: 'own-domain' | 'payment-or-identity'
  /** Already skipped by the list or by self-referral detection. */
  isUnwanted: boolean
}

/** `referrals:get` answer: the settings and the candidates the data suggests. */
export interface ReferralSettingsView {
  settings: ReferralSettings
  candidates: ReferralCandidate[]
}

/** Defaults of a new warehouse: detection on, nothing listed. */
export const DEFAULT_REFERRAL_SETTINGS: ReferralSettings = { detectsSelfReferrals: true, unwantedReferrals: [] }

/** Most rules in the list, and the longest pattern (GA4 allows 50 rules). */
export const MAX_UNWANTED_REFERRALS = 50
export const MAX_REFERRAL_PATTERN_LENGTH = 255

/** Payment and identity hosts that send shoppers back mid-journey; a source on one (or a subdomain) is suggested. */
export const PAYMENT_AND_IDENTITY_HOSTS: readonly string[] = [
  'paypal.com',
  'checkout.stripe.com',
  'stripe.com',
  'accounts.google.com',
  'pay.google.com',
  'appleid.apple.com',
  'login.microsoftonline.com',
  'login.live.com',
  'klarna.com',
  'afterpay.com',
  'affirm.com',
  'adyen.com',
  'checkout.shopify.com',
  'shop.app',
  'amazonpay.com',
  'pay.amazon.com',
  'auth0.com',
  'okta.com',
  '3dsecure.io',
  'secure5.arcot.com',
]

/** A host as GA4 compares referrers: trimmed, lowercase, without a port, a trailing dot and a leading www. (the dbt macro normalized_host). */
export function normalizeHost(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/:[0-9]*$/, '')
    .replace(/\.$/, '')
    .replace(/^www\./, '')
}

/** True when a normalised host is one of PAYMENT_AND_IDENTITY_HOSTS or a subdomain of one. */
export function isPaymentOrIdentityHost(host: string): boolean {
  return PAYMENT_AND_IDENTITY_HOSTS.some((known) => host === known || host.endsWith(`.${known}`))
}

/**
 * Checks one rule's shape; exact and other plain patterns are stored normalised (an exact
 * `www.PayPal.com` is `paypal.com`). A regex is checked by the warehouse's own engine (RE2) on save.
 */
export function validateUnwantedReferral(input: unknown): Result<UnwantedReferral> {
  if (!isRecord(input)) return { ok: false, error: 'An unwanted referral must be an object with matchType and pattern.' }
  const { matchType, pattern } = input
  if (!(REFERRAL_MATCH_TYPES as readonly unknown[]).includes(matchType)) {
    return { ok: false, error: `matchType must be one of ${REFERRAL_MATCH_TYPES.join(', ')}.` }
  }
  if (typeof pattern !== 'string' || pattern.trim() === '') return { ok: false, error: 'An unwanted referral needs a domain or pattern.' }
  if (pattern.length > MAX_REFERRAL_PATTERN_LENGTH || /[\0\r\n]/.test(pattern)) {
    return { ok: false, error: `A pattern is one line of at most ${MAX_REFERRAL_PATTERN_LENGTH} characters.` }
  }
  const type = matchType as ReferralMatchType
  const text = type === 'regex' ? pattern.trim() : type === 'exact' ? normalizeHost(pattern) : pattern.trim().toLowerCase()
  if (text === '') return { ok: false, error: 'An unwanted referral needs a domain or pattern.' }
  return { ok: true, value: { matchType: type, pattern: text } }
}

/** Checks the whole settings: a boolean switch and at most MAX_UNWANTED_REFERRALS distinct rules. */
export function validateReferralSettings(input: unknown): Result<ReferralSettings> {
  if (!isRecord(input)) return { ok: false, error: 'Referral settings must be an object.' }
  if (typeof input.detectsSelfReferrals !== 'boolean') return { ok: false, error: 'detectsSelfReferrals must be true or false.' }
  if (!Array.isArray(input.unwantedReferrals)) return { ok: false, error: 'unwantedReferrals must be a list.' }
  if (input.unwantedReferrals.length > MAX_UNWANTED_REFERRALS)
    return { ok: false, error: `At most ${MAX_UNWANTED_REFERRALS} unwanted referrals.` }
  const rules: UnwantedReferral[] = []
  for (const item of input.unwantedReferrals) {
    const rule = validateUnwantedReferral(item)
    if (!rule.ok) return rule
    if (!rules.some((kept) => kept.matchType === rule.value.matchType && kept.pattern === rule.value.pattern)) rules.push(rule.value)
  }
  return { ok: true, value: { detectsSelfReferrals: input.detectsSelfReferrals, unwantedReferrals: rules } }
}

/** One rule in words: "ends with paypal.com". */
export function describeUnwantedReferral(rule: UnwantedReferral): string {
  return `${REFERRAL_MATCH_TYPE_LABELS[rule.matchType]} ${rule.pattern}`
}

/** The context line's part for the settings, or null at the defaults (detection on, nothing listed). */
export function describeReferralSettings(settings: ReferralSettings): string | null {
  const parts: string[] = []
  if (settings.unwantedReferrals.length > 0)
    parts.push(`unwanted referrals: ${settings.unwantedReferrals.map(describeUnwantedReferral).join(', ')}`)
  if (!settings.detectsSelfReferrals) parts.push('self-referrals kept')
  return parts.length > 0 ? parts.join(' · ') : null
}

/** Parses a CLI rule `TYPE:PATTERN` (`ends_with:paypal.com`). */
export function parseUnwantedReferral(text: string): Result<UnwantedReferral> {
  const colon = text.indexOf(':')
  if (colon < 0)
    return {
      ok: false,
      error: `"${text.slice(0, 80)}" is not TYPE:PATTERN; TYPE is one of ${REFERRAL_MATCH_TYPES.join(', ')} (e.g. ends_with:paypal.com).`,
    }
  return validateUnwantedReferral({
    matchType: text.slice(0, colon).trim().toLowerCase().replace(/-/g, '_'),
    pattern: text.slice(colon + 1),
  })
}
