/**
 * Fixed colours for GA4's default channel groups, so a channel looks the same in every chart and
 * table and no two of them share a colour (the hash below can collide).
 */
const KNOWN_CHANNEL_COLORS: Readonly<Record<string, string>> = {
  organic_search: '#59a14f',
  paid_search: '#4e79a7',
  direct: '#79706e',
  referral: '#f28e2b',
  email: '#e15759',
  organic_social: '#76b7b2',
  paid_social: '#b07aa1',
  affiliate: '#edc948',
  affiliates: '#edc948',
  display: '#ff9da7',
  unassigned: '#bab0ac',
  organic_shopping: '#8cd17d',
  paid_shopping: '#a0cbe8',
  organic_video: '#d37295',
  paid_video: '#9d7660',
  paid_other: '#86bcb6',
  cross_network: '#499894',
  audio: '#ffbe7d',
  sms: '#d4a6c8',
  mobile_push_notifications: '#b6992d',
}

/** Colours for channels outside the list (custom groupings), picked by a stable hash of the name. */
const FALLBACK_COLORS = ['#9c755f', '#499894', '#86bcb6', '#d4a6c8', '#8cd17d', '#f1ce63', '#a0cbe8', '#ffbe7d', '#d37295']

/** "Organic Search", "organic-search" and "organic_search" are one channel. */
function channelKey(channel: string): string {
  return channel
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
}

/** The colour of a channel: fixed for known channels, else stable per name across runs and charts. */
export function channelColor(channel: string): string {
  const key = channelKey(channel)
  const known = KNOWN_CHANNEL_COLORS[key]
  if (known) return known
  let hash = 0
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return FALLBACK_COLORS[hash % FALLBACK_COLORS.length] ?? '#9c755f'
}
