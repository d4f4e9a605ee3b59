import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReferralSettings } from '@shared/referrals'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'

/** One session as a 2020-21 export writes it: a landing page_view naming the traffic source, then a page without one. */
interface Visit {
  user: string
  source: string
  medium: string
  campaign?: string
  /** Extra params of the landing event (ignore_referrer, gclid). */
  params?: Record<string, string>
  /** A second, later event naming another source (the session's next remaining one). */
  then?: { source: string; medium: string }
}

/** The session's source / medium / channel under the settings of each phase of the test. */
type Expected = readonly [source: string, medium: string, channel: string]

const PROPERTY_PAGE = 'https://www.shop-example.co.uk/collections/new?utm_x=1'
const START_MICROS = Date.UTC(2021, 0, 5, 9) * 1000
const DIRECT: Expected = ['(direct)', '(none)', 'Direct']

const LIST: ReferralSettings = {
  detectsSelfReferrals: true,
  unwantedReferrals: [
    { matchType: 'exact', pattern: 'paypal.com' },
    { matchType: 'contains', pattern: 'SSO' },
    { matchType: 'begins_with', pattern: 'accounts.' },
    { matchType: 'ends_with', pattern: 'stripe.com' },
    { matchType: 'regex', pattern: '^auth[0-9]+[.]idp[.]' },
  ],
}

/**
 * Each visit with its session under: no list and detection on (the default); the list; the list
 * with detection off. Expectations follow the rule in docs/assumptions.md, "Unwanted referrals".
 */
const CASES: Array<[Visit, { detection: Expected; list: Expected; listWithoutDetection: Expected }]> = [
  // Self-referrals: a sibling subdomain, www., a port, a trailing dot, any case.
  [
    { user: 'sibling_subdomain', source: 'blog.shop-example.co.uk', medium: 'referral' },
    { detection: DIRECT, list: DIRECT, listWithoutDetection: ['blog.shop-example.co.uk', 'referral', 'Referral'] },
  ],
  [
    { user: 'www_then_search', source: 'www.shop-example.co.uk', medium: 'referral', then: { source: 'google', medium: 'organic' } },
    {
      detection: ['google', 'organic', 'Organic Search'],
      list: ['google', 'organic', 'Organic Search'],
      listWithoutDetection: ['www.shop-example.co.uk', 'referral', 'Referral'],
    },
  ],
  [
    { user: 'port', source: 'shop-example.co.uk:8443', medium: 'referral' },
    { detection: DIRECT, list: DIRECT, listWithoutDetection: ['shop-example.co.uk:8443', 'referral', 'Referral'] },
  ],
  [
    { user: 'trailing_dot', source: 'Shop-Example.CO.UK.', medium: 'Referral' },
    { detection: DIRECT, list: DIRECT, listWithoutDetection: ['Shop-Example.CO.UK.', 'Referral', 'Referral'] },
  ],
  // Tagged traffic keeps an own-domain source: a UTM medium, and an auto-tagged click.
  [
    { user: 'utm_tagged_own_domain', source: 'shop-example.co.uk', medium: 'email', campaign: 'january_newsletter' },
    {
      detection: ['shop-example.co.uk', 'email', 'Email'],
      list: ['shop-example.co.uk', 'email', 'Email'],
      listWithoutDetection: ['shop-example.co.uk', 'email', 'Email'],
    },
  ],
  [
    { user: 'gclid_own_domain', source: 'shop-example.co.uk', medium: 'referral', params: { gclid: 'Cj0KCQiAxbefBhDf' } },
    {
      detection: ['shop-example.co.uk', 'referral', 'Paid Search'],
      list: ['shop-example.co.uk', 'referral', 'Paid Search'],
      listWithoutDetection: ['shop-example.co.uk', 'referral', 'Paid Search'],
    },
  ],
  // Another site under the same public suffix is not the property's.
  [
    { user: 'other_co_uk', source: 'other-shop.co.uk', medium: 'referral' },
    {
      detection: ['other-shop.co.uk', 'referral', 'Referral'],
      list: ['other-shop.co.uk', 'referral', 'Referral'],
      listWithoutDetection: ['other-shop.co.uk', 'referral', 'Referral'],
    },
  ],
  // The tag's ignore_referrer, whatever the settings.
  [
    {
      user: 'ignore_referrer',
      source: 'partner.example',
      medium: 'referral',
      params: { ignore_referrer: 'true' },
      then: { source: 'bing', medium: 'organic' },
    },
    {
      detection: ['bing', 'organic', 'Organic Search'],
      list: ['bing', 'organic', 'Organic Search'],
      listWithoutDetection: ['bing', 'organic', 'Organic Search'],
    },
  ],
  // One source per match type of the list.
  [
    { user: 'exact', source: 'www.PayPal.com', medium: 'referral' },
    { detection: ['www.PayPal.com', 'referral', 'Referral'], list: DIRECT, listWithoutDetection: DIRECT },
  ],
  [
    { user: 'contains', source: 'login.sso-partner.net', medium: 'referral' },
    { detection: ['login.sso-partner.net', 'referral', 'Referral'], list: DIRECT, listWithoutDetection: DIRECT },
  ],
  [
    { user: 'begins_with', source: 'accounts.google.com', medium: 'referral' },
    { detection: ['accounts.google.com', 'referral', 'Referral'], list: DIRECT, listWithoutDetection: DIRECT },
  ],
  // checkout.stripe.com is a shopping site in Google's source categories.
  [
    { user: 'ends_with', source: 'checkout.stripe.com', medium: 'referral' },
    { detection: ['checkout.stripe.com', 'referral', 'Organic Shopping'], list: DIRECT, listWithoutDetection: DIRECT },
  ],
  [
    { user: 'regex', source: 'AUTH12.idp.example.org', medium: 'referral' },
    { detection: ['AUTH12.idp.example.org', 'referral', 'Referral'], list: DIRECT, listWithoutDetection: DIRECT },
  ],
  // Near misses stay referrals: paypal.com as a label of another domain, a regex that needs digits.
  [
    { user: 'near_misses', source: 'paypal.com.example.net', medium: 'referral' },
    {
      detection: ['paypal.com.example.net', 'referral', 'Referral'],
      list: ['paypal.com.example.net', 'referral', 'Referral'],
      listWithoutDetection: ['paypal.com.example.net', 'referral', 'Referral'],
    },
  ],
  [
    { user: 'regex_near_miss', source: 'auth.idp.example.org', medium: 'referral' },
    {
      detection: ['auth.idp.example.org', 'referral', 'Referral'],
      list: ['auth.idp.example.org', 'referral', 'Referral'],
      listWithoutDetection: ['auth.idp.example.org', 'referral', 'Referral'],
    },
  ],
]

function param(key: string, value: string | number) {
  return { key, value: typeof value === 'number' ? { int_value: value } : { string_value: value } }
}

/** The visits as export rows (NDJSON), one session each, with page_location as the tag sends it. */
function exportRows(): string {
  const rows: unknown[] = []
  for (const [index, [visit]] of CASES.entries()) {
    const sessionId = 1_609_830_000 + index
    const at = START_MICROS + index * 60_000_000
    const landing = [
      param('ga_session_id', sessionId),
      param('page_location', PROPERTY_PAGE),
      param('source', visit.source),
      param('medium', visit.medium),
    ]
    if (visit.campaign) landing.push(param('campaign', visit.campaign))
    for (const [key, value] of Object.entries(visit.params ?? {})) landing.push(param(key, value))
    const later = [param('ga_session_id', sessionId), param('page_location', PROPERTY_PAGE)]
    if (visit.then) later.push(param('source', visit.then.source), param('medium', visit.then.medium))
    for (const [offset, params] of [landing, later].entries()) {
      rows.push({
        event_date: '20210105',
        event_timestamp: at + offset * 5_000_000,
        event_name: 'page_view',
        event_params: params,
        user_pseudo_id: visit.user,
      })
    }
  }
  return `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`
}

describe('unwanted referrals on export rows', () => {
  const temp = makeTempDir('unwanted-referrals')
  const warehouse = new EmbeddedWarehouse(join(temp.dir, 'warehouse.duckdb'))

  async function sessions(): Promise<Record<string, Expected>> {
    return warehouse.exclusive(() =>
      withDuckDbFile(warehouse.path, { readOnly: true }, async ({ connection }) => {
        const reader = await connection.runAndReadAll('select user_key, source, medium, channel from attribution.int_sessions_classified')
        return Object.fromEntries(
          reader
            .getRowObjectsJson()
            .map((row) => [String(row.user_key), [String(row.source), String(row.medium), String(row.channel)] as const]),
        )
      }),
    )
  }
  const expected = (phase: 'detection' | 'list' | 'listWithoutDetection') =>
    Object.fromEntries(CASES.map(([visit, phases]) => [visit.user, phases[phase]]))

  beforeAll(async () => {
    const file = join(temp.dir, 'events_20210105.ndjson')
    writeFileSync(file, exportRows())
    await warehouse.importFiles([file])
    // As an import in the app: a full build (seeds included); the changes below are incremental runs.
    assertDbtSucceeded(await warehouse.build())
  }, 600_000)
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  it('skips self-referrals by default: sibling subdomains, www., ports, trailing dots; keeps tagged traffic and other co.uk sites', async () => {
    expect(await warehouse.referralSettings()).toEqual({ detectsSelfReferrals: true, unwantedReferrals: [] })
    expect(await sessions()).toEqual(expected('detection'))
  })

  it('suggests the own-domain and payment or sign-in sources with their sessions', async () => {
    const candidates = await warehouse.referralCandidates()
    const byHost = Object.fromEntries(
      candidates.map((candidate) => [candidate.source, [candidate.reason, candidate.sessions, candidate.isUnwanted]]),
    )
    expect(byHost).toEqual({
      'blog.shop-example.co.uk': ['own-domain', 1, true],
      'www.shop-example.co.uk': ['own-domain', 1, true],
      'shop-example.co.uk:8443': ['own-domain', 1, true],
      'Shop-Example.CO.UK.': ['own-domain', 1, true],
      'shop-example.co.uk': ['own-domain', 1, true],
      'www.PayPal.com': ['payment-or-identity', 1, false],
      'accounts.google.com': ['payment-or-identity', 1, false],
      'checkout.stripe.com': ['payment-or-identity', 1, false],
    })
  })

  it('skips a source by each match type of the list, on an incremental run', async () => {
    await warehouse.saveReferralSettings(LIST)
    assertDbtSucceeded(await warehouse.build({ command: 'run' }))
    expect(await sessions()).toEqual(expected('list'))
  }, 600_000)

  it('keeps self-referrals with detection off', async () => {
    await warehouse.saveReferralSettings({ ...LIST, detectsSelfReferrals: false })
    expect((await warehouse.referralSettings()).detectsSelfReferrals).toBe(false)
    assertDbtSucceeded(await warehouse.build({ command: 'run' }))
    expect(await sessions()).toEqual(expected('listWithoutDetection'))
  }, 600_000)

  it('refuses an invalid regex with the reason, and stores nothing', async () => {
    const before = await warehouse.referralSettings()
    await expect(
      warehouse.saveReferralSettings({ detectsSelfReferrals: true, unwantedReferrals: [{ matchType: 'regex', pattern: 'pay(pal' }] }),
    ).rejects.toThrow(/"pay\(pal" is not a valid regular expression \(missing \)/)
    await expect(
      warehouse.saveReferralSettings({ detectsSelfReferrals: true, unwantedReferrals: [{ matchType: 'matches', pattern: 'x' }] }),
    ).rejects.toThrow(/matchType must be one of/)
    expect(await warehouse.referralSettings()).toEqual(before)
  })

  it('a one-off build flag overrides the stored list for that run only', async () => {
    assertDbtSucceeded(await warehouse.build({ command: 'run', unwantedReferrals: [], detectsSelfReferrals: true }))
    expect(await sessions()).toEqual(expected('detection'))
    assertDbtSucceeded(await warehouse.build({ command: 'run' }))
    expect(await sessions()).toEqual(expected('listWithoutDetection'))
  }, 600_000)
})
