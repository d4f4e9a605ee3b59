import { GENERATED_CHANNEL_GROUPS } from '@shared/generated/vocabulary'

/**
 * Fixed colours for GA4's default channel groups (dbt's seed channel_groups), so a channel looks the
 * same in every chart and table and no two of them share a colour (the hash below can collide).
 */
const KNOWN_CHANNEL_COLORS: ReadonlyMap<string, string> = new Map(
  GENERATED_CHANNEL_GROUPS.map((group) => [channelKey(group.name), group.colour]),
)

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
  const known = KNOWN_CHANNEL_COLORS.get(key)
  if (known) return known
  let hash = 0
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return FALLBACK_COLORS[hash % FALLBACK_COLORS.length] ?? '#9c755f'
}
