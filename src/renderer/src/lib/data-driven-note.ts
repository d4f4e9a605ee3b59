import type { ModelComparisonResult } from '@shared/api'
import { isRuleBasedModel } from '@shared/attribution'
import { formatConversions } from './format'

/** A channel data-driven credits although no rule-based model does: none of its conversions' paths has it. */
export interface MarkovOnlyCredit {
  channel: string
  conversions: number
}

/**
 * Channels with data-driven credit and none under every rule-based model answered ("Paid Search 0.9"):
 * seen only on journeys that did not convert. Empty without data-driven or without a rule-based model.
 */
export function markovOnlyCredits(result: ModelComparisonResult): MarkovOnlyCredit[] {
  const ruleBased = result.models.filter(isRuleBasedModel)
  if (!result.models.includes('data_driven') || ruleBased.length === 0) return []
  return result.rows
    .filter(
      (row) => (row.cells.data_driven?.conversions ?? 0) > 0 && ruleBased.every((model) => (row.cells[model]?.conversions ?? 0) === 0),
    )
    .map((row) => ({ channel: row.channel, conversions: row.cells.data_driven?.conversions ?? 0 }))
    .sort((a, b) => b.conversions - a.conversions || a.channel.localeCompare(b.channel))
}

/** Why data-driven credits a channel no conversion's path has, in one place for every view that shows it. */
export const MARKOV_WHY =
  'Data-driven is a Markov chain over all journeys, converting or not, and it only knows the current channel: ' +
  'a channel whose visitors go on to channels from which other visitors convert gets some credit, ' +
  'even if no converting path includes it. Rule-based models credit only the converting paths.'

/** The note naming such channels: "Paid Search (0.9) and Affiliates (0.7) get data-driven credit but appear on no converting path." */
export function markovOnlyText(credits: readonly MarkovOnlyCredit[]): string | undefined {
  if (credits.length === 0) return undefined
  const names = credits.map((credit) => `${credit.channel} (${formatConversions(credit.conversions)})`)
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
  return `${list} ${credits.length === 1 ? 'gets' : 'get'} data-driven credit but ${credits.length === 1 ? 'appears' : 'appear'} on no converting path.`
}
