import { describe, expect, it } from 'vitest'
import {
  describeReferralSettings,
  isPaymentOrIdentityHost,
  normalizeHost,
  parseUnwantedReferral,
  validateReferralSettings,
  validateUnwantedReferral,
} from './referrals'

describe('unwanted referral rules', () => {
  it('normalises hosts as the dbt macro does: case, port, trailing dot, one leading www.', () => {
    expect(normalizeHost(' WWW.Shop.Example.co.uk.:8443 ')).toBe('shop.example.co.uk')
    expect(normalizeHost('www.www.example.com')).toBe('www.example.com')
    expect(normalizeHost('example.com.')).toBe('example.com')
  })

  it('stores exact patterns normalised, other plain ones lowercase, a regex as typed', () => {
    expect(validateUnwantedReferral({ matchType: 'exact', pattern: 'www.PayPal.com' })).toEqual({
      ok: true,
      value: { matchType: 'exact', pattern: 'paypal.com' },
    })
    expect(validateUnwantedReferral({ matchType: 'contains', pattern: ' SSO ' })).toEqual({
      ok: true,
      value: { matchType: 'contains', pattern: 'sso' },
    })
    expect(validateUnwantedReferral({ matchType: 'regex', pattern: '^Auth[0-9]+' })).toEqual({
      ok: true,
      value: { matchType: 'regex', pattern: '^Auth[0-9]+' },
    })
  })

  it('refuses unknown match types, empty and multi-line patterns, and too many rules', () => {
    expect(validateUnwantedReferral({ matchType: 'matches', pattern: 'x' })).toMatchObject({ ok: false })
    expect(validateUnwantedReferral({ matchType: 'exact', pattern: '  ' })).toMatchObject({ ok: false })
    expect(validateUnwantedReferral({ matchType: 'exact', pattern: 'a\nb' })).toMatchObject({ ok: false })
    const many = Array.from({ length: 51 }, (_, i) => ({ matchType: 'exact', pattern: `h${i}.com` }))
    expect(validateReferralSettings({ detectsSelfReferrals: true, unwantedReferrals: many })).toMatchObject({ ok: false })
    expect(validateReferralSettings({ detectsSelfReferrals: 'yes', unwantedReferrals: [] })).toMatchObject({ ok: false })
  })

  it('keeps one copy of a repeated rule', () => {
    const rule = { matchType: 'ends_with', pattern: 'stripe.com' }
    expect(validateReferralSettings({ detectsSelfReferrals: true, unwantedReferrals: [rule, rule] })).toEqual({
      ok: true,
      value: { detectsSelfReferrals: true, unwantedReferrals: [{ matchType: 'ends_with', pattern: 'stripe.com' }] },
    })
  })

  it('parses the CLI form TYPE:PATTERN', () => {
    expect(parseUnwantedReferral('ends-with:Stripe.com')).toEqual({ ok: true, value: { matchType: 'ends_with', pattern: 'stripe.com' } })
    expect(parseUnwantedReferral('regex:^a:b$')).toEqual({ ok: true, value: { matchType: 'regex', pattern: '^a:b$' } })
    expect(parseUnwantedReferral('paypal.com')).toMatchObject({ ok: false })
  })

  it('names the settings in the context line only when they differ from the defaults', () => {
    expect(describeReferralSettings({ detectsSelfReferrals: true, unwantedReferrals: [] })).toBeNull()
    expect(
      describeReferralSettings({ detectsSelfReferrals: false, unwantedReferrals: [{ matchType: 'ends_with', pattern: 'google.com' }] }),
    ).toBe('unwanted referrals: ends with google.com · self-referrals kept')
  })

  it('recognises payment and sign-in hosts and their subdomains, not look-alikes', () => {
    expect(isPaymentOrIdentityHost('paypal.com')).toBe(true)
    expect(isPaymentOrIdentityHost('checkout.paypal.com')).toBe(true)
    expect(isPaymentOrIdentityHost('accounts.google.com')).toBe(true)
    expect(isPaymentOrIdentityHost('notpaypal.com')).toBe(false)
    expect(isPaymentOrIdentityHost('paypal.com.evil.net')).toBe(false)
  })
})
