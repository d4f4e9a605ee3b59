import type { BarSeriesOption } from 'echarts'
import { describe, expect, it } from 'vitest'
import { channelColor } from './channel-colors'
import { COMPARISON_SERIES, FIRST_CLICK_OPACITY, buildComparisonOption } from './comparison-option'
import { COMPARISON_ROWS } from './test-rows'

type BarItem = { value: number; itemStyle: { color: string } }
const seriesOf = (option: ReturnType<typeof buildComparisonOption>) => option.series as BarSeriesOption[]

describe('buildComparisonOption', () => {
  it('puts one category per channel in row order', () => {
    const option = buildComparisonOption(COMPARISON_ROWS, 'conversions')
    expect(option.yAxis).toMatchObject({ type: 'category', data: ['direct', 'paid_social', 'email'], inverse: true })
  })

  it('plots first and last click conversions as two series coloured by channel', () => {
    const [first, last] = seriesOf(buildComparisonOption(COMPARISON_ROWS, 'conversions'))
    expect(first?.name).toBe(COMPARISON_SERIES.first_click)
    expect(last?.name).toBe(COMPARISON_SERIES.last_click)
    expect((first?.data as BarItem[]).map((item) => item.value)).toEqual(COMPARISON_ROWS.map((row) => row.first_click_conversions))
    expect((last?.data as BarItem[]).map((item) => item.value)).toEqual(COMPARISON_ROWS.map((row) => row.last_click_conversions))
    expect((last?.data as BarItem[]).map((item) => item.itemStyle.color)).toEqual(COMPARISON_ROWS.map((row) => channelColor(row.channel)))
    expect(first?.itemStyle?.opacity).toBe(FIRST_CLICK_OPACITY)
    expect(last?.itemStyle?.opacity).toBe(1)
  })

  it('plots revenue from the decimal strings', () => {
    const [first, last] = seriesOf(buildComparisonOption(COMPARISON_ROWS, 'revenue'))
    expect((first?.data as BarItem[]).map((item) => item.value)).toEqual(COMPARISON_ROWS.map((row) => Number(row.first_click_revenue_usd)))
    expect((last?.data as BarItem[]).map((item) => item.value)).toEqual(COMPARISON_ROWS.map((row) => Number(row.last_click_revenue_usd)))
  })

  it('builds an empty chart from no rows', () => {
    const option = buildComparisonOption([], 'conversions')
    expect(option.yAxis).toMatchObject({ data: [] })
    for (const series of seriesOf(option)) expect(series.data).toEqual([])
  })
})
