import type { YAXisComponentOption, LineSeriesOption } from 'echarts'
import { describe, expect, it } from 'vitest'
import { channelColor } from '@renderer/charts/channel-colors'
import { buildTrendsOption, modelsAgreeText } from './trends-option'
import { TRENDS_BY_CHANNEL, TRENDS_MOVED } from '@renderer/testing/test-rows'

const seriesOf = (option: ReturnType<typeof buildTrendsOption>) => option.series as LineSeriesOption[]
const yAxisOf = (option: ReturnType<typeof buildTrendsOption>) =>
  option.yAxis as YAXisComponentOption & { axisLabel: { formatter: (value: number) => string } }
const PAIR = { models: ['first_click', 'last_click'], names: ['First click', 'Last click'] } as const
const byModel = { metric: 'conversions', byChannel: false, model: 'last_click', ...PAIR } as const
const tooltipFormat = (option: ReturnType<typeof buildTrendsOption>) =>
  (option.tooltip as { valueFormatter: (value: unknown) => string }).valueFormatter

describe('buildTrendsOption', () => {
  it('has one category per day of the range, including days without points', () => {
    const option = buildTrendsOption({ ...TRENDS_MOVED, to_date: '2026-11-03' }, byModel)
    expect(option.xAxis).toMatchObject({ data: ['2026-11-01', '2026-11-02', '2026-11-03'] })
  })

  it('by model, draws last click minus first click per channel, leaving out channels the models agree on', () => {
    const series = seriesOf(buildTrendsOption(TRENDS_MOVED, byModel))
    expect(series.map((bars) => [bars.name, bars.type, bars.color, bars.stack, bars.data])).toEqual([
      ['direct', 'bar', channelColor('direct'), 'difference', [2, 0]],
      ['paid_social', 'bar', channelColor('paid_social'), 'difference', [-2, 0]],
    ])
  })

  it('by model, draws the second model minus the first, whichever order the pair is in', () => {
    const reversed = { ...byModel, models: ['last_click', 'first_click'], names: ['Last click', 'First click'] } as const
    expect(seriesOf(buildTrendsOption(TRENDS_MOVED, reversed)).map((bars) => [bars.name, bars.data])).toEqual([
      ['direct', [-2, 0]],
      ['paid_social', [2, 0]],
    ])
  })

  it('by model, subtracts shared credit to its 6 decimals, so float noise never draws a bar', () => {
    const trends = {
      from_date: '2026-11-01',
      to_date: '2026-11-01',
      points: [
        // Linear splits one email-then-direct conversion 0.5 / 0.5 and credits a second, direct-only one fully.
        { date: '2026-11-01', model: 'linear' as const, channel: 'email', conversions: 0.5, revenue_usd: '5.00' },
        { date: '2026-11-01', model: 'linear' as const, channel: 'direct', conversions: 1.5, revenue_usd: '15.00' },
        { date: '2026-11-01', model: 'last_click' as const, channel: 'direct', conversions: 2, revenue_usd: '20.00' },
        // 0.1 + 0.2 under one model and 0.3 under the other: equal credit, a float difference of 5.5e-17.
        { date: '2026-11-01', model: 'linear' as const, channel: 'referral', conversions: 0.1, revenue_usd: '0.00' },
        { date: '2026-11-01', model: 'linear' as const, channel: 'referral', conversions: 0.2, revenue_usd: '0.00' },
        { date: '2026-11-01', model: 'last_click' as const, channel: 'referral', conversions: 0.3, revenue_usd: '0.00' },
      ],
    }
    const view = { ...byModel, models: ['linear', 'last_click'], names: ['Linear', 'Last click'] } as const
    const option = buildTrendsOption(trends, view)
    expect(seriesOf(option).map((bars) => [bars.name, bars.data])).toEqual([
      ['direct', [0.5]],
      ['email', [-0.5]],
    ])
    expect(tooltipFormat(option)(0.5)).toBe('+0.5')
    expect(tooltipFormat(option)(-0.333333)).toBe('-0.33')
  })

  it('by model, says so on the chart when the models agree on every day', () => {
    const agreeing = { ...TRENDS_MOVED, points: TRENDS_MOVED.points.filter((point) => point.channel === 'email') }
    const option = buildTrendsOption(agreeing, byModel)
    expect(seriesOf(option)).toEqual([])
    expect(option.graphic).toMatchObject([{ style: { text: 'First click and Last click credit the same channels on every day shown.' } }])
    expect(modelsAgreeText(['Linear', 'Data-driven'])).toBe('Linear and Data-driven credit the same channels on every day shown.')
    expect(buildTrendsOption(TRENDS_MOVED, byModel).graphic).toEqual([])
  })

  it('plots the revenue difference in dollars, with cents on an axis only cents wide', () => {
    const option = buildTrendsOption(TRENDS_MOVED, { ...byModel, metric: 'revenue' })
    expect(seriesOf(option)[0]?.data).toEqual([0.2, 0])
    expect(yAxisOf(option)).toMatchObject({ minInterval: 0.01 })
    expect(yAxisOf(option).axisLabel.formatter(0.05)).toBe('$0.05')
  })

  it('stacks the chosen model by channel, biggest channel first, in channel colours, zero on empty days', () => {
    const series = seriesOf(buildTrendsOption(TRENDS_BY_CHANNEL, { metric: 'conversions', byChannel: true, model: 'last_click', ...PAIR }))
    expect(series.map((line) => [line.name, line.color, line.stack, line.data])).toEqual([
      ['direct', channelColor('direct'), 'channels', [4, 2]],
      ['email', channelColor('email'), 'channels', [1, 0]],
    ])
  })

  it('keeps a flat zero axis when everything is 0, and whole-number ticks for conversions', () => {
    const zero = { ...TRENDS_MOVED, points: TRENDS_MOVED.points.map((point) => ({ ...point, revenue_usd: '0.00' })) }
    const flat = yAxisOf(buildTrendsOption(zero, { metric: 'revenue', byChannel: true, model: 'first_click', ...PAIR }))
    expect(flat).toMatchObject({ min: 0, max: 1, interval: 1 })
    expect([0, 1].map(flat.axisLabel.formatter)).toEqual(['$0', ''])
    expect(yAxisOf(buildTrendsOption(TRENDS_MOVED, byModel))).toMatchObject({ minInterval: 1 })
  })

  it('builds no series from no points', () => {
    const empty = { from_date: '2026-11-01', to_date: '2026-11-02', points: [] }
    expect(seriesOf(buildTrendsOption(empty, { metric: 'conversions', byChannel: true, model: 'first_click', ...PAIR }))).toEqual([])
    expect(seriesOf(buildTrendsOption(empty, byModel))).toEqual([])
  })
})
