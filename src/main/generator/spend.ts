import { writeFileSync } from 'node:fs'
import { type Channel, pickSessionSource } from './channels'
import type { GenerateOptions } from './generate'
import { windowOf } from './generate'
import { createRng, deriveSeed } from './rng'

/** Cost per paid click (USD) of the generator's paid channels; affiliates are paid by commission, not here. */
const COST_PER_CLICK_USD: Partial<Record<Channel, number>> = { paid_search: 0.6, paid_social: 0.4, display: 0.15 }

/** Sessions a user has on average over the window (new and returning), for the click estimate. */
const SESSIONS_PER_USER = 2
const MIX_SAMPLES = 20_000
const MICROS_PER_DAY = 86_400_000_000

/** One day's generated spend on one campaign. */
export interface SampleSpendRow {
  date: string
  source: string
  medium: string
  campaign: string
  clicks: number
  costCents: number
}

/**
 * Daily spend on every paid campaign the generator's journeys use, in proportion to the sessions
 * it sends: each (source, medium, campaign)'s share of sessions is measured by drawing the
 * generator's own session sources, so spend follows its campaigns by construction; clicks are the
 * expected sessions a day, cost their clicks at the channel's cost per click, give or take 20%.
 */
export function generateSpendRows(options: Pick<GenerateOptions, 'seed' | 'users' | 'days' | 'endDate'>): SampleSpendRow[] {
  const mix = new Map<string, { channel: Channel; source: string; medium: string; campaign: string; count: number }>()
  const mixRng = createRng(deriveSeed(options.seed, 0x5be4d))
  for (let index = 0; index < MIX_SAMPLES; index += 1) {
    const picked = pickSessionSource(mixRng, mixRng.chance(0.5))
    if (COST_PER_CLICK_USD[picked.channel] === undefined) continue
    const key = JSON.stringify([picked.source, picked.medium, picked.campaign])
    const found = mix.get(key) ?? {
      channel: picked.channel,
      source: picked.source,
      medium: picked.medium,
      campaign: picked.campaign,
      count: 0,
    }
    found.count += 1
    mix.set(key, found)
  }
  const { startMicros } = windowOf(options)
  const sessionsPerDay = (options.users * SESSIONS_PER_USER) / options.days
  const rng = createRng(deriveSeed(options.seed, 0xc057))
  const campaigns = [...mix.values()].sort((a, b) =>
    JSON.stringify([a.source, a.medium, a.campaign]).localeCompare(JSON.stringify([b.source, b.medium, b.campaign])),
  )
  const rows: SampleSpendRow[] = []
  for (let day = 0; day < options.days; day += 1) {
    const date = new Date((startMicros + day * MICROS_PER_DAY) / 1000).toISOString().slice(0, 10)
    for (const campaign of campaigns) {
      const clicks = Math.max(1, Math.round(((sessionsPerDay * campaign.count) / MIX_SAMPLES) * (0.8 + 0.4 * rng.next())))
      const costCents = Math.round(clicks * (COST_PER_CLICK_USD[campaign.channel] ?? 0) * 100 * (0.8 + 0.4 * rng.next()))
      rows.push({ date, source: campaign.source, medium: campaign.medium, campaign: campaign.campaign, clicks, costCents })
    }
  }
  return rows
}

/** Writes the sample's spend as the plain spend layout (date, source, medium, campaign, cost, currency, clicks). */
export function writeSampleSpendCsv(path: string, options: Pick<GenerateOptions, 'seed' | 'users' | 'days' | 'endDate'>): number {
  const rows = generateSpendRows(options)
  const lines = rows.map(
    (row) => `${row.date},${row.source},${row.medium},${row.campaign},${(row.costCents / 100).toFixed(2)},USD,${row.clicks}`,
  )
  writeFileSync(path, `date,source,medium,campaign,cost,currency,clicks\n${lines.join('\n')}\n`)
  return rows.length
}
