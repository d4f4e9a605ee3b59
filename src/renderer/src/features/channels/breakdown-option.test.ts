import type { BarSeriesOption } from 'echarts'
import { describe, expect, it } from 'vitest'
import { BREAKDOWN_CHART_MAX_BARS, breakdownLabel, buildBreakdownOption } from './breakdown-option'
import { channelColor } from '@renderer/charts/channel-colors'
import { CHANNEL_REPORT_ROWS } from '@renderer/testing/test-rows'

type BarItem = { value: number; itemStyle: { color: string } }
const barsOf = (option: ReturnType<typeof buildBreakdownOption>) => (option.series as BarSeriesOption[])[0]?.data as BarItem[]

describe('buildBreakdownOption', () => {
  it('orders channels by the metric and colours them by channel', () => {
    const byConversions = buildBreakdownOption(CHANNEL_REPORT_ROWS, { by: 'channel', metric: 'conversions' })
    expect(byConversions.yAxis).toMatchObject({ data: ['direct', 'email'] })
    expect(barsOf(byConversions)).toEqual([
      { value: 9, itemStyle: { color: channelColor('direct') } },
      { value: 4, itemStyle: { color: channelColor('email') } },
    ])
    const byRevenue = buildBreakdownOption(CHANNEL_REPORT_ROWS, { by: 'channel', metric: 'revenue' })
    expect(byRevenue.yAxis).toMatchObject({ data: ['email', 'direct'] })
    expect(barsOf(byRevenue).map((bar) => bar.value)).toEqual([400, 90])
  })

  it('labels source/medium and campaign rows, coloured by the drilled channel', () => {
    const rows = [
      { source: 'google', medium: 'cpc', conversions: 2, revenue_usd: '1.00' },
      { source: 'bing', medium: 'cpc', conversions: 1, revenue_usd: '1.00' },
    ]
    const option = buildBreakdownOption(rows, { by: 'source_medium', metric: 'conversions', channel: 'paid_search' })
    expect(option.yAxis).toMatchObject({ data: ['google / cpc', 'bing / cpc'] })
    for (const bar of barsOf(option)) expect(bar.itemStyle.color).toBe(channelColor('paid_search'))
    expect(breakdownLabel({ campaign: 'brand_search', conversions: 1, revenue_usd: '0.00' }, 'campaign')).toBe('brand_search')
  })

  it('caps the bars', () => {
    const rows = Array.from({ length: BREAKDOWN_CHART_MAX_BARS + 5 }, (_, index) => ({
      campaign: `c${index}`,
      conversions: index,
      revenue_usd: '0.00',
    }))
    expect(barsOf(buildBreakdownOption(rows, { by: 'campaign', metric: 'conversions' }))).toHaveLength(BREAKDOWN_CHART_MAX_BARS)
  })

  it('labels a revenue axis in cents when the bars are cents wide, and flat at $0 when all is 0', () => {
    const cents = CHANNEL_REPORT_ROWS.map((row) => ({ ...row, revenue_usd: '0.40' }))
    const axis = buildBreakdownOption(cents, { by: 'channel', metric: 'revenue' }).xAxis as {
      minInterval: number
      axisLabel: { formatter: (value: number) => string }
    }
    expect(axis.minInterval).toBe(0.01)
    expect([0.1, 0.2].map(axis.axisLabel.formatter)).toEqual(['$0.10', '$0.20'])
    const zero = CHANNEL_REPORT_ROWS.map((row) => ({ ...row, revenue_usd: '0.00' }))
    expect(buildBreakdownOption(zero, { by: 'channel', metric: 'revenue' }).xAxis).toMatchObject({ min: 0, max: 1, interval: 1 })
  })

  it('builds an empty chart from no rows', () => {
    const option = buildBreakdownOption([], { by: 'channel', metric: 'conversions' })
    expect(option.yAxis).toMatchObject({ data: [] })
    expect(barsOf(option)).toEqual([])
  })
})
