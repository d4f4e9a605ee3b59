import type { ModelComparisonResult } from '@shared/api'
import { ATTRIBUTION_MODELS, type AttributionModel } from '@shared/attribution'
import { describe, expect, it } from 'vitest'
import { creditChanges, creditChangesText, formatDelta } from './credit-changes'

/** An answer where every model gives each channel `conversions[channel]`, with `patch` per model on top. */
function answer(
  conversions: Record<string, number>,
  patch: Partial<Record<AttributionModel, Record<string, number>>> = {},
): ModelComparisonResult {
  const cell = (model: AttributionModel, channel: string) => ({
    conversions: patch[model]?.[channel] ?? conversions[channel] ?? 0,
    revenue_usd: '0.00',
  })
  return {
    models: [...ATTRIBUTION_MODELS],
    by: 'channel',
    rows: Object.keys(conversions).map((channel) => ({
      channel,
      cells: Object.fromEntries(
        ATTRIBUTION_MODELS.map((model) => [model, cell(model, channel)]),
      ) as ModelComparisonResult['rows'][number]['cells'],
    })),
    totals: { conversions: 0, revenue_usd: '0.00' },
  }
}

describe('creditChanges', () => {
  it('names what a demo burst moved: first click and last click first', () => {
    const before = answer({ Email: 3, Referral: 5, Direct: 2 })
    const after = answer(
      { Email: 3, Referral: 5, Direct: 2 },
      { first_click: { Email: 4 }, last_click: { Referral: 6 }, linear: { Email: 3.5, Referral: 5.5 } },
    )
    const changes = creditChanges(before, after)
    expect(changes.slice(0, 2)).toEqual([
      { model: 'first_click', channel: 'Email', delta: 1 },
      { model: 'last_click', channel: 'Referral', delta: 1 },
    ])
    expect(creditChangesText(changes)).toBe('Email +1 under first click, Referral +1 under last click, 2 changes under the other models')
  })

  it('finds nothing when nothing moved, and counts a channel that is new', () => {
    expect(creditChanges(answer({ Email: 3 }), answer({ Email: 3 }))).toEqual([])
    const changes = creditChanges(answer({ Email: 3 }), answer({ Email: 3, Affiliates: 0 }, { last_click: { Affiliates: 1 } }))
    expect(changes).toEqual([{ model: 'last_click', channel: 'Affiliates', delta: 1 }])
  })

  it('writes deltas with a sign and at most two decimals', () => {
    expect(formatDelta(1)).toBe('+1')
    expect(formatDelta(-0.333)).toBe('−0.33')
  })
})
