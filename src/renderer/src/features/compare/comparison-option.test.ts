import type { BarSeriesOption } from 'echarts'
import { describe, expect, it } from 'vitest'
import { channelColor } from '@renderer/charts/channel-colors'
import { MODEL_A_OPACITY, buildComparisonOption } from './comparison-option'
import { COMPARISON_ROWS, LINEAR_VS_LAST_ROWS } from '@renderer/testing/test-rows'

type BarItem = { value: number; itemStyle: { color: string } }
const NAMES = ['First click', 'Last click'] as const
const seriesOf = (option: ReturnType<typeof buildComparisonOption>) => option.series as BarSeriesOption[]
const tooltipFormat = (option: ReturnType<typeof buildComparisonOption>) =>
  (option.tooltip as { valueFormatter: (value: unknown) => string }).valueFormatter

describe('buildComparisonOption', () => {
  it('puts one category per channel in row order', () => {
    const option = buildComparisonOption(COMPARISON_ROWS, 'conversions', NAMES)
    expect(option.yAxis).toMatchObject({ type: 'category', data: ['direct', 'paid_social', 'email'], inverse: true })
  })

  it('plots model a and model b conversions as two series named after the models, coloured by channel', () => {
    const option = buildComparisonOption(COMPARISON_ROWS, 'conversions', NAMES)
    const [a, b] = seriesOf(option)
    expect(option.legend).toMatchObject({ data: ['First click', 'Last click'] })
    expect(a?.name).toBe('First click')
    expect(b?.name).toBe('Last click')
    expect((a?.data as BarItem[]).map((item) => item.value)).toEqual(COMPARISON_ROWS.map((row) => row.a_conversions))
    expect((b?.data as BarItem[]).map((item) => item.value)).toEqual(COMPARISON_ROWS.map((row) => row.b_conversions))
    expect((b?.data as BarItem[]).map((item) => item.itemStyle.color)).toEqual(COMPARISON_ROWS.map((row) => channelColor(row.channel)))
    expect(a?.itemStyle?.opacity).toBe(MODEL_A_OPACITY)
    expect(b?.itemStyle?.opacity).toBe(1)
  })

  it('plots shared credit as it is and shows it to two decimals in the tooltip', () => {
    const option = buildComparisonOption(LINEAR_VS_LAST_ROWS, 'conversions', ['Linear', 'Last click'])
    expect((seriesOf(option)[0]?.data as BarItem[]).map((item) => item.value)).toEqual([1.666666, 0.833334, 0.5])
    expect(tooltipFormat(option)(1.666666)).toBe('1.67')
    expect(tooltipFormat(option)(2)).toBe('2')
  })

  it('keeps two legend entries when a model is compared with itself', () => {
    const option = buildComparisonOption(COMPARISON_ROWS, 'conversions', ['Linear', 'Linear'])
    expect(seriesOf(option).map((series) => series.name)).toEqual(['Linear (a)', 'Linear (b)'])
  })

  it('plots revenue from the decimal strings', () => {
    const [a, b] = seriesOf(buildComparisonOption(COMPARISON_ROWS, 'revenue', NAMES))
    expect((a?.data as BarItem[]).map((item) => item.value)).toEqual(COMPARISON_ROWS.map((row) => Number(row.a_revenue_usd)))
    expect((b?.data as BarItem[]).map((item) => item.value)).toEqual(COMPARISON_ROWS.map((row) => Number(row.b_revenue_usd)))
  })

  it('builds an empty chart from no rows', () => {
    const option = buildComparisonOption([], 'conversions', NAMES)
    expect(option.yAxis).toMatchObject({ data: [] })
    for (const series of seriesOf(option)) expect(series.data).toEqual([])
  })
})
