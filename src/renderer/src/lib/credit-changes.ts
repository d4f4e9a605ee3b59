import type { ModelComparisonResult } from '@shared/api'
import { ATTRIBUTION_MODELS, type AttributionModel, listAttributionModels } from '@shared/attribution'

/** One channel's conversions under one model, before and after new numbers arrived. */
export interface CreditChange {
  model: AttributionModel
  channel: string
  delta: number
}

/** Changes smaller than this are rounding (fractional models), not news. */
const SMALLEST_CHANGE = 0.005
/** The models whose changes are named first: the two a presenter compares. */
const HEADLINE_MODELS: readonly AttributionModel[] = ['first_click', 'last_click']

/** Every model's channel credit that differs between two answers for the same filters, first and last click first, biggest first. */
export function creditChanges(before: ModelComparisonResult, after: ModelComparisonResult): CreditChange[] {
  const conversions = (result: ModelComparisonResult, model: AttributionModel, channel: string) =>
    result.rows.find((row) => row.channel === channel)?.cells[model]?.conversions ?? 0
  const channels = [...new Set([...before.rows, ...after.rows].map((row) => row.channel))]
  const changes: CreditChange[] = []
  for (const model of ATTRIBUTION_MODELS) {
    for (const channel of channels) {
      const delta = conversions(after, model, channel) - conversions(before, model, channel)
      if (Math.abs(delta) >= SMALLEST_CHANGE) changes.push({ model, channel, delta })
    }
  }
  const rank = (model: AttributionModel) => (HEADLINE_MODELS.includes(model) ? HEADLINE_MODELS.indexOf(model) : HEADLINE_MODELS.length)
  return changes.sort(
    (a, b) => rank(a.model) - rank(b.model) || Math.abs(b.delta) - Math.abs(a.delta) || a.channel.localeCompare(b.channel),
  )
}

/** A delta as people write it: "+1", "−0.5". */
export function formatDelta(delta: number): string {
  const rounded = Math.round(delta * 100) / 100
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toLocaleString('en-US', { maximumFractionDigits: 2 })}`
}

/** "Email +1 under first click, Referral +1 under last click" and how many changes under other models. */
export function creditChangesText(changes: readonly CreditChange[]): string {
  const names = new Map(listAttributionModels().map((model) => [model.id, model.name.toLowerCase()]))
  const headline = changes.filter((change) => HEADLINE_MODELS.includes(change.model))
  const others = changes.length - headline.length
  const parts = headline.map((change) => `${change.channel} ${formatDelta(change.delta)} under ${names.get(change.model) ?? change.model}`)
  if (others > 0) parts.push(`${others} ${others === 1 ? 'change' : 'changes'} under the other models`)
  return parts.join(', ')
}
