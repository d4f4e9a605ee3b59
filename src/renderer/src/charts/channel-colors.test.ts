import { describe, expect, it } from 'vitest'
import { channelColor } from './channel-colors'

describe('channelColor', () => {
  it('gives the known channels distinct fixed colours', () => {
    const channels = [
      'organic_search',
      'paid_search',
      'direct',
      'referral',
      'email',
      'organic_social',
      'paid_social',
      'affiliates',
      'display',
    ]
    const colors = channels.map(channelColor)
    expect(new Set(colors).size).toBe(channels.length)
    for (const color of colors) expect(color).toMatch(/^#[0-9a-f]{6}$/)
  })

  it('treats GA4 display names and snake_case as one channel', () => {
    expect(channelColor('Organic Search')).toBe(channelColor('organic_search'))
    expect(channelColor(' paid-social ')).toBe(channelColor('paid_social'))
  })

  it('gives every GA4 default channel group its own colour', () => {
    const groups = [
      'Direct',
      'Cross-network',
      'Paid Shopping',
      'Paid Search',
      'Paid Social',
      'Paid Video',
      'Display',
      'Paid Other',
      'Organic Shopping',
      'Organic Social',
      'Organic Video',
      'Organic Search',
      'Referral',
      'Email',
      'Affiliates',
      'Audio',
      'SMS',
      'Mobile Push Notifications',
      'Unassigned',
    ]
    expect(new Set(groups.map(channelColor)).size).toBe(groups.length)
  })

  it('gives unknown channels a stable colour', () => {
    expect(channelColor('Cross-network')).toBe(channelColor('cross_network'))
    expect(channelColor('my custom channel')).toMatch(/^#[0-9a-f]{6}$/)
    expect(channelColor('my custom channel')).toBe(channelColor('my custom channel'))
  })
})
