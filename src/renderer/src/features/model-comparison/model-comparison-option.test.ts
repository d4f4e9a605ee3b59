import type { BarSeriesOption } from 'echarts'
import { describe, expect, it } from 'vitest'
import { modelComparisonRows } from '@renderer/lib/model-comparison'
import { MODEL_COLORS, channelAxisLabel } from '@renderer/charts/chart-style'
import { MODEL_CHART_MAX_CHANNELS, buildModelComparisonOption } from './model-comparison-option'
import { MODEL_COMPARISON } from '@renderer/testing/test-rows'

const MODELS = [
  { id: 'last_click', name: 'Last click' },
  { id: 'linear', name: 'Linear' },
] as const
const ROWS = modelComparisonRows(MODEL_COMPARISON)
const seriesOf = (option: ReturnType<typeof buildModelComparisonOption>) => option.series as BarSeriesOption[]

describe('buildModelComparisonOption', () => {
  it('groups one bar per model under each channel, in table order, named and coloured by model', () => {
    const option = buildModelComparisonOption(ROWS, { models: MODELS, metric: 'conversions' })
    expect(option.xAxis).toMatchObject({ data: ['direct', 'email', 'paid_search', 'referral'] })
    expect(seriesOf(option).map((bars) => [bars.name, bars.color, bars.data])).toEqual([
      ['Last click', MODEL_COLORS.last_click, [3, 1, 0, 0]],
      ['Linear', MODEL_COLORS.linear, [1.333334, 1.666666, 0.5, 0.5]],
    ])
  })

  it('plots revenue in dollars and shows shared credit to two decimals in the tooltip', () => {
    const revenue = buildModelComparisonOption(ROWS, { models: MODELS, metric: 'revenue' })
    expect(seriesOf(revenue)[1]?.data).toEqual([17.5, 80, 5, 2.5])
    const conversions = buildModelComparisonOption(ROWS, { models: MODELS, metric: 'conversions' })
    const format = (conversions.tooltip as { valueFormatter: (value: unknown) => string }).valueFormatter
    expect(format(1.333334)).toBe('1.33')
  })

  it('caps the channels and breaks long channel names onto lines', () => {
    const many = Array.from({ length: MODEL_CHART_MAX_CHANNELS + 3 }, (_, index) => ({ ...ROWS[0]!, channel: `channel_${index}` }))
    expect((buildModelComparisonOption(many, { models: MODELS, metric: 'conversions' }).xAxis as { data: string[] }).data).toHaveLength(
      MODEL_CHART_MAX_CHANNELS,
    )
    expect(channelAxisLabel('organic_search')).toBe('organic\nsearch')
    expect(channelAxisLabel('Paid Social')).toBe('Paid\nSocial')
  })
})
