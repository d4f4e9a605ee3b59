import type { ModelComparisonResult } from '@shared/api'
import { describe, expect, it } from 'vitest'
import { markovOnlyCredits, markovOnlyText } from './data-driven-note'

const cell = (conversions: number) => ({ conversions, revenue_usd: '0.00' })
const result = (models: ModelComparisonResult['models']): ModelComparisonResult => ({
  models,
  by: 'channel',
  rows: [
    {
      channel: 'Email',
      cells: { last_click: cell(3), first_click: cell(2), data_driven: cell(2.5) } as ModelComparisonResult['rows'][number]['cells'],
    },
    {
      channel: 'Affiliates',
      cells: { last_click: cell(0), first_click: cell(0), data_driven: cell(0.7) } as ModelComparisonResult['rows'][number]['cells'],
    },
    {
      channel: 'Paid Search',
      cells: { last_click: cell(0), first_click: cell(0), data_driven: cell(0.9) } as ModelComparisonResult['rows'][number]['cells'],
    },
    {
      channel: 'Display',
      cells: { last_click: cell(0), first_click: cell(1), data_driven: cell(0.3) } as ModelComparisonResult['rows'][number]['cells'],
    },
  ],
  totals: cell(3),
})

describe('markovOnlyCredits', () => {
  it('finds channels only data-driven credits, biggest first', () => {
    expect(markovOnlyCredits(result(['last_click', 'first_click', 'data_driven']))).toEqual([
      { channel: 'Paid Search', conversions: 0.9 },
      { channel: 'Affiliates', conversions: 0.7 },
    ])
  })

  it('says nothing without data-driven or without a rule-based model to hold it against', () => {
    expect(markovOnlyCredits(result(['last_click', 'first_click']))).toEqual([])
    expect(markovOnlyCredits(result(['data_driven']))).toEqual([])
  })
})

describe('markovOnlyText', () => {
  it('names the channels with their credit', () => {
    expect(
      markovOnlyText([
        { channel: 'Paid Search', conversions: 0.9 },
        { channel: 'Affiliates', conversions: 0.7 },
      ]),
    ).toBe('Paid Search (0.9) and Affiliates (0.7) get data-driven credit but appear on no converting path.')
    expect(markovOnlyText([{ channel: 'Affiliates', conversions: 0.7 }])).toBe(
      'Affiliates (0.7) gets data-driven credit but appears on no converting path.',
    )
    expect(markovOnlyText([])).toBeUndefined()
  })
})
